using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Linq;
using ProxyProtocol.Internal;
using ProxyProtocol.Tests.Infrastructure;
using ProxyProtocol.Tests.Vectors;

namespace ProxyProtocol.Tests.Parser;

/// <summary>The CRC32C TLV (checklist 1.7, CRC).</summary>
public class Crc32cTests
{
    // CRC-01: CRC-32C/Castagnoli check value, for the library and for the test's bitwise reference.
    [Fact]
    public void CRC_01_check_value_of_123456789()
    {
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));
        Assert.Equal(0xE3069283u, Crc32cReference.Compute("123456789"u8));
        Assert.Equal(0u, Crc32C.Compute([]));
    }

    // CRC-01, CRC-06: BitOperations.Crc32C applies no initial value or final XOR; the library must, for every
    // length (8-, 4- and 1-byte steps) and with the field zeroed at every offset.
    [Fact]
    public void CRC_06_hardware_accumulation_matches_the_bitwise_definition()
    {
        Random random = new(20260427);
        for (int length = 0; length <= 70; length++)
        {
            byte[] data = new byte[length];
            random.NextBytes(data);
            Assert.Equal(Crc32cReference.Compute(data), Crc32C.Compute(data));

            for (int offset = 0; offset + 4 <= length; offset++)
            {
                byte[] zeroed = (byte[])data.Clone();
                Array.Clear(zeroed, offset, 4);
                Assert.Equal(Crc32cReference.Compute(zeroed), Crc32C.ComputeWithZeroedField(data, offset));
            }
        }
    }

    // CRC-02, CRC-03: the golden vector stores CRC32C(whole header with the value zeroed) big-endian.
    [Theory]
    [ShapedVectors(TestVectors.GoldenV2Tcp4Crc)]
    public void CRC_02_golden_vector_covers_the_whole_header_big_endian(ShapedInput input)
    {
        ParseOutcome outcome = input.Parse();
        byte[] zeroed = outcome.HeaderBytes.ToArray();
        Array.Clear(zeroed, 31, 4);

        Assert.True(outcome.Tlvs.TryGetCrc32c(out uint crc));
        Assert.Equal(0x1c1ae9c6u, crc);
        Assert.Equal(crc, Crc32cReference.Compute(zeroed));
        Assert.Equal(Hex.Parse("1c1ae9c6"), outcome.HeaderBytes.Slice(31, 4).ToArray());
    }

    // CRC-02: every CRC32C-carrying capture verifies with the reference over signature-through-last-TLV.
    [Theory]
    [InlineData(TestVectors.HaproxyTlsClientCertSniTcp4)]
    [InlineData(TestVectors.HaproxyTlsClientCertSniTcp6)]
    [InlineData(TestVectors.HaproxyTlsNoCertSniTcp4)]
    [InlineData(TestVectors.HaproxyTlsClientCertNoSniTcp4)]
    [InlineData(TestVectors.HaproxyTls12ClientCertSniTcp4)]
    [InlineData(TestVectors.HaproxyCheckV2LocalCrcSsl)]
    public void CRC_02_captured_CRCs_cover_the_whole_header(string name)
    {
        TestVector vector = TestVectors.Get(name);
        ParseOutcome outcome = BufferShapes.ParseAllShapes(vector.Bytes, default);
        Assert.True(outcome.Tlvs.TryGetCrc32c(out uint crc));

        // HAProxy puts CRC32C first among the TLVs.
        int valueOffset = outcome.Header.TlvOffset + 3;
        Assert.Equal((byte)ProxyTlvType.Crc32c, outcome.HeaderBytes[outcome.Header.TlvOffset]);
        byte[] zeroed = outcome.HeaderBytes.ToArray();
        Array.Clear(zeroed, valueOffset, 4);
        Assert.Equal(crc, Crc32cReference.Compute(zeroed));
        Assert.Equal(crc, BinaryPrimitives.ReadUInt32BigEndian(outcome.HeaderBytes.Slice(valueOffset)));
    }

    // CRC-03: libproxyprotocol stores the CRC little-endian; that is a mismatch for a big-endian receiver,
    // and the byte-swapped value is exactly the right CRC.
    [Theory]
    [ShapedVectors(TestVectors.LibProxyProtocolVpceLittleEndianCrc)]
    public void CRC_03_little_endian_CRC_is_a_mismatch(ShapedInput input)
    {
        Assert.Equal(ProxyHeaderError.Crc32cMismatch, input.Parse().Error);

        byte[] zeroed = (byte[])input.Vector.Bytes.Clone();
        Array.Clear(zeroed, 31, 4);
        Assert.Equal(Crc32cReference.Compute(zeroed), BinaryPrimitives.ReadUInt32LittleEndian(input.Vector.Bytes.AsSpan(31)));
    }

    // CRC-03, CRC-04 off: with verification off the libproxyprotocol header is read, AWS TLV and NOOP padding included.
    [Theory]
    [ShapedVectors(TestVectors.LibProxyProtocolVpceUnverified)]
    public void CRC_04_verification_can_be_turned_off(ShapedInput input)
    {
        ParseOutcome outcome = input.Parse();

        Assert.False(input.Vector.Options.VerifyCrc32c);
        Assert.True(outcome.Tlvs.TryGetAwsVpcEndpointId(out ReadOnlySpan<byte> id));
        Assert.Equal("vpce-23d8ezjk38bchilm4", System.Text.Encoding.ASCII.GetString(id));
        Assert.Equal(new byte[] { 0x03, 0xEA, 0x04 }, TlvTests.Types(outcome.Tlvs));
        Assert.Equal("192.168.10.100:42332", outcome.Header.GetSourceEndPoint()!.ToString());
    }

    // CRC-04: a mismatch invalidates the header; it can only be known once the whole header is in.
    [Theory]
    [ShapedVectors("crc04-mismatch", "crc04-address-changed")]
    public void CRC_04_mismatch_is_rejected(ShapedInput input)
    {
        Assert.Equal(ProxyHeaderError.Crc32cMismatch, input.Parse().Error);
        Assert.Equal(35, ErrorDetection.FirstInvalidPrefixLength(input.Vector.Bytes, default));
    }

    // CRC-04: with VerifyCrc32c off a wrong value is carried, not checked.
    [Theory]
    [ShapedVectors(TestVectors.V2CrcMismatchUnverified)]
    public void CRC_04_unverified_mismatch_is_carried(ShapedInput input)
    {
        Assert.True(input.Parse().Tlvs.TryGetCrc32c(out uint crc));
        Assert.Equal(0x1c1ae9c7u, crc);
    }

    // CRC-05: a CRC32C TLV of any length but 4 is invalid, verified or not.
    [Theory]
    [ShapedVectors("crc05-length-3", "crc05-length-5", "crc05-length-0-unverified")]
    public void CRC_05_length_other_than_4_is_rejected(ShapedInput input) =>
        Assert.Equal(ProxyHeaderError.InvalidCrc32cLength, input.Parse().Error);

    // QUIRK-09, CRC-04: with two CRC32C TLVs each is verified with only its own value zeroed (the other as
    // sent). Both are carried; any flipped bit in either value is Crc32cMismatch.
    [Theory]
    [ShapedVectors(TestVectors.V2TwoCrcTlvs)]
    public void QUIRK_09_each_of_two_CRC_TLVs_is_verified(ShapedInput input)
    {
        ParseOutcome outcome = input.Parse();

        Assert.Equal(new byte[] { 0x03, 0x03 }, TlvTests.Types(outcome.Tlvs));
        foreach (int valueOffset in new[] { 31, 38 })
        {
            for (int bit = 0; bit < 32; bit++)
            {
                byte[] changed = (byte[])input.Vector.Header.ToArray();
                changed[valueOffset + (bit / 8)] ^= (byte)(1 << (bit % 8));
                Assert.Equal(OperationStatus.InvalidData, ProxyHeaderParser.Parse(changed, out _, out _, out ProxyHeaderError error));
                Assert.Equal(ProxyHeaderError.Crc32cMismatch, error);
                Assert.True(ProxyHeaderParser.TryParse(changed, new ProxyParserOptions { VerifyCrc32c = false }, out _, out _));
            }
        }
    }

    // QUIRK-09: a right first CRC does not vouch for a wrong second one (only the first used to be checked).
    [Theory]
    [ShapedVectors(TestVectors.V2TwoCrcTlvsSecondWrong, "quirk09-two-crc-tlvs-first-wrong")]
    public void QUIRK_09_one_wrong_CRC_TLV_of_two_is_rejected(ShapedInput input) =>
        Assert.Equal(ProxyHeaderError.Crc32cMismatch, input.Parse().Error);

    // CRC-02 limit: the CRC covers bytes, not its own presence. Three single-byte changes can drop the CRC32C
    // TLV out of the parsed TLVs, and the rest is then a valid header without CRC: a shorter len that ends the
    // header before the TLV, a different type byte, and (LOCAL only) a family whose block no longer fits.
    // Such a header is accepted, but never with a CRC32C TLV it did not verify. The CRC property test checks
    // that every other single-byte change is rejected.
    [Theory]
    [InlineData(15, 0x0C, 28)]
    [InlineData(28, 0x04, 35)]
    public void CRC_02_changes_that_remove_the_CRC_TLV_are_not_detectable(int index, byte value, int length)
    {
        byte[] input = (byte[])TestVectors.Get(TestVectors.GoldenV2Tcp4Crc).Bytes.Clone();
        input[index] = value;

        ParseOutcome outcome = BufferShapes.ParseAllShapes(input, default);

        Assert.Equal(OperationStatus.Done, outcome.Status);
        Assert.Equal(length, outcome.BytesConsumed);
        Assert.False(outcome.Tlvs.TryGetCrc32c(out _));
    }

    // CRC-02 limit, LOCAL: a family whose address block no longer fits makes the whole block opaque (SEM-02).
    [Fact]
    public void CRC_02_LOCAL_with_a_changed_family_skips_the_CRC_TLV()
    {
        byte[] local = TestVectors.WithCrc(TestVectors.V2(0x20, 0x11, TestVectors.InetBlock, Hex.Parse("03 00 04 00 00 00 00")), 31);
        Assert.True(ProxyHeaderParser.TryParse(local, out ProxyHeader header, out _));
        Assert.True(header.GetTlvs(local).TryGetCrc32c(out _));

        local[13] = 0x21; // IPv6 needs 36 bytes; len is 19
        ParseOutcome outcome = BufferShapes.ParseAllShapes(local, default);

        Assert.Equal(OperationStatus.Done, outcome.Status);
        Assert.Equal(ProxyAddressFamily.Unspecified, outcome.Header.AddressFamily);
        Assert.True(outcome.Tlvs.IsEmpty);
    }

    // CRC-04: on the golden vector, flipping the top bit of any byte is caught, except for the CRC TLV's
    // type byte, which turns the TLV into an unknown one (see the limit above).
    [Fact]
    public void CRC_04_top_bit_flip_of_any_golden_byte_is_caught()
    {
        byte[] golden = TestVectors.Get(TestVectors.GoldenV2Tcp4Crc).Bytes;
        for (int i = 0; i < golden.Length; i++)
        {
            byte[] changed = (byte[])golden.Clone();
            changed[i] ^= 0x80;
            OperationStatus status = ProxyHeaderParser.Parse(changed, out ProxyHeader header, out _, out _);
            if (i == 28)
            {
                Assert.Equal(OperationStatus.Done, status);
                Assert.False(header.GetTlvs(changed).TryGetCrc32c(out _));
            }
            else
            {
                Assert.True(status != OperationStatus.Done, $"Byte {i} changed and the header was accepted.");
            }
        }
    }
}
