using System;
using System.Buffers;
using System.Linq;
using System.Net;
using ProxyProtocol.Tests.Infrastructure;
using ProxyProtocol.Tests.Vectors;

namespace ProxyProtocol.Tests.Writer;

/// <summary>The v2 writer: golden vectors, captures, sender rules (V2-01..04 on send, TX, CRC-03) and exact sizes.</summary>
public class WriterV2Tests
{
    private static readonly IPEndPoint s_specSource = new(IPAddress.Parse("192.168.0.1"), 56324);
    private static readonly IPEndPoint s_specDestination = new(IPAddress.Parse("192.168.0.11"), 443);

    // 1.12: the golden vectors come out of the writer byte for byte.
    [Fact]
    public void Golden_vectors_are_written_exactly()
    {
        Assert.Equal(TestVectors.Get(TestVectors.GoldenV2Tcp4).Bytes, WriteV2(ProxyHeader.CreateProxy(s_specSource, s_specDestination)));
        Assert.Equal(TestVectors.Get(TestVectors.GoldenV2Local).Bytes, WriteV2(ProxyHeader.CreateLocal()));
        Assert.Equal(TestVectors.Get(TestVectors.GoldenV2Tcp6).Bytes, WriteV2(ProxyHeader.CreateProxy(
            new IPEndPoint(IPAddress.Parse("2001:db8::1"), 52953), new IPEndPoint(IPAddress.Parse("2001:db8::2"), 25))));
    }

    // CRC-03: a CRC32C TLV among the given TLVs gets its value computed and stored big-endian, whatever it held.
    [Theory]
    [InlineData("03 00 04 00 00 00 00")]
    [InlineData("03 00 04 ff ff ff ff")]
    [InlineData("03 00 04 1c 1a e9 c6")]
    public void CRC_03_CRC_value_is_computed_by_the_writer(string tlvHex)
    {
        byte[] written = WriteV2(ProxyHeader.CreateProxy(s_specSource, s_specDestination), Hex.Parse(tlvHex));

        Assert.Equal(TestVectors.Get(TestVectors.GoldenV2Tcp4Crc).Bytes, written);
    }

    // Captures: HAProxy's v2 headers are reproduced from the parsed header and TLV bytes (CRC recomputed),
    // and by the builder calling its typed Add methods in HAProxy's TLV order.
    [Theory]
    [InlineData(TestVectors.HaproxyV2Tcp4)]
    [InlineData(TestVectors.HaproxyV2Tcp6)]
    [InlineData(TestVectors.HaproxyTlsClientCertSniTcp4)]
    [InlineData(TestVectors.HaproxyTlsClientCertSniTcp6)]
    [InlineData(TestVectors.HaproxyTlsNoCertSniTcp4)]
    [InlineData(TestVectors.HaproxyTlsClientCertNoSniTcp4)]
    [InlineData(TestVectors.HaproxyTls12ClientCertSniTcp4)]
    [InlineData(TestVectors.HaproxyCheckV2Local)]
    [InlineData(TestVectors.HaproxyCheckV2LocalCrcSsl)]
    public void Captured_headers_are_reproduced(string name)
    {
        TestVector vector = TestVectors.Get(name);
        ProxyHeader parsed = ProxyHeader.Parse(vector.Bytes, out int length);
        ProxyTlvs tlvs = parsed.GetTlvs(vector.Bytes);
        byte[] zeroedCrc = tlvs.Bytes.ToArray();
        if (tlvs.TryGetCrc32c(out _))
        {
            Array.Clear(zeroedCrc, 3, 4); // HAProxy's CRC32C comes first
        }

        Assert.Equal(vector.Header.ToArray(), WriteV2(parsed, zeroedCrc));
        Assert.Equal(vector.Header.ToArray(), HeaderRebuilder.Rebuild(parsed, tlvs));
        Assert.Equal(length, ProxyHeaderWriter.GetV2Length(parsed, tlvs.Bytes.Length));
    }

    // V2-01..V2-04 on send, UDP-02, TX-02: the version nibble is 2, the command 0 or 1, and the fam byte
    // one of 00, 11, 12, 21, 22, 31, 32 with the matching address block.
    [Theory]
    [InlineData("10.0.0.1", "10.0.0.2", ProxyTransport.Stream, "21 11 00 0c", 28)]
    [InlineData("10.0.0.1", "10.0.0.2", ProxyTransport.Datagram, "21 12 00 0c", 28)]
    [InlineData("::1", "::2", ProxyTransport.Stream, "21 21 00 24", 52)]
    [InlineData("::1", "10.0.0.2", ProxyTransport.Datagram, "21 22 00 24", 52)]
    public void V2_04_IP_headers_get_the_right_fam_byte(string source, string destination, ProxyTransport transport, string fixedPart, int length)
    {
        ProxyHeader header = ProxyHeader.CreateProxy(new IPEndPoint(IPAddress.Parse(source), 1), new IPEndPoint(IPAddress.Parse(destination), 2), transport);
        byte[] written = WriteV2(header);

        Assert.Equal(TestVectors.Signature, written.AsSpan(0, 12).ToArray()); // DET-06: binary signature first
        Assert.Equal(Hex.Parse(fixedPart), written.AsSpan(12, 4).ToArray());
        Assert.Equal(length, written.Length);
        Assert.Equal(header, ProxyHeader.Parse(written, out _));
    }

    // V2-04, V2-06: Unix headers carry two 108-byte NUL-padded paths, no ports.
    [Theory]
    [InlineData(ProxyTransport.Stream, 0x31)]
    [InlineData(ProxyTransport.Datagram, 0x32)]
    public void V2_06_Unix_paths_are_padded_to_108_bytes(ProxyTransport transport, byte fam)
    {
        ProxyHeader header = ProxyHeader.CreateUnix("/run/client.sock", "/run/server.sock", transport);
        byte[] written = WriteV2(header);

        Assert.Equal(232, written.Length);
        Assert.Equal(fam, written[13]);
        Assert.Equal(Hex.Parse("00 d8"), written.AsSpan(14, 2).ToArray());
        Assert.Equal(TestVectors.UnixPath("/run/client.sock"), written.AsSpan(16, 108).ToArray());
        Assert.Equal(TestVectors.UnixPath("/run/server.sock"), written.AsSpan(124, 108).ToArray());
    }

    // TX-02, TX-04, QUIRK-10: LOCAL is 20 00 00 00; an unknown family (v1 UNKNOWN) is LOCAL too, as HAProxy
    // writes it (HAProxy 2.6 rejects PROXY with fam 0x00: HaproxyInteropTests), never 21 00 00 00.
    [Fact]
    public void TX_04_LOCAL_and_UNKNOWN_are_written_as_LOCAL_without_address_block()
    {
        Assert.Equal(Hex.Parse("20 00 00 00"), WriteV2(ProxyHeader.CreateLocal()).AsSpan(12).ToArray());
        Assert.Equal(Hex.Parse("20 00 00 00"), WriteV2(ProxyHeader.CreateUnknown()).AsSpan(12).ToArray());
        Assert.Equal(Hex.Parse("20 00 00 00"), WriteV2(ProxyHeader.Create(null, null)).AsSpan(12).ToArray());

        // A parsed v2 PROXY UNSPEC and a parsed LOCAL with an address block are written as LOCAL with fam 0x00 (TX-02).
        foreach (string name in new[] { TestVectors.V2ProxyUnspec, TestVectors.V2LocalWithInetBlock })
        {
            Assert.True(ProxyHeaderParser.TryParse(TestVectors.Get(name).Bytes, out ProxyHeader parsed, out _));
            Assert.Equal(Hex.Parse("20 00 00 00"), WriteV2(parsed).AsSpan(12).ToArray());
        }

        // Through the builder, with a TLV: LOCAL, fam 0x00, the TLV right at offset 16.
        byte[] buffer = new byte[64];
        var builder = new ProxyV2HeaderBuilder(buffer, ProxyHeader.CreateUnknown());
        builder.AddAlpn("h2"u8);
        Assert.Equal(OperationStatus.Done, builder.Complete(out int length));
        Assert.Equal(Hex.Concat(TestVectors.Signature, Hex.Parse("20 00 00 05 01 00 02 68 32")), buffer.AsSpan(0, length).ToArray());
    }

    // TX-03: mixed families are written as IPv6 with the IPv4 side v4-mapped.
    [Fact]
    public void TX_03_mixed_families_are_v4_mapped_IPv6()
    {
        ProxyHeader header = ProxyHeader.CreateProxy(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 1), new IPEndPoint(IPAddress.Parse("2001:db8::2"), 2));
        byte[] written = WriteV2(header);

        Assert.Equal(0x21, written[13]);
        Assert.Equal(Hex.Parse("00000000000000000000ffff c0000201"), written.AsSpan(16, 16).ToArray());
    }

    // GetV2Length is exact: 16 + address block + TLVs.
    [Fact]
    public void GetV2Length_is_exact()
    {
        Assert.Equal(16, ProxyHeaderWriter.GetV2Length(ProxyHeader.CreateLocal()));
        Assert.Equal(16, ProxyHeaderWriter.GetV2Length(ProxyHeader.CreateUnknown()));
        Assert.Equal(28, ProxyHeaderWriter.GetV2Length(ProxyHeader.CreateProxy(s_specSource, s_specDestination)));
        Assert.Equal(35, ProxyHeaderWriter.GetV2Length(ProxyHeader.CreateProxy(s_specSource, s_specDestination), 7));
        Assert.Equal(52, ProxyHeaderWriter.GetV2Length(ProxyHeader.CreateProxy(new IPEndPoint(IPAddress.IPv6Loopback, 1), new IPEndPoint(IPAddress.IPv6Loopback, 2))));
        Assert.Equal(232, ProxyHeaderWriter.GetV2Length(ProxyHeader.CreateUnix("a", "b")));
        Assert.Throws<ArgumentOutOfRangeException>(() => ProxyHeaderWriter.GetV2Length(ProxyHeader.CreateLocal(), -1));
    }

    // Every destination shorter than the header is DestinationTooSmall with nothing written or touched.
    [Fact]
    public void Short_destinations_are_DestinationTooSmall()
    {
        ProxyHeader header = ProxyHeader.CreateProxy(s_specSource, s_specDestination);
        byte[] tlvs = Hex.Concat(TestVectors.Tlv(0x01, "h2"), Hex.Parse("03 00 04 00 00 00 00"));
        int length = ProxyHeaderWriter.GetV2Length(header, tlvs.Length);

        for (int size = 0; size < length; size++)
        {
            byte[] small = Enumerable.Repeat((byte)0xEE, size).ToArray();
            Assert.Equal(OperationStatus.DestinationTooSmall, ProxyHeaderWriter.WriteV2(header, tlvs, small, out int written));
            Assert.Equal(0, written);
            Assert.All(small, b => Assert.Equal(0xEE, b));
        }

        byte[] exact = new byte[length];
        Assert.Equal(OperationStatus.Done, ProxyHeaderWriter.WriteV2(header, tlvs, exact, out int exactWritten));
        Assert.Equal(length, exactWritten);
        Assert.Equal(OperationStatus.Done, ProxyHeaderParser.Parse(exact, out ProxyHeader parsed, out _, out _));
        Assert.Equal(header, parsed);
    }

    // Misuse: TLV bytes that are not whole TLVs, a CRC32C TLV of the wrong size, or a header over 65551 bytes.
    [Theory]
    [InlineData("01")]
    [InlineData("01 00")]
    [InlineData("01 00 05 68 32")]
    [InlineData("03 00 03 00 00 00")]
    [InlineData("03 00 05 00 00 00 00 00")]
    public void Malformed_TLV_bytes_throw(string tlvHex)
    {
        byte[] destination = new byte[100];
        Assert.Throws<ArgumentException>(() => ProxyHeaderWriter.WriteV2(ProxyHeader.CreateLocal(), Hex.Parse(tlvHex), destination, out _));
        Assert.Throws<ArgumentException>(() => ProxyHeaderWriter.WriteV2(ProxyHeader.CreateLocal(), new ArrayBufferWriter<byte>(), Hex.Parse(tlvHex)));
    }

    [Fact]
    public void Header_over_65551_bytes_throws()
    {
        byte[] tlvs = Hex.Concat(TestVectors.Tlv(0x04, new byte[40000]), TestVectors.Tlv(0x04, new byte[25530]));
        Assert.Equal(65536, tlvs.Length);

        Assert.Throws<ArgumentException>(() => ProxyHeaderWriter.WriteV2(ProxyHeader.CreateLocal(), tlvs, new byte[70000], out _));
        byte[] largest = Hex.Concat(TestVectors.Tlv(0x04, new byte[40000]), TestVectors.Tlv(0x04, new byte[25529]));
        Assert.Equal(OperationStatus.Done, ProxyHeaderWriter.WriteV2(ProxyHeader.CreateLocal(), largest, new byte[70000], out int written));
        Assert.Equal(65551, written);
    }

    // TX-01: into a buffer writer the header is committed with one GetSpan and one Advance.
    [Fact]
    public void TX_01_buffer_writer_gets_the_header_in_one_piece()
    {
        RecordingBufferWriter writer = new();

        int written = ProxyHeaderWriter.WriteV2(ProxyHeader.CreateProxy(s_specSource, s_specDestination), writer, Hex.Parse("03 00 04 00 00 00 00"));

        Assert.Equal(35, written);
        Assert.Equal(1, writer.GetSpanCalls);
        Assert.Equal(1, writer.AdvanceCalls);
        Assert.Equal(TestVectors.Get(TestVectors.GoldenV2Tcp4Crc).Bytes, writer.WrittenSpan.ToArray());
        Assert.Throws<ArgumentNullException>(() => ProxyHeaderWriter.WriteV2(ProxyHeader.CreateLocal(), (IBufferWriter<byte>)null!));
    }

    internal static byte[] WriteV2(in ProxyHeader header, ReadOnlySpan<byte> tlvs = default)
    {
        byte[] buffer = new byte[ProxyHeaderWriter.GetV2Length(header, tlvs.Length)];
        Assert.Equal(OperationStatus.Done, ProxyHeaderWriter.WriteV2(header, tlvs, buffer, out int written));
        Assert.Equal(buffer.Length, written);
        return buffer;
    }
}
