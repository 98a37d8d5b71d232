using System;
using System.Buffers.Binary;
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

        // CRC-02, CRC-03, CRC-04: HAProxy's CRC32C, checked here without the library: the test rebuilds the header
        // HAProxy sent from what it knows (PROXY, TCP4/TCP6, client -> frontend, the TLV bytes the app received),
        // zeroes the CRC32C value and computes CRC-32C bit by bit; it must equal the value HAProxy wrote, big-endian.
        Assert.Contains("03", fields["tlvs"].Split(','));
        byte[] tlvBytes = Convert.FromHexString(fields["tlvBytes"]);
        byte[] sent = RebuildV2(clientEndPoint, frontend, tlvBytes, out int crcOffset);
        uint written = BinaryPrimitives.ReadUInt32BigEndian(sent.AsSpan(crcOffset));
        sent.AsSpan(crcOffset, 4).Clear();
        Assert.Equal(BitwiseCrc32c(sent), written);
    }

    /// <summary>The v2 PROXY header for a TCP connection, built by hand (spec 2.2); returns where the CRC32C value is.</summary>
    private static byte[] RebuildV2(IPEndPoint source, IPEndPoint destination, byte[] tlvs, out int crcOffset)
    {
        bool v4 = source.AddressFamily == AddressFamily.InterNetwork;
        byte[] addresses = [.. source.Address.GetAddressBytes(), .. destination.Address.GetAddressBytes(),
            (byte)(source.Port >> 8), (byte)source.Port, (byte)(destination.Port >> 8), (byte)destination.Port];
        int length = addresses.Length + tlvs.Length;
        byte[] header = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, 0x21, (byte)(v4 ? 0x11 : 0x21),
            (byte)(length >> 8), (byte)length, .. addresses, .. tlvs];
        crcOffset = -1;
        for (int offset = 16 + addresses.Length; offset < header.Length; offset += 3 + ((header[offset + 1] << 8) | header[offset + 2]))
        {
            if (header[offset] == 0x03)
            {
                crcOffset = offset + 3;
                break;
            }
        }

        Assert.True(crcOffset > 0, "no CRC32C TLV in the TLV bytes");
        return header;
    }

    /// <summary>CRC-32C as RFC 4960 appendix B defines it, one bit at a time (CRC-01).</summary>
    private static uint BitwiseCrc32c(byte[] data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78 : crc >> 1;
            }
        }

        return ~crc;
    }
}
