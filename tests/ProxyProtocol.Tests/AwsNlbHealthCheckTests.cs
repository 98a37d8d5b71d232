using System;
using System.Buffers;

namespace ProxyProtocol.Tests;

/// <summary>
/// AWS NLB health checks: v2 LOCAL with family TCP4, but no address block: a CRC32C TLV and NOOP padding start
/// right after the 16-byte prefix. SEM-01 says a LOCAL header must be accepted whatever its protocol block holds;
/// QUIRK-04 reads a LOCAL header's TLVs from offset 16 first, so the CRC32C is found and verified (CRC-04).
/// </summary>
public class AwsNlbHealthCheckTests
{
    /// <summary>
    /// An NLB health check as captured in kubernetes/kubernetes#57250 (100 bytes: LOCAL, TCP4, len 84, CRC32C
    /// 0xbce5951f valid over the whole header, NOOP of 74 zero bytes), and the same layout with other padding
    /// lengths, which the parser used to reject (TlvTruncated) when it looked for TLVs after a 12-byte block.
    /// </summary>
    public static TheoryData<string, string> Captures => new()
    {
        { "captured, NOOP 74", "0d0a0d0a000d0a515549540a20110054030004bce5951f04004a" + new string('0', 2 * 74) },
        { "NOOP 73", "0d0a0d0a000d0a515549540a20110053030004" + "c6599d8c" + "040049" + new string('0', 2 * 73) },
        { "NOOP 72", "0d0a0d0a000d0a515549540a20110052030004" + "00a474a7" + "040048" + new string('0', 2 * 72) },
        { "NOOP 5", "0d0a0d0a000d0a515549540a2011000f030004" + "5d7966b0" + "040005" + new string('0', 2 * 5) },
    };

    [Theory]
    [MemberData(nameof(Captures))]
    public void Local_health_check_with_TLVs_in_place_of_the_addresses_is_accepted(string name, string hex)
    {
        byte[] bytes = Convert.FromHexString(hex);
        byte[] withPayload = [.. bytes, .. "GET /health HTTP/1.1\r\n"u8];

        // SEM-01/SEM-02: accepted, exactly 16 + len consumed, no addresses for the app to use.
        Assert.Equal(OperationStatus.Done, ProxyHeaderParser.Parse(withPayload, out ProxyHeader header, out int consumed, out ProxyHeaderError error));
        Assert.True(error == ProxyHeaderError.None, name);
        Assert.Equal(bytes.Length, consumed);
        Assert.Equal(ProxyCommand.Local, header.Command);
        Assert.False(header.HasAddresses);
        Assert.Null(header.GetSourceEndPoint());

        // QUIRK-04: the TLVs are read from offset 16, the family discarded; the CRC32C is the capture's own value.
        Assert.Equal(ProxyAddressFamily.Unspecified, header.AddressFamily);
        Assert.Equal(16, header.TlvOffset);
        Assert.Equal(bytes.Length - 16, header.TlvLength);
        Assert.True(header.GetTlvs(bytes).TryGetCrc32c(out uint crc));
        Assert.Equal(Convert.ToUInt32(hex.Substring(38, 8), 16), crc);

        // RX-03: every prefix needs more data (none is invalid), and a sequence split anywhere agrees.
        for (int length = 0; length < bytes.Length; length++)
        {
            Assert.Equal(OperationStatus.NeedMoreData, ProxyHeaderParser.Parse(bytes.AsSpan(0, length), out _, out _, out _));
        }

        for (int split = 1; split < bytes.Length; split++)
        {
            ReadOnlySequence<byte> sequence = Segments.Split(bytes, split);
            Assert.Equal(OperationStatus.Done, ProxyHeaderParser.Parse(sequence, out ProxyHeader fromSequence, out int sequenceConsumed, out _));
            Assert.Equal(bytes.Length, sequenceConsumed);
            Assert.Equal(header, fromSequence);
        }
    }

    // QUIRK-04, CRC-04: the CRC32C found at offset 16 is verified, so any flipped bit of the header is caught;
    // with verification off the same bytes are accepted.
    [Theory]
    [MemberData(nameof(Captures))]
    public void A_flipped_bit_in_the_health_check_is_caught_by_its_CRC(string name, string hex)
    {
        byte[] bytes = Convert.FromHexString(hex);
        foreach (int index in new[] { 19, 20, 21, 22, bytes.Length - 1, 30 })
        {
            byte[] changed = (byte[])bytes.Clone();
            changed[index] ^= 0x01;
            Assert.Equal(OperationStatus.InvalidData, ProxyHeaderParser.Parse(changed, out _, out _, out ProxyHeaderError error));
            Assert.True(error == ProxyHeaderError.Crc32cMismatch, $"{name}, byte {index}: {error}");
            Assert.True(ProxyHeaderParser.TryParse(changed, new ProxyParserOptions { VerifyCrc32c = false }, out _, out int consumed));
            Assert.Equal(bytes.Length, consumed);
        }
    }

    // QUIRK-04, SEM-02: LOCAL + UNSPEC whose bytes are not TLVs is accepted, opaque (never TlvOverrun): HAProxy
    // and AWS NLB both send LOCAL with bytes this library cannot know, and the spec says discard them.
    [Theory]
    [InlineData("040008 0000")]             // a NOOP that claims 8 bytes, 2 there
    [InlineData("01")]                      // one byte
    [InlineData("ffffff 00 11 22")]         // a TLV of 65535 bytes
    [InlineData("030003 000000")]           // a CRC32C TLV of the wrong length
    [InlineData("200002 0000")]             // an SSL TLV under 5 bytes
    public void LOCAL_UNSPEC_with_bytes_that_are_not_TLVs_is_opaque(string blockHex)
    {
        byte[] block = Convert.FromHexString(blockHex.Replace(" ", "", StringComparison.Ordinal));
        byte[] bytes = [.. Convert.FromHexString("0d0a0d0a000d0a515549540a2000"), (byte)(block.Length >> 8), (byte)block.Length, .. block];

        Assert.Equal(OperationStatus.Done, ProxyHeaderParser.Parse(bytes, out ProxyHeader header, out int consumed, out ProxyHeaderError error));
        Assert.Equal(ProxyHeaderError.None, error);
        Assert.Equal(bytes.Length, consumed);
        Assert.Equal(ProxyCommand.Local, header.Command);
        Assert.Equal(0, header.TlvLength);

        // The same bytes as PROXY UNSPEC are judged as TLVs (TLV-01, TLV-02) and rejected.
        bytes[12] = 0x21;
        Assert.Equal(OperationStatus.InvalidData, ProxyHeaderParser.Parse(bytes, out _, out _, out _));
    }

    [Theory]
    [InlineData("NOOP 73")]
    [InlineData("NOOP 72")]
    public void The_same_bytes_as_PROXY_are_still_rejected(string name)
    {
        // Only LOCAL gets the benefit of the doubt: a PROXY header's TLVs must frame (TLV-01).
        string hex = (string)Array.Find([.. Captures], row => (string)row[0] == name)![1];
        byte[] bytes = Convert.FromHexString(hex);
        bytes[12] = 0x21;

        Assert.Equal(OperationStatus.InvalidData, ProxyHeaderParser.Parse(bytes, out _, out _, out ProxyHeaderError error));
        Assert.Equal(ProxyHeaderError.TlvTruncated, error);
    }

    private sealed class Segments : ReadOnlySequenceSegment<byte>
    {
        private Segments(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public static ReadOnlySequence<byte> Split(byte[] bytes, int at)
        {
            var first = new Segments(bytes.AsMemory(0, at), 0);
            var second = new Segments(bytes.AsMemory(at), at);
            first.Next = second;
            return new ReadOnlySequence<byte>(first, 0, second, second.Memory.Length);
        }
    }
}
