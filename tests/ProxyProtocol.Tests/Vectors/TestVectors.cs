using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ProxyProtocol.Tests.Infrastructure;

namespace ProxyProtocol.Tests.Vectors;

/// <summary>
/// Every named parser input of the suite: the spec's examples and the golden vectors of the checklist
/// (section 1.12), real captures from HAProxy, nginx and curl, and one malformed input per rule.
/// Tests take them through <see cref="ShapedVectorsAttribute"/>, which runs each one in every buffer shape.
/// </summary>
internal static class TestVectors
{
    // ---- spec examples and golden vectors (checklist 1.12) ------------------------------------
    public const string SpecV1Tcp4WithRequest = "spec-v1-tcp4-with-request";
    public const string SpecV1Tcp4Max = "spec-v1-tcp4-max";
    public const string SpecV1Tcp6Max = "spec-v1-tcp6-max";
    public const string SpecV1UnknownShort = "spec-v1-unknown-short";
    public const string SpecV1UnknownMax = "spec-v1-unknown-max";
    public const string SpecV1MalformedNoAddresses = "spec-v1-malformed-no-addresses";
    public const string GoldenV2Tcp4 = "golden-v2-tcp4";
    public const string GoldenV2Tcp4Crc = "golden-v2-tcp4-crc";
    public const string GoldenV2Local = "golden-v2-local";
    public const string GoldenV2Tcp6 = "golden-v2-tcp6";
    public const string GoldenV2Aws = "golden-v2-aws";
    public const string GoldenV2Azure = "golden-v2-azure";
    public const string LibProxyProtocolVpceLittleEndianCrc = "libproxyprotocol-vpce-le-crc";
    public const string LibProxyProtocolVpceUnverified = "libproxyprotocol-vpce-crc-unverified";

    // ---- captures (Vectors/*.bin) --------------------------------------------------------------
    public const string HaproxyV1Tcp4 = "haproxy-v1-tcp4.bin";
    public const string HaproxyV1Tcp6 = "haproxy-v1-tcp6.bin";
    public const string HaproxyV2Tcp4 = "haproxy-v2-tcp4.bin";
    public const string HaproxyV2Tcp6 = "haproxy-v2-tcp6.bin";
    public const string HaproxyTlsClientCertSniTcp4 = "haproxy-v2-tls-clientcert-sni-tcp4.bin";
    public const string HaproxyTlsClientCertSniTcp6 = "haproxy-v2-tls-clientcert-sni-tcp6.bin";
    public const string HaproxyTlsNoCertSniTcp4 = "haproxy-v2-tls-nocert-sni-tcp4.bin";
    public const string HaproxyTlsClientCertNoSniTcp4 = "haproxy-v2-tls-clientcert-nosni-tcp4.bin";
    public const string HaproxyTls12ClientCertSniTcp4 = "haproxy-v2-tls12-clientcert-sni-tcp4.bin";
    public const string HaproxyCheckV1 = "haproxy-check-send-proxy-v1.bin";
    public const string HaproxyCheckV2Local = "haproxy-check-send-proxy-v2-local.bin";
    public const string HaproxyCheckV2LocalCrcSsl = "haproxy-check-v2-local-crc-ssl.bin";
    public const string NginxV1Tcp4 = "nginx-stream-v1-tcp4.bin";
    public const string NginxV1Tcp6 = "nginx-stream-v1-tcp6.bin";
    public const string CurlV1Tcp4 = "curl-haproxy-protocol-tcp4.bin";
    public const string CurlV1Tcp6 = "curl-haproxy-protocol-tcp6.bin";

    // ---- valid inputs for single rules ---------------------------------------------------------
    public const string V1Zeros = "v1-04-zero-addresses-and-ports";
    public const string V1UppercaseIPv6 = "v1-05-uppercase-hex";
    public const string V1AllZeroIPv6 = "v1-05-unspecified-and-loopback";
    public const string V1FullIPv6WithEmbeddedIPv4 = "v1-05-eight-groups-and-embedded-ipv4";
    public const string V1UnknownLongForm = "v1-10-unknown-long-form";
    public const string V1UnknownArbitraryText = "v1-10-unknown-arbitrary-text";
    public const string V1MappedIPv4InTcp6 = "quirk03a-v4-mapped-in-tcp6";
    public const string V1BareIPv4InTcp6Allowed = "quirk03b-bare-ipv4-in-tcp6-allowed";
    public const string V1LongLineWithSmallMaxHeaderLength = "v1-09-not-limited-by-max-header-length";
    public const string V2Udp4 = "udp02-v2-udp4";
    public const string V2Udp6 = "udp02-v2-udp6";
    public const string V2UnixStream = "v2-04-unix-stream";
    public const string V2UnixDatagramAbstract = "v2-04-unix-dgram-abstract";
    public const string V2UnixUnnamedClient = "v2-06-unix-unnamed-client";
    public const string V2UnixPathOf108Bytes = "v2-06-unix-108-byte-path";
    public const string V2LocalWithInetBlock = "sem02-local-with-inet-block";
    public const string V2LocalWithBlockAndTlvs = "quirk04-local-with-block-and-tlvs";
    public const string V2LocalUnspecWithTlvs = "sem02-local-unspec-with-tlvs";
    public const string V2LocalBlockTooShort = "sem02-local-block-too-short-skipped";
    public const string V2ProxyUnspec = "sem03-proxy-unspec";
    public const string V2ProxyUnspecWithTlv = "sem03-proxy-unspec-with-tlv";
    public const string V2UnknownTlvTypes = "tlv04-unknown-types";
    public const string V2ZeroLengthNoop = "tlv05-zero-length-noop";
    public const string V2DuplicateTlvs = "tlv06-duplicates";
    public const string V2UniqueId128 = "tlv-unique-id-128";
    public const string V2Gcp = "vendor-gcp-psc";
    public const string V2NetworkNamespace = "tlv-netns";
    public const string V2SslAllSubTlvs = "ssl-all-sub-tlvs";
    public const string V2SslNested = "ssl05-nested-ssl-is-opaque";
    public const string V2SslVerifyFailed = "ssl03-certificate-not-verified";
    public const string V2SslMinimal = "ssl01-minimal-five-bytes";
    public const string V2CrcMismatchUnverified = "crc04-mismatch-with-verification-off";
    public const string V2TwoCrcTlvs = "quirk09-two-crc-tlvs-both-verified";
    public const string V2TwoCrcTlvsSecondWrong = "quirk09-two-crc-tlvs-second-wrong";
    public const string V2LocalUnspecOpaque = "quirk04-local-unspec-not-tlvs-is-opaque";
    public const string AwsNlbHealthCheck = "quirk04-aws-nlb-health-check";
    public const string AwsNlbHealthCheckCrcFlipped = "quirk04-aws-nlb-health-check-crc-flipped";
    public const string V2LocalBlockThenCrc = "quirk04-local-inet-block-then-crc";
    public const string Stacked = "quirk07-stacked-headers";

    // The address block of the spec example: 192.168.0.1:56324 -> 192.168.0.11:443 (V2-06).
    private static readonly byte[] s_inetBlock = Hex.Parse("c0a80001 c0a8000b dc04 01bb");

    // 2001:db8::1:52953 -> 2001:db8::2:25.
    private static readonly byte[] s_inet6Block = Hex.Parse(
        "20010db8 00000000 00000000 00000001 20010db8 00000000 00000000 00000002 ced9 0019");

    private static readonly Dictionary<string, TestVector> s_all = Build().ToDictionary(v => v.Name, StringComparer.Ordinal);

    public static IEnumerable<TestVector> All => s_all.Values;

    public static TestVector Get(string name) =>
        s_all.TryGetValue(name, out TestVector? vector) ? vector : throw new ArgumentException($"No test vector named '{name}'.", nameof(name));

    /// <summary>The 12-byte v2 signature (DET-01).</summary>
    public static byte[] Signature => Hex.Parse("0d0a0d0a000d0a515549540a");

    /// <summary>A v2 header: signature, ver_cmd, fam, and len computed from the body.</summary>
    public static byte[] V2(byte versionCommand, byte family, params byte[][] body)
    {
        byte[] content = Hex.Concat(body);
        return V2WithLength(versionCommand, family, content.Length, content);
    }

    /// <summary>A v2 header with an explicit len field, whatever the body.</summary>
    public static byte[] V2WithLength(byte versionCommand, byte family, int length, params byte[][] body) =>
        Hex.Concat(Signature, [versionCommand, family, (byte)(length >> 8), (byte)length], Hex.Concat(body));

    /// <summary>One TLV: type, big-endian length, value.</summary>
    public static byte[] Tlv(byte type, byte[] value) =>
        Hex.Concat([type, (byte)(value.Length >> 8), (byte)value.Length], value);

    public static byte[] Tlv(byte type, string asciiValue) => Tlv(type, Hex.Ascii(asciiValue));

    public static byte[] InetBlock => (byte[])s_inetBlock.Clone();

    public static byte[] Inet6Block => (byte[])s_inet6Block.Clone();

    /// <summary>A Unix address slot: the path, NUL-padded to 108 bytes (V2-06).</summary>
    public static byte[] UnixPath(string path)
    {
        byte[] slot = new byte[108];
        Hex.Ascii(path).CopyTo(slot, 0);
        return slot;
    }

    /// <summary>The SSL TLV's value: client, big-endian verify, then sub-TLVs (SSL-01).</summary>
    public static byte[] SslValue(byte client, uint verify, params byte[][] subTlvs) =>
        Hex.Concat([client, (byte)(verify >> 24), (byte)(verify >> 16), (byte)(verify >> 8), (byte)verify], Hex.Concat(subTlvs));

    /// <summary>Fills in the CRC32C TLV of a finished header with the reference implementation (CRC-02, CRC-03).</summary>
    public static byte[] WithCrc(byte[] header, int crcValueOffset)
    {
        Array.Clear(header, crcValueOffset, 4);
        uint crc = Crc32cReference.Compute(header);
        header[crcValueOffset] = (byte)(crc >> 24);
        header[crcValueOffset + 1] = (byte)(crc >> 16);
        header[crcValueOffset + 2] = (byte)(crc >> 8);
        header[crcValueOffset + 3] = (byte)crc;
        return header;
    }

    /// <summary>Reads a capture copied next to the test assembly.</summary>
    public static byte[] ReadCapture(string fileName) =>
        File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Vectors", fileName));

    private static byte[] V1(string line) => Hex.Ascii(line);

    private static IEnumerable<TestVector> Build()
    {
        ProxyParserOptions v1Only = new() { AllowedVersions = ProxyVersions.V1 };
        ProxyParserOptions v2Only = new() { AllowedVersions = ProxyVersions.V2 };
        ProxyParserOptions noCrc = new() { VerifyCrc32c = false };
        ProxyParserOptions ipv4InTcp6 = new() { AllowIPv4InTcp6 = true };
        byte[] goldenTcp4 = Hex.Parse("0d 0a 0d 0a 00 0d 0a 51 55 49 54 0a 21 11 00 0c c0 a8 00 01 c0 a8 00 0b dc 04 01 bb");
        byte[] goldenTcp4Crc = Hex.Parse("0d 0a 0d 0a 00 0d 0a 51 55 49 54 0a 21 11 00 13 c0 a8 00 01 c0 a8 00 0b dc 04 01 bb 03 00 04 1c 1a e9 c6");

        // ---- spec examples (spec 2.1) and golden vectors (checklist 1.12) --------------------------------
        yield return TestVector.Valid(SpecV1Tcp4WithRequest, V1("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\nGET / HTTP/1.1\r\nHost: 192.168.0.11\r\n\r\n"), 47);
        yield return TestVector.Valid(SpecV1Tcp4Max, V1("PROXY TCP4 255.255.255.255 255.255.255.255 65535 65535\r\n"), 56);
        yield return TestVector.Valid(SpecV1Tcp6Max, V1("PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n"), 104);
        yield return TestVector.Valid(SpecV1UnknownShort, V1("PROXY UNKNOWN\r\n"), 15);
        yield return TestVector.Valid(SpecV1UnknownMax, V1("PROXY UNKNOWN ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n"), 107);
        yield return TestVector.Invalid(SpecV1MalformedNoAddresses, V1("PROXY TCP4 42300 443\r\n"), ProxyHeaderError.InvalidIPv4Address);
        yield return TestVector.Valid(GoldenV2Tcp4, goldenTcp4, 28);
        yield return TestVector.Valid(GoldenV2Tcp4Crc, goldenTcp4Crc, 35);
        yield return TestVector.Valid(GoldenV2Local, Hex.Parse("0d 0a 0d 0a 00 0d 0a 51 55 49 54 0a 20 00 00 00"), 16);
        yield return TestVector.Valid(GoldenV2Tcp6, Hex.Parse(
            "0d 0a 0d 0a 00 0d 0a 51 55 49 54 0a 21 21 00 24 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01" +
            "20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02 ce d9 00 19"), 52);
        yield return TestVector.Valid(GoldenV2Aws, V2(0x21, 0x11, s_inetBlock, Hex.Parse("ea 00 17 01 76 70 63 65 2d"), Hex.Ascii("08d2bf15fac5001c9")));
        yield return TestVector.Valid(GoldenV2Azure, V2(0x21, 0x11, s_inetBlock, Hex.Parse("ee 00 05 01 33 00 00 26")));

        // libproxyprotocol tests/test.c pp2_hdr_vpce: AWS-shaped, but its CRC32C is stored little-endian (CRC-03).
        byte[] vpce = Hex.Parse(
            "0d0a0d0a 000d0a51 5549540a 21110040 c0a80a64 c0a80b5a a55c1f90 030004e5 1886f8ea 00170176" +
            "7063652d 32336438 657a6a6b 33386263 68696c6d 34040010 00000000 00000000 00000000 00000000");
        yield return TestVector.Invalid(LibProxyProtocolVpceLittleEndianCrc, vpce, ProxyHeaderError.Crc32cMismatch);
        yield return TestVector.Valid(LibProxyProtocolVpceUnverified, vpce, 80, noCrc);

        // ---- captures ---------------------------------------------------------------------------------
        yield return TestVector.Valid(HaproxyV1Tcp4, ReadCapture(HaproxyV1Tcp4), 44);
        yield return TestVector.Valid(HaproxyV1Tcp6, ReadCapture(HaproxyV1Tcp6), 32);
        yield return TestVector.Valid(HaproxyV2Tcp4, ReadCapture(HaproxyV2Tcp4), 28);
        yield return TestVector.Valid(HaproxyV2Tcp6, ReadCapture(HaproxyV2Tcp6), 52);
        yield return TestVector.Valid(HaproxyTlsClientCertSniTcp4, ReadCapture(HaproxyTlsClientCertSniTcp4), 183);
        yield return TestVector.Valid(HaproxyTlsClientCertSniTcp6, ReadCapture(HaproxyTlsClientCertSniTcp6), 255);
        yield return TestVector.Valid(HaproxyTlsNoCertSniTcp4, ReadCapture(HaproxyTlsNoCertSniTcp4), 166);
        yield return TestVector.Valid(HaproxyTlsClientCertNoSniTcp4, ReadCapture(HaproxyTlsClientCertNoSniTcp4), 171);
        yield return TestVector.Valid(HaproxyTls12ClientCertSniTcp4, ReadCapture(HaproxyTls12ClientCertSniTcp4), 190);
        yield return TestVector.Valid(HaproxyCheckV1, ReadCapture(HaproxyCheckV1), 44);
        yield return TestVector.Valid(HaproxyCheckV2Local, ReadCapture(HaproxyCheckV2Local), 16);
        yield return TestVector.Valid(HaproxyCheckV2LocalCrcSsl, ReadCapture(HaproxyCheckV2LocalCrcSsl), 31);
        yield return TestVector.Valid(NginxV1Tcp4, ReadCapture(NginxV1Tcp4), 44);
        yield return TestVector.Valid(NginxV1Tcp6, ReadCapture(NginxV1Tcp6), 32);
        yield return TestVector.Valid(CurlV1Tcp4, ReadCapture(CurlV1Tcp4), 44);
        yield return TestVector.Valid(CurlV1Tcp6, ReadCapture(CurlV1Tcp6), 32);

        // ---- detection (DET) ------------------------------------------------------------------------------
        yield return TestVector.Invalid("det03-http-request", V1("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n"), ProxyHeaderError.InvalidSignature);
        yield return TestVector.Invalid("det03-tls-client-hello", Hex.Parse("16 03 01 02 00 01 00 01 fc 03 03"), ProxyHeaderError.InvalidSignature);
        yield return TestVector.Invalid("det03-ssh-banner", V1("SSH-2.0-OpenSSH_9.6\r\n"), ProxyHeaderError.InvalidSignature);
        yield return TestVector.Invalid("det02-lowercase-proxy", V1("proxy TCP4 1.2.3.4 5.6.7.8 1 2\r\n"), ProxyHeaderError.InvalidSignature);
        yield return TestVector.Invalid("v1-01-no-space-after-proxy", V1("PROXYTCP4 1.2.3.4 5.6.7.8 1 2\r\n"), ProxyHeaderError.InvalidSignature);
        yield return TestVector.Invalid("v1-01-tab-after-proxy", V1("PROXY\tTCP4 1.2.3.4 5.6.7.8 1 2\r\n"), ProxyHeaderError.InvalidSignature);
        yield return TestVector.Invalid("det01-signature-last-byte", V2WithLength(0x21, 0x11, 12, s_inetBlock).Select((b, i) => i == 11 ? (byte)0x0B : b).ToArray(), ProxyHeaderError.InvalidSignature);
        yield return TestVector.Invalid("det01-signature-nul-replaced", V2WithLength(0x21, 0x11, 12, s_inetBlock).Select((b, i) => i == 4 ? (byte)0x20 : b).ToArray(), ProxyHeaderError.InvalidSignature);
        yield return TestVector.Invalid("det01-cr-then-garbage", Hex.Parse("0d 0d 0a"), ProxyHeaderError.InvalidSignature);
        yield return TestVector.Invalid("det05-v1-not-allowed", V1("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n"), ProxyHeaderError.VersionNotAllowed, v2Only);
        yield return TestVector.Invalid("det05-v2-not-allowed", V2(0x21, 0x11, s_inetBlock), ProxyHeaderError.VersionNotAllowed, v1Only);

        // ---- v1 grammar (V1) ------------------------------------------------------------------------------
        yield return TestVector.Valid(V1Zeros, V1("PROXY TCP4 0.0.0.0 255.255.255.255 0 65535\r\n"), 44);
        yield return TestVector.Valid(V1UppercaseIPv6, V1("PROXY TCP6 2001:DB8::A 2001:db8:0:0:0:0:0:b 1 2\r\n"), 49);
        yield return TestVector.Valid(V1AllZeroIPv6, V1("PROXY TCP6 :: ::1 0 1\r\n"), 23);
        yield return TestVector.Valid(V1FullIPv6WithEmbeddedIPv4, V1("PROXY TCP6 1:2:3:4:5:6:7:8 1:2:3:4:5:6:1.2.3.4 80 443\r\n"), 55);
        yield return TestVector.Valid(V1UnknownLongForm, V1("PROXY UNKNOWN 192.0.2.1 198.51.100.2 1 2\r\n"), 42);
        yield return TestVector.Valid(V1UnknownArbitraryText, Hex.Concat(V1("PROXY UNKNOWN  x\t"), [0x00, 0x7F, 0xFF], V1(" :: TCP4\r\n")), 30);
        yield return TestVector.Valid(V1MappedIPv4InTcp6, V1("PROXY TCP6 ::ffff:192.0.2.1 2001:db8::1 1 2\r\n"), 45);
        yield return TestVector.Valid(V1BareIPv4InTcp6Allowed, V1("PROXY TCP6 192.0.2.1 2001:db8::1 1 2\r\n"), 38, ipv4InTcp6);
        yield return TestVector.Valid(V1LongLineWithSmallMaxHeaderLength, V1("PROXY TCP4 255.255.255.255 255.255.255.255 65535 65535\r\n"), 56, new ProxyParserOptions { MaxHeaderLength = 16 });

        yield return TestVector.Invalid("v1-02-tcp5", V1("PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n"), ProxyHeaderError.InvalidProtocol);
        yield return TestVector.Invalid("v1-02-lowercase-tcp4", V1("PROXY tcp4 1.2.3.4 5.6.7.8 1 2\r\n"), ProxyHeaderError.InvalidProtocol);
        yield return TestVector.Invalid("v1-02-tcp44", V1("PROXY TCP44 1.2.3.4 5.6.7.8 1 2\r\n"), ProxyHeaderError.InvalidProtocol);
        yield return TestVector.Invalid("v1-02-lowercase-unknown", V1("PROXY unknown\r\n"), ProxyHeaderError.InvalidProtocol);
        yield return TestVector.Invalid("v1-02-empty-protocol", V1("PROXY \r\n"), ProxyHeaderError.InvalidProtocol);
        yield return TestVector.Invalid("v1-10-unknown-suffix", V1("PROXY UNKNOWNX\r\n"), ProxyHeaderError.InvalidProtocol);
        yield return TestVector.Invalid("udp02-v1-udp4", V1("PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n"), ProxyHeaderError.InvalidProtocol);
        yield return TestVector.Invalid("v1-03-leading-space", V1("PROXY  TCP4 1.2.3.4 5.6.7.8 1 2\r\n"), ProxyHeaderError.InvalidProtocol);
        yield return TestVector.Invalid("v1-03-tab-after-protocol", V1("PROXY TCP4\t1.2.3.4 5.6.7.8 1 2\r\n"), ProxyHeaderError.InvalidProtocol);
        yield return TestVector.Invalid("v1-03-double-space", V1("PROXY TCP4 1.2.3.4  5.6.7.8 1 2\r\n"), ProxyHeaderError.InvalidFieldSeparator);
        yield return TestVector.Invalid("v1-03-trailing-space", V1("PROXY TCP4 1.2.3.4 5.6.7.8 1 2 \r\n"), ProxyHeaderError.InvalidFieldSeparator);
        yield return TestVector.Invalid("v1-03-missing-port", V1("PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n"), ProxyHeaderError.InvalidFieldSeparator);
        yield return TestVector.Invalid("v1-03-extra-field", V1("PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n"), ProxyHeaderError.InvalidFieldSeparator);
        yield return TestVector.Invalid("v1-03-protocol-only", V1("PROXY TCP4\r\n"), ProxyHeaderError.InvalidFieldSeparator);
        yield return TestVector.Invalid("v1-03-tab-between-fields", V1("PROXY TCP4 1.2.3.4\t5.6.7.8 1 2\r\n"), ProxyHeaderError.InvalidIPv4Address);
        yield return TestVector.Invalid("v1-04-leading-zero", V1("PROXY TCP4 01.2.3.4 5.6.7.8 1 2\r\n"), ProxyHeaderError.InvalidIPv4Address);
        yield return TestVector.Invalid("v1-04-double-zero", V1("PROXY TCP4 1.2.3.4 5.6.7.00 1 2\r\n"), ProxyHeaderError.InvalidIPv4Address);
        yield return TestVector.Invalid("v1-04-octet-256", V1("PROXY TCP4 1.2.3.256 5.6.7.8 1 2\r\n"), ProxyHeaderError.InvalidIPv4Address);
        yield return TestVector.Invalid("v1-04-three-parts", V1("PROXY TCP4 1.2.3 5.6.7.8 1 2\r\n"), ProxyHeaderError.InvalidIPv4Address);
        yield return TestVector.Invalid("v1-04-five-parts", V1("PROXY TCP4 1.2.3.4.5 5.6.7.8 1 2\r\n"), ProxyHeaderError.InvalidIPv4Address);
        yield return TestVector.Invalid("v1-04-empty-part", V1("PROXY TCP4 1..3.4 5.6.7.8 1 2\r\n"), ProxyHeaderError.InvalidIPv4Address);
        yield return TestVector.Invalid("v1-04-trailing-dot", V1("PROXY TCP4 1.2.3.4. 5.6.7.8 1 2\r\n"), ProxyHeaderError.InvalidIPv4Address);
        yield return TestVector.Invalid("quirk08-bare-integer", V1("PROXY TCP4 16909060 5.6.7.8 1 2\r\n"), ProxyHeaderError.InvalidIPv4Address);
        yield return TestVector.Invalid("quirk08-hex-octet", V1("PROXY TCP4 0x7f.0.0.1 5.6.7.8 1 2\r\n"), ProxyHeaderError.InvalidIPv4Address);
        yield return TestVector.Invalid("quirk08-sign", V1("PROXY TCP4 +1.2.3.4 5.6.7.8 1 2\r\n"), ProxyHeaderError.InvalidIPv4Address);
        yield return TestVector.Invalid("v1-05-zone-id", V1("PROXY TCP6 fe80::1%eth0 ::1 1 2\r\n"), ProxyHeaderError.InvalidIPv6Address);
        yield return TestVector.Invalid("v1-05-brackets", V1("PROXY TCP6 [::1] ::1 1 2\r\n"), ProxyHeaderError.InvalidIPv6Address);
        yield return TestVector.Invalid("v1-05-two-double-colons", V1("PROXY TCP6 1::2::3 ::1 1 2\r\n"), ProxyHeaderError.InvalidIPv6Address);
        yield return TestVector.Invalid("v1-05-triple-colon", V1("PROXY TCP6 :::1 ::1 1 2\r\n"), ProxyHeaderError.InvalidIPv6Address);
        yield return TestVector.Invalid("v1-05-nine-groups", V1("PROXY TCP6 1:2:3:4:5:6:7:8:9 ::1 1 2\r\n"), ProxyHeaderError.InvalidIPv6Address);
        yield return TestVector.Invalid("v1-05-seven-groups", V1("PROXY TCP6 1:2:3:4:5:6:7 ::1 1 2\r\n"), ProxyHeaderError.InvalidIPv6Address);
        yield return TestVector.Invalid("v1-05-double-colon-with-eight-groups", V1("PROXY TCP6 1:2:3:4::5:6:7:8 ::1 1 2\r\n"), ProxyHeaderError.InvalidIPv6Address);
        yield return TestVector.Invalid("v1-05-five-digit-group", V1("PROXY TCP6 12345::1 ::1 1 2\r\n"), ProxyHeaderError.InvalidIPv6Address);
        yield return TestVector.Invalid("v1-05-trailing-colon", V1("PROXY TCP6 1:2:3:4:5:6:7: ::1 1 2\r\n"), ProxyHeaderError.InvalidIPv6Address);
        yield return TestVector.Invalid("v1-05-leading-colon", V1("PROXY TCP6 :1:2:3:4:5:6:7 ::1 1 2\r\n"), ProxyHeaderError.InvalidIPv6Address);
        yield return TestVector.Invalid("v1-05-non-hex", V1("PROXY TCP6 2001:db8::g ::1 1 2\r\n"), ProxyHeaderError.InvalidIPv6Address);
        yield return TestVector.Invalid("v1-05-embedded-ipv4-leading-zero", V1("PROXY TCP6 ::ffff:1.2.3.04 ::1 1 2\r\n"), ProxyHeaderError.InvalidIPv6Address);
        yield return TestVector.Invalid("v1-05-embedded-ipv4-not-last", V1("PROXY TCP6 ::1.2.3.4:1 ::1 1 2\r\n"), ProxyHeaderError.InvalidIPv6Address);
        yield return TestVector.Invalid("v1-05-embedded-ipv4-too-many-groups", V1("PROXY TCP6 1:2:3:4:5:6:7:1.2.3.4 ::1 1 2\r\n"), ProxyHeaderError.InvalidIPv6Address);
        yield return TestVector.Invalid("quirk03b-invalid-ipv4-in-tcp6-allowed", V1("PROXY TCP6 01.2.3.4 ::1 1 2\r\n"), ProxyHeaderError.InvalidIPv6Address, ipv4InTcp6);
        yield return TestVector.Invalid("v1-06-ipv6-in-tcp4", V1("PROXY TCP4 1.2.3.4 ::1 1 2\r\n"), ProxyHeaderError.AddressFamilyMismatch);
        yield return TestVector.Invalid("quirk03b-bare-ipv4-in-tcp6", V1("PROXY TCP6 192.0.2.1 2001:db8::1 1 2\r\n"), ProxyHeaderError.AddressFamilyMismatch);
        yield return TestVector.Invalid("v1-07-leading-zero", V1("PROXY TCP4 1.2.3.4 5.6.7.8 080 2\r\n"), ProxyHeaderError.InvalidPort);
        yield return TestVector.Invalid("v1-07-65536", V1("PROXY TCP4 1.2.3.4 5.6.7.8 1 65536\r\n"), ProxyHeaderError.InvalidPort);
        yield return TestVector.Invalid("v1-07-six-digits", V1("PROXY TCP4 1.2.3.4 5.6.7.8 1 100000\r\n"), ProxyHeaderError.InvalidPort);
        yield return TestVector.Invalid("v1-07-plus-sign", V1("PROXY TCP4 1.2.3.4 5.6.7.8 +1 2\r\n"), ProxyHeaderError.InvalidPort);
        yield return TestVector.Invalid("v1-07-minus-sign", V1("PROXY TCP4 1.2.3.4 5.6.7.8 -1 2\r\n"), ProxyHeaderError.InvalidPort);
        yield return TestVector.Invalid("v1-07-hex", V1("PROXY TCP4 1.2.3.4 5.6.7.8 0x50 2\r\n"), ProxyHeaderError.InvalidPort);
        yield return TestVector.Invalid("v1-08-lf-only", V1("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n"), ProxyHeaderError.InvalidLineEnding);
        yield return TestVector.Invalid("v1-08-cr-then-other", V1("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\rX"), ProxyHeaderError.InvalidLineEnding);
        yield return TestVector.Invalid("v1-08-cr-inside-line", V1("PROXY TCP4\r 1.2.3.4 5.6.7.8 1 2\r\n"), ProxyHeaderError.InvalidLineEnding);
        yield return TestVector.Invalid("v1-08-lf-cr", V1("PROXY UNKNOWN\n\r"), ProxyHeaderError.InvalidLineEnding);
        yield return TestVector.Invalid("v1-09-no-crlf-in-107-bytes", V1("PROXY UNKNOWN " + new string('a', 93)), ProxyHeaderError.LineTooLong);
        yield return TestVector.Invalid("v1-09-crlf-at-108", V1("PROXY UNKNOWN " + new string('a', 92) + "\r\n"), ProxyHeaderError.LineTooLong);

        // The reason is the first defect in byte order, so a cut-off input gets the same one (V1-12).
        yield return TestVector.Invalid("v1-03-extra-field-before-bad-line-ending", V1("PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\rX"), ProxyHeaderError.InvalidFieldSeparator);
        yield return TestVector.Invalid("v1-02-bad-protocol-in-overlong-line", V1("PROXY TCP5 " + new string('a', 100)), ProxyHeaderError.InvalidProtocol);
        yield return TestVector.Invalid("v1-07-bad-port-before-extra-field", V1("PROXY TCP4 1.2.3.4 5.6.7.8 80 08 9\r\n"), ProxyHeaderError.InvalidPort);
        yield return TestVector.Invalid("v1-05-bad-address-before-missing-fields", V1("PROXY TCP6 zz\r\n"), ProxyHeaderError.InvalidIPv6Address);
        yield return TestVector.Invalid("v1-04-bad-character-before-colon", V1("PROXY TCP4 1.2+3:4 5.6.7.8 1 2\r\n"), ProxyHeaderError.InvalidIPv4Address);
        yield return TestVector.Invalid("v1-04-non-ipv6-character-after-colon", V1("PROXY TCP4 1:x 5.6.7.8 1 2\r\n"), ProxyHeaderError.InvalidIPv4Address);
        yield return TestVector.Invalid("v1-06-hex-letter-in-tcp4", V1("PROXY TCP4 fe80::1 5.6.7.8 1 2\r\n"), ProxyHeaderError.AddressFamilyMismatch);

        // ---- v2 fixed header (V2) -------------------------------------------------------------------------
        yield return TestVector.Invalid("v2-01-version-1", V2(0x11, 0x11, s_inetBlock), ProxyHeaderError.UnsupportedVersion);
        yield return TestVector.Invalid("v2-01-version-3", V2(0x31, 0x11, s_inetBlock), ProxyHeaderError.UnsupportedVersion);
        yield return TestVector.Invalid("v2-01-version-0", V2(0x01, 0x11, s_inetBlock), ProxyHeaderError.UnsupportedVersion);
        yield return TestVector.Invalid("v2-02-command-2", V2(0x22, 0x11, s_inetBlock), ProxyHeaderError.InvalidCommand);
        yield return TestVector.Invalid("v2-02-command-f", V2(0x2F, 0x11, s_inetBlock), ProxyHeaderError.InvalidCommand);
        yield return TestVector.Invalid("v2-03-family-4", V2(0x21, 0x41, s_inetBlock), ProxyHeaderError.InvalidAddressFamily);
        yield return TestVector.Invalid("v2-03-family-f", V2(0x21, 0xF1, s_inetBlock), ProxyHeaderError.InvalidAddressFamily);
        yield return TestVector.Invalid("v2-03-transport-3", V2(0x21, 0x13, s_inetBlock), ProxyHeaderError.InvalidTransport);
        yield return TestVector.Invalid("v2-03-transport-f", V2(0x21, 0x1F, s_inetBlock), ProxyHeaderError.InvalidTransport);
        yield return TestVector.Invalid("v2-04-unspec-family-stream", V2(0x21, 0x01), ProxyHeaderError.InvalidFamilyTransportCombination);
        yield return TestVector.Invalid("v2-04-inet-unspec-transport", V2(0x21, 0x10, s_inetBlock), ProxyHeaderError.InvalidFamilyTransportCombination);
        yield return TestVector.Invalid("v2-04-unix-unspec-transport-local", V2(0x20, 0x30), ProxyHeaderError.InvalidFamilyTransportCombination);
        yield return TestVector.Invalid("v2-07-inet-len-11", V2(0x21, 0x11, s_inetBlock.AsSpan(0, 11).ToArray()), ProxyHeaderError.LengthTooShortForFamily);
        yield return TestVector.Invalid("v2-07-inet6-len-35", V2(0x21, 0x21, s_inet6Block.AsSpan(0, 35).ToArray()), ProxyHeaderError.LengthTooShortForFamily);
        yield return TestVector.Invalid("v2-07-unix-len-215", V2(0x21, 0x31, new byte[215]), ProxyHeaderError.LengthTooShortForFamily);
        yield return TestVector.Invalid("v2-07-udp4-len-0", V2(0x21, 0x12), ProxyHeaderError.LengthTooShortForFamily);
        yield return TestVector.Invalid("v2-05-length-above-default-maximum", V2WithLength(0x21, 0x11, 4081), ProxyHeaderError.HeaderTooLong);
        yield return TestVector.Invalid("v2-05-length-above-configured-maximum", goldenTcp4Crc, ProxyHeaderError.HeaderTooLong, new ProxyParserOptions { MaxHeaderLength = 34 });

        // ---- TLV framing (TLV) ----------------------------------------------------------------------------
        yield return TestVector.Invalid("tlv01-two-bytes-left", V2(0x21, 0x11, s_inetBlock, Hex.Parse("01 00")), ProxyHeaderError.TlvTruncated);
        yield return TestVector.Invalid("tlv01-one-byte-after-tlv", V2(0x21, 0x11, s_inetBlock, Tlv(0x01, "h2"), [0x04]), ProxyHeaderError.TlvTruncated);
        yield return TestVector.Invalid("tlv02-value-past-end", V2WithLength(0x21, 0x11, 12 + 5, s_inetBlock, Hex.Parse("01 00 05 68 32")), ProxyHeaderError.TlvOverrun);
        yield return TestVector.Invalid("tlv02-max-length-value", V2(0x21, 0x11, s_inetBlock, Hex.Parse("04 00 00 02 ff ff 00")), ProxyHeaderError.TlvOverrun);
        yield return TestVector.Invalid("tlv02-proxy-unspec-overrun", V2(0x21, 0x00, Hex.Parse("04 00 08 00 00")), ProxyHeaderError.TlvOverrun);
        yield return TestVector.Invalid("unique-id-129", V2(0x21, 0x11, s_inetBlock, Tlv(0x05, new byte[129])), ProxyHeaderError.UniqueIdTooLong);

        // ---- CRC32C (CRC) ---------------------------------------------------------------------------------
        yield return TestVector.Invalid("crc04-mismatch", goldenTcp4Crc.Select((b, i) => i == 34 ? (byte)0xC7 : b).ToArray(), ProxyHeaderError.Crc32cMismatch);
        yield return TestVector.Valid(V2CrcMismatchUnverified, goldenTcp4Crc.Select((b, i) => i == 34 ? (byte)0xC7 : b).ToArray(), 35, noCrc);
        yield return TestVector.Invalid("crc04-address-changed", goldenTcp4Crc.Select((b, i) => i == 19 ? (byte)0x02 : b).ToArray(), ProxyHeaderError.Crc32cMismatch);
        yield return TestVector.Invalid("crc05-length-3", V2(0x21, 0x11, s_inetBlock, Hex.Parse("03 00 03 00 00 00")), ProxyHeaderError.InvalidCrc32cLength);
        yield return TestVector.Invalid("crc05-length-5", V2(0x21, 0x11, s_inetBlock, Hex.Parse("03 00 05 00 00 00 00 00")), ProxyHeaderError.InvalidCrc32cLength);
        yield return TestVector.Invalid("crc05-length-0-unverified", V2(0x21, 0x11, s_inetBlock, Hex.Parse("03 00 00")), ProxyHeaderError.InvalidCrc32cLength, noCrc);

        // QUIRK-09: each CRC32C TLV holds the CRC of the header with only its own value zeroed. Both values below
        // depend on each other; they were solved offline (a 32x32 linear system over GF(2), a plain bitwise
        // CRC-32C), not with this library. The second vector has a right first CRC over a wrong second one.
        yield return TestVector.Valid(V2TwoCrcTlvs, Hex.Parse("0d0a0d0a000d0a515549540a2111001a c0a80001c0a8000bdc0401bb 030004 09883e9a 030004 88772c4b"));
        byte[] twoCrcs = V2(0x21, 0x11, s_inetBlock, Hex.Parse("03 00 04 00 00 00 00"), Hex.Parse("03 00 04 de ad be ef"));
        yield return TestVector.Invalid(V2TwoCrcTlvsSecondWrong, WithCrc(twoCrcs, 16 + 12 + 3), ProxyHeaderError.Crc32cMismatch);
        yield return TestVector.Invalid("quirk09-two-crc-tlvs-first-wrong", Hex.Parse("0d0a0d0a000d0a515549540a2111001a c0a80001c0a8000bdc0401bb 030004 09883e9b 030004 88772c4b"), ProxyHeaderError.Crc32cMismatch);

        // QUIRK-04: an AWS NLB health check (kubernetes/kubernetes#57250): LOCAL, fam 0x11, len 84, its TLVs at
        // offset 16 where the addresses would be: CRC32C 0xbce5951f (valid), NOOP of 74 zero bytes. Read from 16,
        // so the CRC is found and verified: the same bytes with one CRC bit flipped are rejected.
        byte[] nlb = Hex.Parse("0d0a0d0a000d0a515549540a20110054 030004bce5951f 04004a" + new string('0', 2 * 74));
        yield return TestVector.Valid(AwsNlbHealthCheck, nlb);
        yield return TestVector.Invalid(AwsNlbHealthCheckCrcFlipped, nlb.Select((b, i) => i == 22 ? (byte)(b ^ 0x01) : b).ToArray(), ProxyHeaderError.Crc32cMismatch);
        yield return TestVector.Valid("quirk04-aws-nlb-health-check-crc-flipped-unverified", nlb.Select((b, i) => i == 22 ? (byte)(b ^ 0x01) : b).ToArray(), nlb.Length, noCrc);

        // QUIRK-04: LOCAL with real addresses and a CRC32C after them (the address bytes do not frame as TLVs):
        // the fallback reading, and its CRC is verified too.
        byte[] localCrc = WithCrc(V2(0x20, 0x11, Hex.Parse("0a000001 0a000002 1234 0050"), Hex.Parse("03 00 04 00 00 00 00")), 31);
        yield return TestVector.Valid(V2LocalBlockThenCrc, localCrc);
        yield return TestVector.Invalid("quirk04-local-inet-block-then-wrong-crc", localCrc.Select((b, i) => i == 34 ? (byte)(b ^ 0x80) : b).ToArray(), ProxyHeaderError.Crc32cMismatch);

        // ---- SSL TLV (SSL) --------------------------------------------------------------------------------
        yield return TestVector.Invalid("ssl01-value-4-bytes", V2(0x21, 0x11, s_inetBlock, Tlv(0x20, Hex.Parse("01 00 00 00"))), ProxyHeaderError.InvalidSslTlv);
        yield return TestVector.Invalid("ssl01-value-empty", V2(0x21, 0x11, s_inetBlock, Tlv(0x20, [])), ProxyHeaderError.InvalidSslTlv);
        yield return TestVector.Invalid("ssl06-sub-tlv-overrun", V2(0x21, 0x11, s_inetBlock, Tlv(0x20, SslValue(0x07, 0, Hex.Parse("21 00 09"), Hex.Ascii("TLSv1.3")))), ProxyHeaderError.SslSubTlvOverrun);
        yield return TestVector.Invalid("ssl06-sub-tlv-truncated", V2(0x21, 0x11, s_inetBlock, Tlv(0x20, SslValue(0x01, 0, Hex.Parse("21 00")))), ProxyHeaderError.SslSubTlvOverrun);
        yield return TestVector.Invalid("ssl06-second-sub-tlv-overrun", V2(0x21, 0x11, s_inetBlock, Tlv(0x20, SslValue(0x01, 0, Tlv(0x21, "TLSv1.3"), Hex.Parse("23 ff ff")))), ProxyHeaderError.SslSubTlvOverrun);
        yield return TestVector.Invalid("ssl06-overrun-before-truncated-tlv", V2(0x21, 0x11, s_inetBlock, Tlv(0x20, SslValue(0x01, 0, Hex.Parse("21 00 09"), Hex.Ascii("TLS"))), [0x04]), ProxyHeaderError.SslSubTlvOverrun);
        yield return TestVector.Valid(V2SslMinimal, V2(0x21, 0x11, s_inetBlock, Tlv(0x20, SslValue(0x00, 0))));
        yield return TestVector.Valid(V2SslVerifyFailed, V2(0x21, 0x11, s_inetBlock, Tlv(0x20, SslValue(0x07, 21, Tlv(0x21, "TLSv1.3"), Tlv(0x22, "mallory")))));
        yield return TestVector.Valid(V2SslNested, V2(0x21, 0x11, s_inetBlock, Tlv(0x20, SslValue(0x01, 0, Tlv(0x20, SslValue(0x07, 0, Hex.Parse("21 ff ff")))))));
        yield return TestVector.Valid(V2SslAllSubTlvs, V2(0x21, 0x11, s_inetBlock, Tlv(0x20, SslValue(
            0x05, 0,
            Tlv(0x21, "TLSv1.3"),
            Tlv(0x22, "client.example"),
            Tlv(0x23, "TLS_AES_128_GCM_SHA256"),
            Tlv(0x24, "RSA-SHA256"),
            Tlv(0x25, "RSA2048"),
            Tlv(0x26, "x25519"),
            Tlv(0x27, "rsa_pss_rsae_sha256"),
            Tlv(0x28, Hex.Parse("30 82 00 04 02 01 01 05 00"))))));

        // ---- command/family semantics (SEM, QUIRK-04, UDP) --------------------------------------------------
        yield return TestVector.Valid(V2Udp4, V2(0x21, 0x12, s_inetBlock));
        yield return TestVector.Valid(V2Udp6, V2(0x21, 0x22, s_inet6Block));
        yield return TestVector.Valid(V2UnixStream, V2(0x21, 0x31, UnixPath("/run/client.sock"), UnixPath("/run/haproxy/backend.sock")));
        yield return TestVector.Valid(V2UnixDatagramAbstract, V2(0x21, 0x32, UnixPath("\0client"), UnixPath("/run/syslog.sock")));
        yield return TestVector.Valid(V2UnixUnnamedClient, V2(0x21, 0x31, new byte[108], UnixPath("/run/haproxy.sock")));
        yield return TestVector.Valid(V2UnixPathOf108Bytes, V2(0x21, 0x31, UnixPath("/" + new string('s', 107)), UnixPath("/" + new string('d', 107))));
        yield return TestVector.Valid(V2LocalWithInetBlock, V2(0x20, 0x11, Hex.Parse("0a000001 0a000002 1234 0050")));
        yield return TestVector.Valid(V2LocalWithBlockAndTlvs, V2(0x20, 0x11, Hex.Parse("0a000001 0a000002 1234 0050"), Tlv(0x01, "h2"), Tlv(0x04, new byte[3])));
        yield return TestVector.Valid(V2LocalUnspecWithTlvs, V2(0x20, 0x00, Tlv(0x04, new byte[4]), Tlv(0x02, "health")));
        yield return TestVector.Valid(V2LocalBlockTooShort, V2(0x20, 0x21, s_inetBlock));
        yield return TestVector.Valid(V2LocalUnspecOpaque, V2(0x20, 0x00, Hex.Parse("04 00 08 00 00")));
        yield return TestVector.Valid(V2ProxyUnspec, V2(0x21, 0x00));
        yield return TestVector.Valid(V2ProxyUnspecWithTlv, V2(0x21, 0x00, Tlv(0x01, "h2")));

        // ---- TLVs (TLV, registered types, vendors) --------------------------------------------------------
        yield return TestVector.Valid(V2UnknownTlvTypes, V2(0x21, 0x11, s_inetBlock, Tlv(0xF0, [0xAA]), Tlv(0xFF, []), Tlv(0x00, [0xBB, 0xCC]), Tlv(0xE1, [0x01]), Tlv(0x26, "top-level 0x26")));
        yield return TestVector.Valid(V2ZeroLengthNoop, V2(0x21, 0x11, s_inetBlock, Tlv(0x04, [])));
        yield return TestVector.Valid(V2DuplicateTlvs, V2(0x21, 0x11, s_inetBlock, Tlv(0x01, "h2"), Tlv(0x01, "http/1.1")));
        yield return TestVector.Valid(V2UniqueId128, V2(0x21, 0x11, s_inetBlock, Tlv(0x05, Enumerable.Range(0, 128).Select(i => (byte)i).ToArray())));
        yield return TestVector.Valid(V2Gcp, V2(0x21, 0x11, s_inetBlock, Tlv(0xE0, Hex.Parse("01 02 03 04 05 06 07 08"))));
        yield return TestVector.Valid(V2NetworkNamespace, V2(0x21, 0x11, s_inetBlock, Tlv(0x30, "blue")));

        // ---- stacked headers (QUIRK-07) ---------------------------------------------------------------------
        yield return TestVector.Valid(Stacked, Hex.Concat(goldenTcp4, V1("PROXY TCP4 10.0.0.1 10.0.0.2 1000 2000\r\n")), 28);
    }
}
