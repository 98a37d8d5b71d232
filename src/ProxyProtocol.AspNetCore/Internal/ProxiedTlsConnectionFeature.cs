using System;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace ProxyProtocol.AspNetCore.Internal;

/// <summary>
/// Stands in for the TLS handshake a balancer did with the client, so Kestrel serves a cleartext connection
/// whose header carries ALPN <c>h2</c> as HTTP/2.
/// </summary>
/// <remarks>
/// Kestrel's protocol selection reads <see cref="ITlsApplicationProtocolFeature"/> only when an
/// <see cref="ITlsConnectionFeature"/> is present, so both are set. <c>ITlsHandshakeFeature</c> is deliberately
/// not implemented: HTTP/2 would then check the TLS version of a handshake that did not happen here. Never set
/// it in front of Kestrel's own TLS middleware, which skips the handshake when it finds this feature.
/// </remarks>
internal sealed class ProxiedTlsConnectionFeature : ITlsConnectionFeature, ITlsApplicationProtocolFeature
{
    private static readonly ReadOnlyMemory<byte> s_h2 = "h2"u8.ToArray();

    public ReadOnlyMemory<byte> ApplicationProtocol => s_h2;

    // The balancer kept the client certificate; its details, if any, are in the SSL TLV.
    public X509Certificate2? ClientCertificate { get; set; }

    public Task<X509Certificate2?> GetClientCertificateAsync(CancellationToken cancellationToken) => Task.FromResult(ClientCertificate);
}
