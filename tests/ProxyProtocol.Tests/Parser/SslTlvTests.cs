using System;
using System.Text;
using ProxyProtocol.Tests.Infrastructure;
using ProxyProtocol.Tests.Vectors;

namespace ProxyProtocol.Tests.Parser;

/// <summary>The SSL TLV (checklist 1.8, SSL).</summary>
public class SslTlvTests
{
    // SSL-01: client(1) verify(4, big-endian) then sub-TLVs; 5 bytes is the minimum.
    [Theory]
    [ShapedVectors(TestVectors.V2SslMinimal, TestVectors.HaproxyCheckV2LocalCrcSsl)]
    public void SSL_01_five_byte_SSL_TLV_is_accepted(ShapedInput input)
    {
        Assert.True(input.Parse().Tlvs.TryGetSsl(out ProxySslTlv ssl));

        Assert.Equal(ProxySslClientFlags.None, ssl.Client);
        Assert.Equal(0u, ssl.Verify);
        Assert.True(ssl.SubTlvs.IsEmpty);
        Assert.False(ssl.TryGetVersion(out _));
        Assert.False(ssl.IsClientCertificateVerified);
    }

    // SSL-01: shorter than 5 bytes is invalid.
    [Theory]
    [ShapedVectors("ssl01-value-4-bytes", "ssl01-value-empty")]
    public void SSL_01_short_SSL_TLV_is_rejected(ShapedInput input) =>
        Assert.Equal(ProxyHeaderError.InvalidSslTlv, input.Parse().Error);

    // SSL-01, SSL-02, every sub-TLV type 0x21-0x28 through its accessor; verify is read big-endian.
    [Theory]
    [ShapedVectors(TestVectors.V2SslAllSubTlvs)]
    public void SSL_02_every_sub_TLV_has_an_accessor(ShapedInput input)
    {
        Assert.True(input.Parse().Tlvs.TryGetSsl(out ProxySslTlv ssl));

        Assert.Equal(ProxySslClientFlags.Ssl | ProxySslClientFlags.CertificateSession, ssl.Client);
        Assert.True(ssl.IsClientCertificateVerified);
        Assert.Equal("TLSv1.3", Get(ssl.TryGetVersion(out ReadOnlySpan<byte> v), v));
        Assert.Equal("client.example", Get(ssl.TryGetCommonName(out ReadOnlySpan<byte> cn), cn));
        Assert.Equal("TLS_AES_128_GCM_SHA256", Get(ssl.TryGetCipher(out ReadOnlySpan<byte> cipher), cipher));
        Assert.Equal("RSA-SHA256", Get(ssl.TryGetSignatureAlgorithm(out ReadOnlySpan<byte> sig), sig));
        Assert.Equal("RSA2048", Get(ssl.TryGetKeyAlgorithm(out ReadOnlySpan<byte> key), key));
        Assert.Equal("x25519", Get(ssl.TryGetGroup(out ReadOnlySpan<byte> group), group));
        Assert.Equal("rsa_pss_rsae_sha256", Get(ssl.TryGetSignatureScheme(out ReadOnlySpan<byte> scheme), scheme));
        Assert.True(ssl.TryGetClientCertificate(out ReadOnlySpan<byte> certificate));
        Assert.Equal(Hex.Parse("30 82 00 04 02 01 01 05 00"), certificate.ToArray());
        Assert.Equal(new byte[] { 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28 }, TlvTests.Types(ssl.SubTlvs));
    }

    // SSL-02, SSL-03: verify != 0 means the certificate did not verify, whatever the flags say.
    [Theory]
    [ShapedVectors(TestVectors.V2SslVerifyFailed)]
    public void SSL_03_nonzero_verify_is_not_verified(ShapedInput input)
    {
        Assert.True(input.Parse().Tlvs.TryGetSsl(out ProxySslTlv ssl));

        Assert.Equal(21u, ssl.Verify);
        Assert.Equal(ProxySslClientFlags.Ssl | ProxySslClientFlags.CertificateConnection | ProxySslClientFlags.CertificateSession, ssl.Client);
        Assert.False(ssl.IsClientCertificateVerified);
        Assert.Equal("mallory", Get(ssl.TryGetCommonName(out ReadOnlySpan<byte> cn), cn));
    }

    // SSL-03: verify == 0 alone is not authentication: HAProxy leaves it 0 when no certificate was sent.
    [Theory]
    [InlineData(0x00, 0u, false)]
    [InlineData(0x01, 0u, false)]
    [InlineData(0x03, 0u, true)]
    [InlineData(0x05, 0u, true)]
    [InlineData(0x07, 0u, true)]
    [InlineData(0x07, 1u, false)]
    [InlineData(0x02, 0x80000000u, false)]
    [InlineData(0xF8, 0u, false)]
    public void SSL_03_certificate_is_verified_only_with_a_certificate_flag_and_zero_verify(byte client, uint verify, bool verified)
    {
        byte[] input = TestVectors.V2(0x21, 0x11, TestVectors.InetBlock, TestVectors.Tlv(0x20, TestVectors.SslValue(client, verify)));
        Assert.True(BufferShapes.ParseAllShapes(input, default).Tlvs.TryGetSsl(out ProxySslTlv ssl));

        Assert.Equal(verified, ssl.IsClientCertificateVerified);
        Assert.Equal(verify, ssl.Verify);
        Assert.Equal((ProxySslClientFlags)client, ssl.Client); // SSL-02: undefined bits are preserved
    }

    // SSL-04: with PP2_CLIENT_SSL an SSL_VERSION is expected; every HAProxy capture has one (absence is not
    // rejected: the spec says "expected", not "must").
    [Theory]
    [ShapedVectors(TestVectors.HaproxyTlsNoCertSniTcp4)]
    public void SSL_04_SSL_client_carries_a_version(ShapedInput input)
    {
        Assert.True(input.Parse().Tlvs.TryGetSsl(out ProxySslTlv ssl));

        Assert.Equal(ProxySslClientFlags.Ssl, ssl.Client);
        Assert.Equal("TLSv1.3", Get(ssl.TryGetVersion(out ReadOnlySpan<byte> version), version));
        Assert.False(ssl.TryGetCommonName(out _));
    }

    // SSL-05: sub-TLVs nest one level only: an SSL TLV inside is an opaque sub-TLV, even when its own
    // content would be malformed as a TLV run.
    [Theory]
    [ShapedVectors(TestVectors.V2SslNested)]
    public void SSL_05_nested_SSL_is_opaque(ShapedInput input)
    {
        Assert.True(input.Parse().Tlvs.TryGetSsl(out ProxySslTlv ssl));

        Assert.True(ssl.SubTlvs.TryFind(ProxyTlvType.Ssl, out ReadOnlySpan<byte> inner));
        Assert.Equal(TestVectors.SslValue(0x07, 0, Hex.Parse("21 ff ff")), inner.ToArray());
        Assert.False(ssl.TryGetVersion(out _));
    }

    // SSL-06: sub-TLV lengths must fit inside the SSL value.
    [Theory]
    [ShapedVectors("ssl06-sub-tlv-overrun", "ssl06-sub-tlv-truncated", "ssl06-second-sub-tlv-overrun")]
    public void SSL_06_sub_TLV_overrun_is_rejected(ShapedInput input) =>
        Assert.Equal(ProxyHeaderError.SslSubTlvOverrun, input.Parse().Error);

    // SSL over raw bytes: an SSL TLV shorter than 5 bytes is not returned by TryGetSsl.
    [Fact]
    public void TryGetSsl_ignores_a_short_SSL_TLV_in_raw_bytes()
    {
        ProxyTlvs tlvs = new(Hex.Parse("20 00 04 01 00 00 00"));

        Assert.False(tlvs.TryGetSsl(out ProxySslTlv ssl));
        Assert.Equal(ProxySslClientFlags.None, ssl.Client);
        Assert.Equal(0u, ssl.Verify);
        Assert.True(ssl.SubTlvs.IsEmpty);
        Assert.False(ssl.IsClientCertificateVerified);
    }

    private static string Get(bool found, ReadOnlySpan<byte> value)
    {
        Assert.True(found);
        return Encoding.ASCII.GetString(value);
    }
}
