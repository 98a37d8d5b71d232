using System;
using System.Buffers;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using ProxyProtocol.AspNetCore;

namespace ProxyProtocol.Yarp.Internal;

/// <summary>
/// Encodes the header that describes an inbound client connection, once per connection: its bytes are sent
/// as they are on every destination connection opened for that client.
/// </summary>
internal static class ClientHeaderFactory
{
    /// <summary>The UNIQUE_ID TLV holds at most 128 bytes (spec 2.2.7).</summary>
    private const int MaxUniqueIdLength = 128;

    public static byte[] Create(HttpContext context, ProxyProtocolClusterOptions options)
    {
        ConnectionInfo connection = context.Connection;
        ProxyHeader header = CreateHeader(connection.RemoteIpAddress, connection.RemotePort, connection.LocalIpAddress, connection.LocalPort);
        if (options.Version == ProxyVersion.V1)
        {
            byte[] line = new byte[ProxyHeaderWriter.GetV1Length(header)];
            ProxyHeaderWriter.WriteV1(header, line, out int written);
            return line.AsSpan(0, written).ToArray();
        }

        if (options.Tlvs == ProxyProtocolTlvs.None)
        {
            byte[] plain = new byte[ProxyHeaderWriter.GetV2Length(header)];
            ProxyHeaderWriter.WriteV2(header, plain, out _);
            return plain;
        }

        return CreateV2WithTlvs(context, header, options.Tlvs);
    }

    /// <summary>
    /// The header for the connection's endpoints as the server reports them, which is after any
    /// <c>UseProxyProtocol()</c>. A dual-mode listener reports IPv4 clients as v4-mapped IPv6; they are mapped
    /// back so that v1 writes <c>TCP4</c> and the destination logs the address the client has.
    /// </summary>
    public static ProxyHeader CreateHeader(IPAddress? remote, int remotePort, IPAddress? local, int localPort)
    {
        if (remote is null || local is null)
        {
            // Not an IP connection (Unix socket, named pipe, in-memory): say so rather than invent addresses.
            return ProxyHeader.CreateUnknown();
        }

        return ProxyHeader.CreateProxy(new IPEndPoint(Unmap(remote), remotePort), new IPEndPoint(Unmap(local), localPort));
    }

    private static IPAddress Unmap(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private static byte[] CreateV2WithTlvs(HttpContext context, in ProxyHeader header, ProxyProtocolTlvs tlvs)
    {
        IProxyProtocolFeature? inbound = context.Features.Get<IProxyProtocolFeature>();
        ProxyTlvs inboundTlvs = inbound is null ? default : inbound.ReceivedHeader.Tlvs;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(1024);
        try
        {
            for (int attempt = 0; ; attempt++)
            {
                var builder = new ProxyV2HeaderBuilder(buffer, header);
                AddTlvs(ref builder, context, inboundTlvs, tlvs);
                if (builder.Complete(out int length) == OperationStatus.Done)
                {
                    return buffer.AsSpan(0, length).ToArray();
                }

                // A large client certificate's common name or an inbound SSL TLV: once more with the size needed.
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = ArrayPool<byte>.Shared.Rent(builder.Length);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void AddTlvs(ref ProxyV2HeaderBuilder builder, HttpContext context, ProxyTlvs inbound, ProxyProtocolTlvs tlvs)
    {
        ITlsHandshakeFeature? tls = context.Features.Get<ITlsHandshakeFeature>();
        if ((tlvs & ProxyProtocolTlvs.Alpn) != 0)
        {
            if (inbound.TryGetAlpn(out ReadOnlySpan<byte> alpn))
            {
                builder.AddAlpn(alpn);
            }
            else if (tls is not null && context.Features.Get<ITlsApplicationProtocolFeature>() is { } alpnFeature && !alpnFeature.ApplicationProtocol.IsEmpty)
            {
                builder.AddAlpn(alpnFeature.ApplicationProtocol.Span);
            }
        }

        if ((tlvs & ProxyProtocolTlvs.Authority) != 0)
        {
            if (inbound.TryGetAuthority(out ReadOnlySpan<byte> authority))
            {
                builder.AddAuthority(authority);
            }
            else if (!string.IsNullOrEmpty(tls?.HostName))
            {
                builder.AddAuthority(tls.HostName);
            }
            else if (context.Request.Host.HasValue)
            {
                builder.AddAuthority(context.Request.Host.Host);
            }
        }

        if ((tlvs & ProxyProtocolTlvs.UniqueId) != 0)
        {
            if (inbound.TryGetUniqueId(out ReadOnlySpan<byte> uniqueId) && !uniqueId.IsEmpty)
            {
                builder.AddUniqueId(uniqueId);
            }
            else
            {
                AddConnectionId(ref builder, context.Connection.Id);
            }
        }

        if ((tlvs & ProxyProtocolTlvs.Ssl) != 0)
        {
            if (inbound.TryFind(ProxyTlvType.Ssl, out ReadOnlySpan<byte> ssl))
            {
                builder.AddTlv(ProxyTlvType.Ssl, ssl);
            }
            else if (tls is not null)
            {
                AddSsl(ref builder, tls, context.Features.Get<ITlsConnectionFeature>()?.ClientCertificate);
            }
        }

        if ((tlvs & ProxyProtocolTlvs.Crc32c) != 0)
        {
            builder.AddCrc32c();
        }
    }

    private static void AddConnectionId(ref ProxyV2HeaderBuilder builder, string connectionId)
    {
        if (string.IsNullOrEmpty(connectionId))
        {
            return;
        }

        // Kestrel's ids are 13 ASCII characters; a longer one from another server is cut, never refused.
        byte[] id = Encoding.UTF8.GetBytes(connectionId);
        builder.AddUniqueId(id.AsSpan(0, Math.Min(id.Length, MaxUniqueIdLength)));
    }

    /// <summary>
    /// The SSL TLV for the handshake Kestrel did with the client (spec 2.2.5): a client certificate Kestrel
    /// accepted counts as verified, since Kestrel ends the connection when validation fails.
    /// </summary>
    private static void AddSsl(ref ProxyV2HeaderBuilder builder, ITlsHandshakeFeature tls, X509Certificate2? clientCertificate)
    {
        ProxySslClientFlags flags = ProxySslClientFlags.Ssl;
        if (clientCertificate is not null)
        {
            flags |= ProxySslClientFlags.CertificateConnection;
        }

        builder.BeginSsl(flags, clientCertificate is null ? 1u : 0u);
        string? version = FormatVersion(tls.Protocol);
        if (version is not null)
        {
            builder.AddSslVersion(Encoding.ASCII.GetBytes(version));
        }

        if (tls.NegotiatedCipherSuite is { } cipher)
        {
            builder.AddSslCipher(Encoding.ASCII.GetBytes(cipher.ToString()));
        }

        string? commonName = clientCertificate?.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        if (!string.IsNullOrEmpty(commonName))
        {
            builder.AddSslCommonName(Encoding.UTF8.GetBytes(commonName));
        }

        builder.EndSsl();
    }

    /// <summary>The version as OpenSSL names it, which is what HAProxy sends and nginx logs (<c>TLSv1.3</c>).</summary>
#pragma warning disable SYSLIB0039 // TLS 1.0 and 1.1 are obsolete, but a client may still have used them.
    private static string? FormatVersion(System.Security.Authentication.SslProtocols protocol) => protocol switch
    {
        System.Security.Authentication.SslProtocols.Tls13 => "TLSv1.3",
        System.Security.Authentication.SslProtocols.Tls12 => "TLSv1.2",
        System.Security.Authentication.SslProtocols.Tls11 => "TLSv1.1",
        System.Security.Authentication.SslProtocols.Tls => "TLSv1",
        _ => null,
    };
#pragma warning restore SYSLIB0039
}
