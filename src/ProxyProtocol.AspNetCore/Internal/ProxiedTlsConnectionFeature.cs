using System;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace ProxyProtocol.AspNetCore.Internal;

/// <summary>
/// Stands in for the TLS handshake a balancer did with the client: Kestrel reports <c>https</c> for a connection
/// that has an <see cref="ITlsConnectionFeature"/>, and picks HTTP/2 on an endpoint that allows HTTP/1.1 too only
/// when <see cref="ITlsApplicationProtocolFeature"/> says <c>h2</c>.
/// </summary>
/// <remarks>
/// <c>ITlsHandshakeFeature</c> is deliberately not implemented: HTTP/2 would then check the TLS version of a
/// handshake that did not happen here. Never set it in front of Kestrel's own TLS middleware, which skips the
/// handshake when it finds this feature.
/// </remarks>
internal sealed class ProxiedTlsConnectionFeature : ITlsConnectionFeature, ITlsApplicationProtocolFeature
{
    private static readonly ReadOnlyMemory<byte> s_h2 = "h2"u8.ToArray();

    /// <param name="http2">Whether Kestrel is to serve HTTP/2: the preface was seen, or the endpoint is HTTP/2 only.</param>
    public ProxiedTlsConnectionFeature(bool http2) => ApplicationProtocol = http2 ? s_h2 : ReadOnlyMemory<byte>.Empty;

    /// <summary>What Kestrel is to serve, chosen by the preface; the client's own ALPN is on the feature.</summary>
    public ReadOnlyMemory<byte> ApplicationProtocol { get; }

    // The balancer kept the client certificate; its details, if any, are in the SSL TLV.
    public X509Certificate2? ClientCertificate { get; set; }

    public Task<X509Certificate2?> GetClientCertificateAsync(CancellationToken cancellationToken) => Task.FromResult(ClientCertificate);
}
