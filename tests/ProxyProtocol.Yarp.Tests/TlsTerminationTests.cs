using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using ProxyProtocol.Interop.Tests.Infrastructure;
using ProxyProtocol.Yarp.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ProxyProtocol.Yarp.Tests;

/// <summary>YARP terminates the client's TLS: the v2 header to the destination describes that TLS connection.</summary>
public sealed class TlsTerminationTests(ITestOutputHelper output) : InteropTest(output)
{
    [Fact]
    public async Task SSL_ALPN_and_SNI_of_the_clients_handshake_with_Kestrel_reach_the_destination()
    {
        RecordingBackend backend = await RecordingBackend.StartAsync(Scope, HttpProtocols.Http1);
        var cluster = new System.Collections.Generic.Dictionary<string, string?>(PerClientConnectionTests.Cluster(backend, "v2", "1.1"))
        {
            ["Metadata:ProxyProtocolTlvs"] = "ssl, alpn, authority",
        };
        (string serverPem, _) = TestPki.Instance.WriteForHaproxy(Scope.Directory);
        using X509Certificate2 certificate = X509Certificate2.CreateFromPemFile(serverPem);
        YarpApp yarp = await YarpApp.StartAsync(Scope, cluster, configureListen: listen => listen.UseHttps(certificate));
        IPEndPoint proxy = yarp.EndPoints[0];
        using var handler = new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, c, _, _) => TestPki.Instance.IsIssuedByCa(c) },
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(proxy, ct);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        // Offering h2 makes the client send ALPN (h2, http/1.1); the HTTP/1.1-only endpoint picks http/1.1.
        using var client = new HttpClient(handler) { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionOrLower };

        // "localhost" is the SNI; the connection goes to the proxy's endpoint whatever the name resolves to.
        string body = await Scope.WithinAsync(client.GetStringAsync(new Uri($"https://localhost:{proxy.Port}/")), "HTTPS request to YARP");

        Assert.StartsWith("127.0.0.1:", body, StringComparison.Ordinal);
        ReceivedProxyHeader header = Assert.Single(backend.Connections).Received!.Value;
        Assert.True(header.Tlvs.TryGetSsl(out ProxySslTlv ssl));
        Assert.True(ssl.Client.HasFlag(ProxySslClientFlags.Ssl));
        Assert.True(ssl.TryGetVersion(out ReadOnlySpan<byte> version));
        Assert.Matches("^TLSv1\\.[23]$", Encoding.ASCII.GetString(version));
        Assert.True(ssl.TryGetCipher(out ReadOnlySpan<byte> cipher));
        Assert.StartsWith("TLS_", Encoding.ASCII.GetString(cipher), StringComparison.Ordinal);
        Assert.True(header.Tlvs.TryGetAlpn(out ReadOnlySpan<byte> alpn));
        Assert.Equal("http/1.1", Encoding.ASCII.GetString(alpn));
        Assert.True(header.Tlvs.TryGetAuthority(out ReadOnlySpan<byte> authority));
        Assert.Equal("localhost", Encoding.ASCII.GetString(authority));
    }
}
