using System;
using System.IO;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace ProxyProtocol.Tests.Adapters;

/// <summary>
/// The header arrives before the TLS ClientHello. The client sends both at once, so a reader that took a
/// byte too many would break the handshake: this is the real-world check of RX-02 for both adapters.
/// </summary>
public sealed class TlsAfterHeaderTests : IDisposable
{
    private readonly X509Certificate2 _certificate = CreateCertificate();

    [Theory]
    [InlineData(ProxyVersion.V1, true)]
    [InlineData(ProxyVersion.V2, true)]
    [InlineData(ProxyVersion.V1, false)]
    [InlineData(ProxyVersion.V2, false)]
    public async Task Handshake_after_the_header_succeeds(ProxyVersion version, bool socketAdapter)
    {
        using var loopback = new Loopback(IPAddress.Loopback);
        (Socket client, Socket server) = await loopback.ConnectAsync();
        ProxyHeader sent = ProxyHeader.CreateProxy(HeaderVectors.Ep("192.0.2.44", 4444), loopback.EndPoint);
        using var cts = new CancellationTokenSource(Loopback.Timeout);

        using var clientStream = new NetworkStream(client, ownsSocket: true);
        using var serverStream = new NetworkStream(server, ownsSocket: true);

        Task<string> clientSide = Task.Run(async () =>
        {
            await clientStream.WriteProxyHeaderAsync(sent, version, cts.Token);
            using var tls = new SslStream(clientStream, leaveInnerStreamOpen: true, (_, certificate, _, _) => certificate?.GetCertHashString() == _certificate.GetCertHashString());
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" }, cts.Token);
            await tls.WriteAsync("ping"u8.ToArray(), cts.Token);
            byte[] reply = new byte[4];
            await tls.ReadExactlyAsync(reply, cts.Token);
            return Encoding.ASCII.GetString(reply);
        });

        ReceivedProxyHeader received = socketAdapter
            ? await server.ReceiveProxyHeaderAsync(cancellationToken: cts.Token)
            : await serverStream.ReadProxyHeaderAsync(cancellationToken: cts.Token);
        Assert.Equal(sent, received.Header);

        using (var tls = new SslStream(serverStream, leaveInnerStreamOpen: true))
        {
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate }, cts.Token);
            byte[] ping = new byte[4];
            await tls.ReadExactlyAsync(ping, cts.Token);
            Assert.Equal("ping", Encoding.ASCII.GetString(ping));
            await tls.WriteAsync("pong"u8.ToArray(), cts.Token);
            Assert.Equal("pong", await clientSide.WaitAsync(Loopback.Timeout));
        }
    }

    public void Dispose() => _certificate.Dispose();

    private static X509Certificate2 CreateCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        using X509Certificate2 ephemeral = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        return X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pfx), password: null);
    }
}
