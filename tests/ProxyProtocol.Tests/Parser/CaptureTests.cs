using System;
using System.Collections.Generic;
using System.Net;
using System.Text;
using ProxyProtocol.Tests.Infrastructure;
using ProxyProtocol.Tests.Vectors;

namespace ProxyProtocol.Tests.Parser;

/// <summary>
/// Headers captured from HAProxy 2.6, nginx 1.22 and curl 7.88 (Vectors/README.md), checked against what
/// their decoder printed (Vectors/*.bin in every buffer shape).
/// </summary>
public class CaptureTests
{
    // V1-02, V1-05, V2-04: the plain captures: version, endpoints, and the request after the header (RX-02).
    [Theory]
    [InlineData(TestVectors.HaproxyV1Tcp4, ProxyVersion.V1, "127.0.0.1:50192", "127.0.0.1:19001", "GET / HTTP/1.1\r\nHost: 127.0.0.1:19001")]
    [InlineData(TestVectors.HaproxyV1Tcp6, ProxyVersion.V1, "[::1]:33388", "[::1]:19001", "GET / HTTP/1.1\r\nHost: [::1]:19001")]
    [InlineData(TestVectors.HaproxyV2Tcp4, ProxyVersion.V2, "127.0.0.1:43058", "127.0.0.1:19002", "GET / HTTP/1.1\r\nHost: 127.0.0.1:19002")]
    [InlineData(TestVectors.HaproxyV2Tcp6, ProxyVersion.V2, "[::1]:45368", "[::1]:19002", "GET / HTTP/1.1\r\nHost: [::1]:19002")]
    [InlineData(TestVectors.NginxV1Tcp4, ProxyVersion.V1, "127.0.0.1:41910", "127.0.0.1:19031", "GET / HTTP/1.1\r\n")]
    [InlineData(TestVectors.NginxV1Tcp6, ProxyVersion.V1, "[::1]:53582", "[::1]:19031", "GET / HTTP/1.1\r\n")]
    [InlineData(TestVectors.CurlV1Tcp4, ProxyVersion.V1, "127.0.0.1:53788", "127.0.0.1:19040", "GET / HTTP/1.1\r\n")]
    [InlineData(TestVectors.CurlV1Tcp6, ProxyVersion.V1, "[::1]:39274", "[::1]:19040", "GET / HTTP/1.1\r\n")]
    [InlineData(TestVectors.HaproxyCheckV1, ProxyVersion.V1, "127.0.0.1:57534", "127.0.0.1:19021", "")]
    public void Plain_captures_decode(string name, ProxyVersion version, string source, string destination, string payloadStart)
    {
        TestVector vector = TestVectors.Get(name);
        ParseOutcome outcome = BufferShapes.ParseAllShapes(vector.Bytes, default);

        Assert.Equal(vector.HeaderLength, outcome.BytesConsumed);
        Assert.Equal(version, outcome.Header.Version);
        Assert.Equal(ProxyCommand.Proxy, outcome.Header.Command);
        Assert.Equal(ProxyTransport.Stream, outcome.Header.Transport);
        Assert.Equal(IPEndPoint.Parse(source), outcome.Header.GetSourceEndPoint());
        Assert.Equal(IPEndPoint.Parse(destination), outcome.Header.GetDestinationEndPoint());
        Assert.True(outcome.Tlvs.IsEmpty);
        Assert.StartsWith(payloadStart, Encoding.ASCII.GetString(outcome.Remainder), StringComparison.Ordinal);
        Assert.Equal(payloadStart.Length == 0, outcome.Remainder.IsEmpty);
    }

    // V1-05, TX-03: HAProxy, nginx and curl all print IPv6 compressed; the TCP6 captures give ::1.
    [Theory]
    [ShapedVectors(TestVectors.HaproxyV1Tcp6, TestVectors.NginxV1Tcp6, TestVectors.CurlV1Tcp6)]
    public void IPv6_v1_captures_use_compressed_text(ShapedInput input)
    {
        ParseOutcome outcome = input.Parse();

        Assert.StartsWith("PROXY TCP6 ::1 ::1 ", Encoding.ASCII.GetString(outcome.HeaderBytes), StringComparison.Ordinal);
        Assert.Equal(ProxyAddressFamily.InterNetworkV6, outcome.Header.AddressFamily);
        Assert.Equal(IPAddress.IPv6Loopback, outcome.Header.GetSourceIPAddress());
    }

    // TLV order, CRC-02, SSL-02, SSL-03: HAProxy behind TLS 1.3 with a client certificate and SNI.
    [Theory]
    [ShapedVectors(TestVectors.HaproxyTlsClientCertSniTcp4)]
    public void HAProxy_TLS_client_certificate_SNI_TCP4(ShapedInput input)
    {
        ParseOutcome outcome = input.Parse();

        Assert.Equal("127.0.0.1:52298", outcome.Header.GetSourceEndPoint()!.ToString());
        Assert.Equal("127.0.0.1:19011", outcome.Header.GetDestinationEndPoint()!.ToString());
        Assert.Equal(new byte[] { 0x03, 0x01, 0x02, 0x05, 0x20 }, TlvTests.Types(outcome.Tlvs));
        AssertTls(outcome.Tlvs, 0x369f8770, "localhost", "7F000001:CC4A_7F000001:4A43_6B07E772_0000",
            ProxySslClientFlags.Ssl | ProxySslClientFlags.CertificateConnection | ProxySslClientFlags.CertificateSession,
            [(ProxyTlvType.SslVersion, "TLSv1.3"), (ProxyTlvType.SslCommonName, "interop-client"), (ProxyTlvType.SslKeyAlgorithm, "EC256"), (ProxyTlvType.SslSignatureAlgorithm, "RSA-SHA256"), (ProxyTlvType.SslCipher, "TLS_AES_256_GCM_SHA384")]);
        Assert.StartsWith("GET / HTTP/1.1\r\nHost: localhost:19011", Encoding.ASCII.GetString(outcome.Remainder), StringComparison.Ordinal);
    }

    // Same over IPv6: the UNIQUE_ID holds the addresses in hex (89 bytes).
    [Theory]
    [ShapedVectors(TestVectors.HaproxyTlsClientCertSniTcp6)]
    public void HAProxy_TLS_client_certificate_SNI_TCP6(ShapedInput input)
    {
        ParseOutcome outcome = input.Parse();

        Assert.Equal("[::1]:43000", outcome.Header.GetSourceEndPoint()!.ToString());
        Assert.Equal(255, outcome.BytesConsumed);
        AssertTls(outcome.Tlvs, 0xc1883f69, "localhost", "00000000000000000000000000000001:A7F8_00000000000000000000000000000001:4A43_6B07E773_0001",
            ProxySslClientFlags.Ssl | ProxySslClientFlags.CertificateConnection | ProxySslClientFlags.CertificateSession,
            [(ProxyTlvType.SslVersion, "TLSv1.3"), (ProxyTlvType.SslCommonName, "interop-client"), (ProxyTlvType.SslKeyAlgorithm, "EC256"), (ProxyTlvType.SslSignatureAlgorithm, "RSA-SHA256"), (ProxyTlvType.SslCipher, "TLS_AES_256_GCM_SHA384")]);
    }

    // SSL-03, SSL-04: no client certificate: client 0x01 only, no CN, verify 0 but not verified.
    [Theory]
    [ShapedVectors(TestVectors.HaproxyTlsNoCertSniTcp4)]
    public void HAProxy_TLS_without_client_certificate(ShapedInput input)
    {
        ParseOutcome outcome = input.Parse();

        Assert.Equal("127.0.0.1:55074", outcome.Header.GetSourceEndPoint()!.ToString());
        AssertTls(outcome.Tlvs, 0x59016912, "localhost", "7F000001:D722_7F000001:4A43_6B07E774_0002",
            ProxySslClientFlags.Ssl,
            [(ProxyTlvType.SslVersion, "TLSv1.3"), (ProxyTlvType.SslKeyAlgorithm, "EC256"), (ProxyTlvType.SslSignatureAlgorithm, "RSA-SHA256"), (ProxyTlvType.SslCipher, "TLS_AES_256_GCM_SHA384")]);
    }

    // No SNI: no AUTHORITY TLV.
    [Theory]
    [ShapedVectors(TestVectors.HaproxyTlsClientCertNoSniTcp4)]
    public void HAProxy_TLS_without_SNI_has_no_authority(ShapedInput input)
    {
        ParseOutcome outcome = input.Parse();

        Assert.Equal(new byte[] { 0x03, 0x01, 0x05, 0x20 }, TlvTests.Types(outcome.Tlvs));
        AssertTls(outcome.Tlvs, 0x88c26528, null, "7F000001:D72A_7F000001:4A43_6B07E775_0003",
            ProxySslClientFlags.Ssl | ProxySslClientFlags.CertificateConnection | ProxySslClientFlags.CertificateSession,
            [(ProxyTlvType.SslVersion, "TLSv1.3"), (ProxyTlvType.SslCommonName, "interop-client"), (ProxyTlvType.SslKeyAlgorithm, "EC256"), (ProxyTlvType.SslSignatureAlgorithm, "RSA-SHA256"), (ProxyTlvType.SslCipher, "TLS_AES_256_GCM_SHA384")]);
    }

    // TLS 1.2: OpenSSL-style cipher name.
    [Theory]
    [ShapedVectors(TestVectors.HaproxyTls12ClientCertSniTcp4)]
    public void HAProxy_TLS_1_2(ShapedInput input)
    {
        ParseOutcome outcome = input.Parse();

        AssertTls(outcome.Tlvs, 0x4f34fd48, "localhost", "7F000001:D738_7F000001:4A43_6B07E776_0004",
            ProxySslClientFlags.Ssl | ProxySslClientFlags.CertificateConnection | ProxySslClientFlags.CertificateSession,
            [(ProxyTlvType.SslVersion, "TLSv1.2"), (ProxyTlvType.SslCommonName, "interop-client"), (ProxyTlvType.SslKeyAlgorithm, "EC256"), (ProxyTlvType.SslSignatureAlgorithm, "RSA-SHA256"), (ProxyTlvType.SslCipher, "ECDHE-ECDSA-AES256-GCM-SHA384")]);
    }

    // SEM-01, TX-02: HAProxy's v2 health check is LOCAL/UNSPEC with len 0, nothing after.
    [Theory]
    [ShapedVectors(TestVectors.HaproxyCheckV2Local)]
    public void HAProxy_health_check_is_LOCAL(ShapedInput input)
    {
        ParseOutcome outcome = input.Parse();

        Assert.Equal(ProxyHeader.CreateLocal(), outcome.Header);
        Assert.Equal(16, outcome.Input.Length);
    }

    // SEM-01, QUIRK-04, SSL-01: a health check with proxy-v2-options: LOCAL with CRC32C and a 5-byte SSL TLV.
    [Theory]
    [ShapedVectors(TestVectors.HaproxyCheckV2LocalCrcSsl)]
    public void HAProxy_health_check_with_CRC_and_SSL(ShapedInput input)
    {
        ParseOutcome outcome = input.Parse();

        Assert.Equal(ProxyCommand.Local, outcome.Header.Command);
        Assert.Null(outcome.Header.GetSourceEndPoint());
        Assert.Equal(new byte[] { 0x03, 0x20 }, TlvTests.Types(outcome.Tlvs));
        Assert.True(outcome.Tlvs.TryGetCrc32c(out uint crc));
        Assert.Equal(0x889da1dfu, crc);
        Assert.True(outcome.Tlvs.TryGetSsl(out ProxySslTlv ssl));
        Assert.Equal(ProxySslClientFlags.None, ssl.Client);
        Assert.Equal(0u, ssl.Verify);
        Assert.True(ssl.SubTlvs.IsEmpty);
    }

    private static void AssertTls(ProxyTlvs tlvs, uint crc, string? authority, string uniqueId, ProxySslClientFlags client, (ProxyTlvType Type, string Value)[] subTlvs)
    {
        Assert.True(tlvs.TryGetCrc32c(out uint actualCrc));
        Assert.Equal(crc, actualCrc);
        Assert.True(tlvs.TryGetAlpn(out ReadOnlySpan<byte> alpn));
        Assert.Equal("http/1.1", Encoding.ASCII.GetString(alpn));
        Assert.Equal(authority is not null, tlvs.TryGetAuthority(out ReadOnlySpan<byte> actualAuthority));
        Assert.Equal(authority ?? string.Empty, Encoding.UTF8.GetString(actualAuthority));
        Assert.True(tlvs.TryGetUniqueId(out ReadOnlySpan<byte> id));
        Assert.Equal(uniqueId, Encoding.ASCII.GetString(id));

        Assert.True(tlvs.TryGetSsl(out ProxySslTlv ssl));
        Assert.Equal(client, ssl.Client);
        Assert.Equal(0u, ssl.Verify);
        Assert.Equal((client & ProxySslClientFlags.CertificateConnection) != 0, ssl.IsClientCertificateVerified);
        List<(ProxyTlvType, string)> actual = [];
        foreach (ProxyTlv sub in ssl.SubTlvs)
        {
            actual.Add((sub.Type, Encoding.ASCII.GetString(sub.Value)));
        }

        Assert.Equal(subTlvs, actual);
        Assert.True(ssl.TryGetVersion(out ReadOnlySpan<byte> version));
        Assert.Equal(subTlvs[0].Value, Encoding.ASCII.GetString(version));
        Assert.True(ssl.TryGetCipher(out ReadOnlySpan<byte> cipher));
        Assert.Equal(subTlvs[^1].Value, Encoding.ASCII.GetString(cipher));
    }
}
