using System;
using System.Buffers;
using FsCheck.Xunit;
using ProxyProtocol.Tests.Infrastructure;

namespace ProxyProtocol.Tests.Properties;

/// <summary>
/// "Costs time linear in their length", checked structurally rather than timed: the parser never looks at a
/// byte past the most a header can take, 107 bytes for v1 (V1-09) and 16 + len for v2 (V2-05), RX-02.
/// </summary>
public class BoundedReadProperties
{
    // The outcome depends only on the bytes up to the limit: the same with the input cut there, and the same
    // with every byte after it changed; from a tracked sequence of one-byte segments, no segment past the
    // limit is read at all, so at most limit bytes are examined whatever follows.
    // SliceEnd: ReadOnlySequence.Slice(0, n) ending on a segment boundary points at the start of the next
    // segment, and copying the slice fetches that segment's span to take zero bytes of it; so the segment
    // right at the limit may show as touched, never one after it.
    [Property(Arbitrary = new[] { typeof(ProxyArbitraries) }, MaxTest = 300)]
    public void Parser_never_examines_bytes_past_the_longest_possible_header(HeaderLikeInput input)
    {
        byte[] bytes = Hex.Concat(input.Bytes, new byte[300]);
        new Random(bytes.Length).NextBytes(bytes.AsSpan(input.Bytes.Length));
        int limit = Math.Min(Limit(bytes), bytes.Length);
        ProxyParserOptions options = RoundTripProperties.LargeHeaders;

        ParseOutcome whole = BufferShapes.ParseWhole(bytes, options);
        Assert.InRange(whole.BytesConsumed, 0, limit);

        ParseOutcome cut = BufferShapes.ParseWhole(bytes.AsSpan(0, limit).ToArray(), options);
        AssertSameOutcome(whole, cut);

        byte[] changed = (byte[])bytes.Clone();
        for (int i = limit; i < changed.Length; i++)
        {
            changed[i] ^= 0xFF;
        }

        AssertSameOutcome(whole, BufferShapes.ParseWhole(changed, options));

        TrackingSequence tracked = new(bytes);
        OperationStatus status = ProxyHeaderParser.Parse(tracked.Sequence, options, out ProxyHeader header, out int consumed, out ProxyHeaderError error);
        Assert.True(tracked.LastTouchedIndex <= limit, $"Read byte {tracked.LastTouchedIndex}; a header here ends by byte {limit - 1}.");
        AssertSameOutcome(whole, new ParseOutcome(status, header, consumed, error, bytes));

        tracked = new TrackingSequence(bytes);
        ProxyHeaderParser.DetectVersion(tracked.Sequence, out _);
        Assert.InRange(tracked.LastTouchedIndex, -1, 13); // the signature and the version nibble (see SliceEnd)
    }

    // The sequence parser copies at most the header: a long sequence after a small header is not read.
    [Fact]
    public void Header_followed_by_a_megabyte_reads_only_the_header()
    {
        byte[] header = Vectors.TestVectors.Get(Vectors.TestVectors.GoldenV2Tcp4Crc).Bytes;
        byte[] bytes = Hex.Concat(header, new byte[1 << 20]);
        ReadOnlySequence<byte> sequence = Sequences.Split(bytes, 1, 2, 20, 1000, 100_000);

        Assert.Equal(OperationStatus.Done, ProxyHeaderParser.Parse(sequence, out _, out int consumed, out _));
        Assert.Equal(35, consumed);

        byte[] v1 = Hex.Concat(Hex.Ascii("PROXY UNKNOWN "), new byte[1 << 20]);
        TrackingSequence tracked = new(v1.AsSpan(0, 4096));
        Assert.Equal(OperationStatus.InvalidData, ProxyHeaderParser.Parse(tracked.Sequence, out _, out _, out ProxyHeaderError error));
        Assert.Equal(ProxyHeaderError.LineTooLong, error);
        Assert.InRange(tracked.LastTouchedIndex, 105, 107); // 106 bytes decide (see SliceEnd)
    }

    /// <summary>The most bytes a header starting here can take: 107 for v1, 16 + len for v2, 1 for anything else.</summary>
    private static int Limit(byte[] bytes) => bytes[0] switch
    {
        (byte)'P' => 107,
        0x0D => 16 + ((bytes[14] << 8) | bytes[15]),
        _ => 1,
    };

    private static void AssertSameOutcome(ParseOutcome expected, ParseOutcome actual)
    {
        Assert.Equal(expected.Status, actual.Status);
        Assert.Equal(expected.Error, actual.Error);
        Assert.Equal(expected.BytesConsumed, actual.BytesConsumed);
        Assert.Equal(expected.Header, actual.Header);
        Assert.Equal(expected.Header.TlvLength, actual.Header.TlvLength);
    }
}
