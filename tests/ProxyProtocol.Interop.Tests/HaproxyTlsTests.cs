using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Tasks;
using ProxyProtocol.Interop.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ProxyProtocol.Interop.Tests;

/// <summary>
/// HAProxy terminates TLS (with a client certificate) and sends PROXY v2 with every TLV it can: the values reach the
/// application through IProxyProtocolFeature.
/// </summary>
public sealed class HaproxyTlsTests(ITestOutputHelper output) : InteropTest(output)
{
    [PeerTheory(Peers.Haproxy)]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public async Task TLS_frontend_TLVs_arrive_in_IProxyProtocolFeature_with_the_configured_values(string loopback)
    {
        KestrelBackend kestrel = await KestrelBackend.StartAsync(Scope, IPAddress.Loopback);
        (string serverPem, string caFile) = TestPki.Instance.WriteForHaproxy(Scope.Directory);
        int port = 0;
        await HaproxyPeer.StartAsync(Scope, () =>
        {
            port = FreePort.Reserve();
            return $"""
                frontend fe_tls
                    bind 127.0.0.1:{port} ssl crt {serverPem} ca-file {caFile} verify optional alpn http/1.1
                    bind [::1]:{port} ssl crt {serverPem} ca-file {caFile} verify optional alpn http/1.1
                    unique-id-format uid-%ci-%cp
                    default_backend be

                backend be
                    server kestrel {kestrel.EndPoint} send-proxy-v2 proxy-v2-options authority,crc32c,unique-id,ssl,cert-cn,ssl-cipher,cert-sig,cert-key

                """;
        });

        var frontend = new IPEndPoint(IPAddress.Parse(loopback), port);
        using Socket client = await RawHttp.ConnectAsync(frontend);
        var clientEndPoint = (IPEndPoint)client.LocalEndPoint!;
        await using var tls = new SslStream(new NetworkStream(client), leaveInnerStreamOpen: false);
        await Scope.WithinAsync(tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",                                       // SNI, which HAProxy sends as AUTHORITY
            ApplicationProtocols = [SslApplicationProtocol.Http11],
            ClientCertificates = [TestPki.Instance.Client],
            LocalCertificateSelectionCallback = (_, _, _, _, _) => TestPki.Instance.Client,
            RemoteCertificateValidationCallback = (_, certificate, _, _) => TestPki.Instance.IsIssuedByCa(certificate),
        }), "TLS handshake with HAProxy");
        HttpReply reply = await Scope.WithinAsync(RawHttp.GetAsync(tls, "localhost"), "GET through HAProxy's TLS frontend");
        Assert.True(reply.Status == 200, $"{reply.Text}\n{Scope.Diagnostics}");

        var fields = reply.Fields;
        Assert.Equal(clientEndPoint.ToString(), fields["remote"]);
        Assert.Equal("V2", fields["version"]);
        Assert.Equal("localhost", fields["authority"]);                                     // TLV-03: the SNI
        Assert.Equal("http/1.1", fields["alpn"]);                                           // TLV-02: the negotiated ALPN
        Assert.Equal($"uid-{clientEndPoint.Address}-{clientEndPoint.Port}", fields["uniqueId"]);  // TLV-05: unique-id-format
        Assert.Equal("Ssl, CertificateConnection, CertificateSession", fields["ssl.client"]);
        Assert.Equal("0", fields["ssl.verify"]);                                            // verified by ca-file
        Assert.Equal("True", fields["ssl.verified"]);
        Assert.Equal(TestPki.ClientCommonName, fields["ssl.cn"]);                           // cert-cn
        Assert.Equal(tls.SslProtocol == SslProtocols.Tls13 ? "TLSv1.3" : "TLSv1.2", fields["ssl.version"]);
        if (tls.SslProtocol == SslProtocols.Tls13)
        {
            Assert.Equal(tls.NegotiatedCipherSuite.ToString(), fields["ssl.cipher"]);      // IANA and OpenSSL names agree for TLS 1.3
        }
        else
        {
            Assert.NotEmpty(fields["ssl.cipher"]);
        }

        Assert.Equal(TestPki.ServerSignatureAlgorithm, fields["ssl.sigalg"]);              // cert-sig: the frontend's certificate
        Assert.Equal(TestPki.ServerKeyAlgorithm, fields["ssl.keyalg"]);                    // cert-key: the frontend's certificate

        // CRC-04: the parser verifies a CRC32C TLV by default, so a header that reached the app had a valid one.
        Assert.Contains("03", fields["tlvs"].Split(','));
        Assert.True(default(ProxyParserOptions).VerifyCrc32c);
    }
}
