using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using ProxyProtocol.Tests.Infrastructure;
using ProxyProtocol.Tests.Vectors;

namespace ProxyProtocol.Tests.Parser;

/// <summary>TLV framing (checklist 1.5, TLV), the registered types (1.6) and the vendor TLVs.</summary>
public class TlvTests
{
    // TLV-01: fewer than 3 bytes left inside len for a TLV header is invalid.
    [Theory]
    [ShapedVectors("tlv01-two-bytes-left", "tlv01-one-byte-after-tlv")]
    public void TLV_01_truncated_TLV_header_is_rejected(ShapedInput input) =>
        Assert.Equal(ProxyHeaderError.TlvTruncated, input.Parse().Error);

    // TLV-02: a value that runs past 16 + len is invalid, decided as soon as its TLV header is in.
    [Theory]
    [ShapedVectors("tlv02-value-past-end", "tlv02-max-length-value", "tlv02-proxy-unspec-overrun")]
    public void TLV_02_value_past_the_end_is_rejected(ShapedInput input)
    {
        Assert.Equal(ProxyHeaderError.TlvOverrun, input.Parse().Error);
        int lastTlvHeaderEnd = input.Vector.Name == "tlv02-max-length-value" ? 16 + 12 + 3 + 3 : input.Vector.Name == "tlv02-proxy-unspec-overrun" ? 16 + 3 : 16 + 12 + 3;
        Assert.Equal(lastTlvHeaderEnd, ErrorDetection.FirstInvalidPrefixLength(input.Vector.Bytes, default));
    }

    // TLV-03: TLVs end exactly at 16 + len: the enumeration covers the region without a malformed tail.
    [Theory]
    [ShapedVectors(TestVectors.HaproxyTlsClientCertSniTcp4, TestVectors.V2UnknownTlvTypes)]
    public void TLV_03_TLVs_end_exactly_at_the_header_end(ShapedInput input)
    {
        ParseOutcome outcome = input.Parse();
        int covered = 0;
        ProxyTlvs.Enumerator enumerator = outcome.Tlvs.GetEnumerator();
        while (enumerator.MoveNext())
        {
            covered += 3 + enumerator.Current.Value.Length;
        }

        Assert.False(enumerator.IsMalformed);
        Assert.Equal(outcome.Header.TlvLength, covered);
        Assert.Equal(outcome.Header.Length, outcome.Header.TlvOffset + covered);
    }

    // TLV-04: unknown, experimental, future and custom types are carried and skipped, never fatal.
    [Theory]
    [ShapedVectors(TestVectors.V2UnknownTlvTypes)]
    public void TLV_04_unknown_types_are_skipped(ShapedInput input)
    {
        ParseOutcome outcome = input.Parse();

        Assert.Equal([(byte)0xF0, 0xFF, 0x00, 0xE1, 0x26], Types(outcome.Tlvs));
        Assert.True(outcome.Tlvs.TryFind((ProxyTlvType)0xF0, out ReadOnlySpan<byte> experimental));
        Assert.Equal([0xAA], experimental.ToArray());
        Assert.True(outcome.Tlvs.TryFind((ProxyTlvType)0xFF, out ReadOnlySpan<byte> empty));
        Assert.True(empty.IsEmpty);
        Assert.False(outcome.Tlvs.TryGetAlpn(out _));
        Assert.False(outcome.Tlvs.TryGetSsl(out _));
    }

    // TLV-05: a zero-length value is legal; NOOP of length 0 is the 3-byte minimum TLV.
    [Theory]
    [ShapedVectors(TestVectors.V2ZeroLengthNoop)]
    public void TLV_05_zero_length_value_is_legal(ShapedInput input)
    {
        ParseOutcome outcome = input.Parse();

        Assert.Equal(3, outcome.Header.TlvLength);
        Assert.True(outcome.Tlvs.TryFind(ProxyTlvType.Noop, out ReadOnlySpan<byte> value));
        Assert.True(value.IsEmpty);
    }

    // TLV-06: duplicates are kept in order; the accessors return the first.
    [Theory]
    [ShapedVectors(TestVectors.V2DuplicateTlvs)]
    public void TLV_06_duplicates_are_kept_in_order(ShapedInput input)
    {
        ParseOutcome outcome = input.Parse();
        List<string> values = [];
        foreach (ProxyTlv tlv in outcome.Tlvs)
        {
            Assert.Equal(ProxyTlvType.Alpn, tlv.Type);
            values.Add(Encoding.ASCII.GetString(tlv.Value));
        }

        Assert.Equal(["h2", "http/1.1"], values);
        Assert.True(outcome.Tlvs.TryGetAlpn(out ReadOnlySpan<byte> first));
        Assert.Equal("h2", Encoding.ASCII.GetString(first));
    }

    // Registered types (checklist 1.6): the enum carries the spec's and vendors' type bytes.
    [Fact]
    public void Registered_TLV_types_have_the_spec_values()
    {
        Assert.Equal(0x01, (byte)ProxyTlvType.Alpn);
        Assert.Equal(0x02, (byte)ProxyTlvType.Authority);
        Assert.Equal(0x03, (byte)ProxyTlvType.Crc32c);
        Assert.Equal(0x04, (byte)ProxyTlvType.Noop);
        Assert.Equal(0x05, (byte)ProxyTlvType.UniqueId);
        Assert.Equal(0x20, (byte)ProxyTlvType.Ssl);
        Assert.Equal(0x21, (byte)ProxyTlvType.SslVersion);
        Assert.Equal(0x22, (byte)ProxyTlvType.SslCommonName);
        Assert.Equal(0x23, (byte)ProxyTlvType.SslCipher);
        Assert.Equal(0x24, (byte)ProxyTlvType.SslSignatureAlgorithm);
        Assert.Equal(0x25, (byte)ProxyTlvType.SslKeyAlgorithm);
        Assert.Equal(0x26, (byte)ProxyTlvType.SslGroup);
        Assert.Equal(0x27, (byte)ProxyTlvType.SslSignatureScheme);
        Assert.Equal(0x28, (byte)ProxyTlvType.SslClientCertificate);
        Assert.Equal(0x30, (byte)ProxyTlvType.NetworkNamespace);
        Assert.Equal(0xE0, (byte)ProxyTlvType.Gcp);
        Assert.Equal(0xEA, (byte)ProxyTlvType.Aws);
        Assert.Equal(0xEE, (byte)ProxyTlvType.Azure);
        Assert.Equal(0x01, (byte)ProxySslClientFlags.Ssl);
        Assert.Equal(0x02, (byte)ProxySslClientFlags.CertificateConnection);
        Assert.Equal(0x04, (byte)ProxySslClientFlags.CertificateSession);
    }

    // Registered types, UNIQUE_ID (0x05): up to 128 bytes, and 128 is valid.
    [Theory]
    [ShapedVectors(TestVectors.V2UniqueId128)]
    public void UNIQUE_ID_of_128_bytes_is_accepted(ShapedInput input)
    {
        Assert.True(input.Parse().Tlvs.TryGetUniqueId(out ReadOnlySpan<byte> id));
        Assert.Equal(Enumerable.Range(0, 128).Select(i => (byte)i).ToArray(), id.ToArray());
    }

    // Registered types, UNIQUE_ID (0x05): 129 bytes is rejected, as HAProxy does.
    [Theory]
    [ShapedVectors("unique-id-129")]
    public void UNIQUE_ID_over_128_bytes_is_rejected(ShapedInput input) =>
        Assert.Equal(ProxyHeaderError.UniqueIdTooLong, input.Parse().Error);

    // Registered types, NETNS (0x30): the namespace name.
    [Theory]
    [ShapedVectors(TestVectors.V2NetworkNamespace)]
    public void NETNS_is_read(ShapedInput input)
    {
        Assert.True(input.Parse().Tlvs.TryGetNetworkNamespace(out ReadOnlySpan<byte> name));
        Assert.Equal("blue", Encoding.ASCII.GetString(name));
    }

    // Vendor TLVs, AWS 0xEA subtype 0x01: the VPC endpoint id (checklist 1.12 AWS vector).
    [Theory]
    [ShapedVectors(TestVectors.GoldenV2Aws)]
    public void AWS_VPC_endpoint_id_is_read(ShapedInput input)
    {
        ParseOutcome outcome = input.Parse();

        Assert.True(outcome.Tlvs.TryGetAwsVpcEndpointId(out ReadOnlySpan<byte> id));
        Assert.Equal("vpce-08d2bf15fac5001c9", Encoding.ASCII.GetString(id));
        Assert.True(outcome.Tlvs.TryFind(ProxyTlvType.Aws, out ReadOnlySpan<byte> raw));
        Assert.Equal(0x01, raw[0]);
    }

    // Vendor TLVs, AWS: other subtypes and ids with characters outside [A-Za-z0-9-] are not endpoint ids.
    [Theory]
    [InlineData("ea 00 05 02 76 70 63 65")]
    [InlineData("ea 00 06 01 76 70 63 65 20")]
    [InlineData("ea 00 00")]
    public void AWS_malformed_endpoint_id_is_not_returned(string tlvHex)
    {
        byte[] input = TestVectors.V2(0x21, 0x11, TestVectors.InetBlock, Hex.Parse(tlvHex));
        ParseOutcome outcome = BufferShapes.ParseAllShapes(input, default);

        Assert.False(outcome.Tlvs.TryGetAwsVpcEndpointId(out _));
        Assert.True(outcome.Tlvs.TryFind(ProxyTlvType.Aws, out _));
    }

    // Vendor TLVs, Azure 0xEE subtype 0x01: the LINKID is little-endian (checklist 1.12 Azure vector).
    [Theory]
    [ShapedVectors(TestVectors.GoldenV2Azure)]
    public void Azure_link_id_is_little_endian(ShapedInput input)
    {
        Assert.True(input.Parse().Tlvs.TryGetAzureLinkId(out uint linkId));
        Assert.Equal(0x26000033u, linkId);
    }

    // Vendor TLVs, Azure: the value is exactly subtype + 4 bytes, subtype 0x01.
    [Theory]
    [InlineData("ee 00 04 01 33 00 00")]
    [InlineData("ee 00 06 01 33 00 00 26 00")]
    [InlineData("ee 00 05 02 33 00 00 26")]
    public void Azure_malformed_link_id_is_not_returned(string tlvHex)
    {
        byte[] input = TestVectors.V2(0x21, 0x11, TestVectors.InetBlock, Hex.Parse(tlvHex));

        Assert.False(BufferShapes.ParseAllShapes(input, default).Tlvs.TryGetAzureLinkId(out _));
    }

    // Vendor TLVs, GCP 0xE0: exactly 8 bytes, big-endian, no subtype byte.
    [Theory]
    [ShapedVectors(TestVectors.V2Gcp)]
    public void GCP_PSC_connection_id_is_big_endian(ShapedInput input)
    {
        Assert.True(input.Parse().Tlvs.TryGetGcpPscConnectionId(out ulong id));
        Assert.Equal(0x0102030405060708ul, id);
    }

    // Vendor TLVs, GCP: any other length is not a connection id.
    [Theory]
    [InlineData("e0 00 07 01 02 03 04 05 06 07")]
    [InlineData("e0 00 09 01 02 03 04 05 06 07 08 09")]
    public void GCP_malformed_connection_id_is_not_returned(string tlvHex)
    {
        byte[] input = TestVectors.V2(0x21, 0x11, TestVectors.InetBlock, Hex.Parse(tlvHex));

        Assert.False(BufferShapes.ParseAllShapes(input, default).Tlvs.TryGetGcpPscConnectionId(out _));
    }

    // TLV-04, TLV-06: a typed accessor skips a malformed vendor TLV and finds a later well-formed one.
    [Fact]
    public void Vendor_accessors_find_the_first_well_formed_TLV()
    {
        byte[] input = TestVectors.V2(0x21, 0x11, TestVectors.InetBlock,
            Hex.Parse("ea 00 03 01 21 21"), TestVectors.Tlv(0xEA, Hex.Concat([0x01], Hex.Ascii("vpce-1"))),
            Hex.Parse("ee 00 01 01"), Hex.Parse("ee 00 05 01 01 00 00 00"),
            Hex.Parse("e0 00 01 00"), Hex.Parse("e0 00 08 00 00 00 00 00 00 00 2a"));
        ProxyTlvs tlvs = BufferShapes.ParseAllShapes(input, default).Tlvs;

        Assert.True(tlvs.TryGetAwsVpcEndpointId(out ReadOnlySpan<byte> id));
        Assert.Equal("vpce-1", Encoding.ASCII.GetString(id));
        Assert.True(tlvs.TryGetAzureLinkId(out uint linkId));
        Assert.Equal(1u, linkId);
        Assert.True(tlvs.TryGetGcpPscConnectionId(out ulong connectionId));
        Assert.Equal(42ul, connectionId);
    }

    // TLV-01, TLV-02 over arbitrary bytes: the enumerator stops at a malformed tail and says so.
    [Theory]
    [InlineData("", 0, false)]
    [InlineData("01 00 02 68 32", 1, false)]
    [InlineData("01 00 02 68 32 04", 1, true)]
    [InlineData("01 00 02 68 32 04 00", 1, true)]
    [InlineData("01 00 03 68 32", 0, true)]
    [InlineData("04 00 00 04 00 00", 2, false)]
    public void Enumerator_over_raw_bytes_reports_a_malformed_tail(string hex, int count, bool malformed)
    {
        ProxyTlvs tlvs = new(Hex.Parse(hex));
        ProxyTlvs.Enumerator enumerator = tlvs.GetEnumerator();
        int seen = 0;
        while (enumerator.MoveNext())
        {
            seen++;
        }

        Assert.Equal(count, seen);
        Assert.Equal(malformed, enumerator.IsMalformed);
        Assert.False(enumerator.MoveNext());
        Assert.Equal(hex.Length == 0, tlvs.IsEmpty);
    }

    // ProxyHeader.GetTlvs needs the bytes the header was parsed from; v1 and TLV-less headers have none.
    [Fact]
    public void GetTlvs_checks_the_span_it_is_given()
    {
        byte[] input = TestVectors.Get(TestVectors.GoldenV2Tcp4Crc).Bytes;
        ProxyHeader header = ProxyHeader.Parse(input, out _);

        Assert.Throws<ArgumentException>(() => header.GetTlvs(input.AsSpan(0, 34)));
        Assert.True(ProxyHeader.Parse(TestVectors.Get(TestVectors.SpecV1Tcp4Max).Bytes, out _).GetTlvs(default).IsEmpty);
        Assert.True(ProxyHeader.Parse(TestVectors.Get(TestVectors.GoldenV2Tcp4).Bytes, out _).GetTlvs(default).IsEmpty);
    }

    // ReceivedProxyHeader copies just the TLV region, so it outlives the receive buffer.
    [Fact]
    public void ReceivedProxyHeader_owns_a_copy_of_the_TLVs()
    {
        byte[] input = (byte[])TestVectors.ReadCapture(TestVectors.HaproxyTlsClientCertSniTcp4).Clone();
        ProxyHeader header = ProxyHeader.Parse(input, out int consumed);
        ReceivedProxyHeader received = ReceivedProxyHeader.Create(header, input);
        byte[] expected = input.AsSpan(header.TlvOffset, header.TlvLength).ToArray();

        input.AsSpan().Clear();

        Assert.Equal(183, consumed);
        Assert.Equal(expected, received.TlvBytes.ToArray());
        Assert.True(received.Tlvs.TryGetAuthority(out ReadOnlySpan<byte> authority));
        Assert.Equal("localhost", Encoding.ASCII.GetString(authority));
        Assert.Equal(header, received.Header);
        Assert.Equal(header.ToString(), received.ToString());

        ReceivedProxyHeader withoutTlvs = ReceivedProxyHeader.Create(ProxyHeader.Parse(TestVectors.Get(TestVectors.GoldenV2Tcp4).Bytes, out _), TestVectors.Get(TestVectors.GoldenV2Tcp4).Bytes);
        Assert.True(withoutTlvs.TlvBytes.IsEmpty);
        Assert.True(withoutTlvs.Tlvs.IsEmpty);
    }

    internal static byte[] Types(ProxyTlvs tlvs)
    {
        List<byte> types = [];
        foreach (ProxyTlv tlv in tlvs)
        {
            types.Add((byte)tlv.Type);
        }

        return [.. types];
    }
}
