using System;
using System.Buffers;
using System.Collections.Generic;

namespace ProxyProtocol.Tests.Infrastructure;

/// <summary>The ways received bytes can be laid out in memory when they reach the parser.</summary>
public enum BufferShape
{
    /// <summary>One span that is exactly the input.</summary>
    Whole,

    /// <summary>A span over the middle of a larger array, with guard bytes before and after it.</summary>
    Guarded,

    /// <summary>The input followed, in the same span, by more bytes that look like headers.</summary>
    TrailingData,

    /// <summary>A single-segment sequence.</summary>
    SingleSegment,

    /// <summary>Two segments inside a guarded array, cut at every index in turn (0 and the length included).</summary>
    SplitAtEveryIndex,

    /// <summary>One segment per byte.</summary>
    BytePerSegment,
}

/// <summary>
/// Parses the same bytes in every <see cref="BufferShape"/> and checks that every shape agrees with the
/// plain span parse: same status, error, length, header and TLV region. Vector tests get this for free
/// through <see cref="ShapedVectorsAttribute"/>; property tests call it directly.
/// </summary>
internal static class BufferShapes
{
    private const byte GuardByte = 0xA5;
    private const int GuardLength = 8;

    // Bytes appended by TrailingData: a CRLF, a v1 prefix and a v2 signature, so a parser that reads on
    // past the header finds something plausible rather than garbage.
    private static readonly byte[] s_trailing = Hex.Concat(Hex.Ascii("\r\nPROXY TCP4 "), Hex.Parse("0d0a0d0a000d0a515549540a2111"));

    /// <summary>Every shape.</summary>
    public static IReadOnlyList<BufferShape> All { get; } = Enum.GetValues<BufferShape>();

    /// <summary>Parses <paramref name="input"/> as one contiguous span: the reference every other shape must match.</summary>
    public static ParseOutcome ParseWhole(byte[] input, in ProxyParserOptions options)
    {
        OperationStatus status = ProxyHeaderParser.Parse(input, options, out ProxyHeader header, out int consumed, out ProxyHeaderError error);
        ParseOutcome outcome = new(status, header, consumed, error, input);
        AssertContract(outcome, input.Length);
        return outcome;
    }

    /// <summary>
    /// Parses <paramref name="input"/> laid out as <paramref name="shape"/> and checks it against the span
    /// parse. All the outcomes of <see cref="BufferShape.SplitAtEveryIndex"/> are checked; since they must
    /// all equal the span parse, the one returned stands for every split.
    /// </summary>
    public static ParseOutcome Parse(byte[] input, BufferShape shape, in ProxyParserOptions options)
    {
        ParseOutcome reference = ParseWhole(input, options);
        ParseOutcome actual = shape switch
        {
            BufferShape.Whole => reference,

            // Appending can only change an undecided input: that is what NeedMoreData means.
            BufferShape.TrailingData when reference.Status == OperationStatus.NeedMoreData => reference,
            BufferShape.Guarded => ParseGuarded(input, options),
            BufferShape.TrailingData => ParseWithTrailingData(input, options),
            BufferShape.SingleSegment => ParseSequence(input, new ReadOnlySequence<byte>(input), options),
            BufferShape.SplitAtEveryIndex => ParseEverySplit(input, reference, options),
            BufferShape.BytePerSegment => ParseSequence(input, Sequences.BytePerSegment(input), options),
            _ => throw new ArgumentOutOfRangeException(nameof(shape)),
        };

        AssertSame(reference, actual, shape.ToString());
        return actual;
    }

    /// <summary>Parses <paramref name="input"/> as two segments cut at <paramref name="splitAt"/>, and checks it against the span parse.</summary>
    public static ParseOutcome ParseSplit(byte[] input, int splitAt, in ProxyParserOptions options)
    {
        ParseOutcome reference = ParseWhole(input, options);
        ParseOutcome actual = ParseSplitCore(input, splitAt, options);
        AssertSame(reference, actual, $"Split@{splitAt}");
        return actual;
    }

    /// <summary>Parses every shape of <paramref name="input"/>; returns the span outcome.</summary>
    public static ParseOutcome ParseAllShapes(byte[] input, in ProxyParserOptions options)
    {
        foreach (BufferShape shape in All)
        {
            Parse(input, shape, options);
        }

        return ParseWhole(input, options);
    }

    /// <summary>The promises of <see cref="OperationStatus"/> and <see cref="ProxyHeaderError"/> that hold for any input.</summary>
    public static void AssertContract(ParseOutcome outcome, int inputLength)
    {
        Assert.InRange(outcome.BytesConsumed, 0, inputLength);
        switch (outcome.Status)
        {
            case OperationStatus.Done:
                Assert.Equal(ProxyHeaderError.None, outcome.Error);
                Assert.True(outcome.BytesConsumed > 0, "Done consumes the header.");
                Assert.Equal(outcome.Header.Length, outcome.BytesConsumed);
                Assert.InRange(outcome.Header.TlvOffset + outcome.Header.TlvLength, 0, outcome.BytesConsumed);
                break;
            case OperationStatus.NeedMoreData:
                Assert.Equal(ProxyHeaderError.None, outcome.Error);
                Assert.Equal(0, outcome.BytesConsumed); // DET-07: nothing is handed on before the header is whole
                break;
            case OperationStatus.InvalidData:
                Assert.NotEqual(ProxyHeaderError.None, outcome.Error);
                Assert.NotEqual(ProxyHeaderError.IncompleteHeader, outcome.Error); // only for callers that know the input ended
                Assert.Equal(0, outcome.BytesConsumed);
                break;
            default:
                Assert.Fail($"The parser returned {outcome.Status}.");
                break;
        }
    }

    private static void AssertSame(ParseOutcome expected, ParseOutcome actual, string shape)
    {
        Assert.True(expected.Status == actual.Status, $"{shape}: status {actual.Status}, span parse gave {expected.Status}.");
        Assert.True(expected.Error == actual.Error, $"{shape}: error {actual.Error}, span parse gave {expected.Error}.");
        Assert.True(expected.BytesConsumed == actual.BytesConsumed, $"{shape}: consumed {actual.BytesConsumed}, span parse gave {expected.BytesConsumed}.");
        Assert.True(expected.Header == actual.Header, $"{shape}: header {actual.Header}, span parse gave {expected.Header}.");
        Assert.Equal(expected.Header.Version, actual.Header.Version);
        Assert.Equal(expected.Header.Length, actual.Header.Length);
        Assert.Equal(expected.Header.TlvOffset, actual.Header.TlvOffset);
        Assert.Equal(expected.Header.TlvLength, actual.Header.TlvLength);
        Assert.True(expected.Tlvs.Bytes.SequenceEqual(actual.Tlvs.Bytes), $"{shape}: the TLV region differs.");
    }

    private static ParseOutcome ParseGuarded(byte[] input, in ProxyParserOptions options)
    {
        byte[] backing = new byte[GuardLength + input.Length + GuardLength];
        backing.AsSpan().Fill(GuardByte);
        input.CopyTo(backing, GuardLength);
        byte[] before = (byte[])backing.Clone();

        OperationStatus status = ProxyHeaderParser.Parse(backing.AsSpan(GuardLength, input.Length), options, out ProxyHeader header, out int consumed, out ProxyHeaderError error);

        Assert.True(before.AsSpan().SequenceEqual(backing), "The parser changed bytes of its input or around it.");
        return new ParseOutcome(status, header, consumed, error, input);
    }

    private static ParseOutcome ParseWithTrailingData(byte[] input, in ProxyParserOptions options)
    {
        byte[] extended = Hex.Concat(input, s_trailing);
        OperationStatus status = ProxyHeaderParser.Parse(extended, options, out ProxyHeader header, out int consumed, out ProxyHeaderError error);
        ParseOutcome outcome = new(status, header, consumed, error, extended);
        AssertContract(outcome, extended.Length);

        // Bytes after a decided input change nothing; the ones after the header stay for the application.
        return new ParseOutcome(status, header, consumed, error, input);
    }

    private static ParseOutcome ParseEverySplit(byte[] input, ParseOutcome reference, in ProxyParserOptions options)
    {
        ParseOutcome last = reference;
        for (int splitAt = 0; splitAt <= input.Length; splitAt++)
        {
            last = ParseSplitCore(input, splitAt, options);
            AssertSame(reference, last, $"Split@{splitAt}");
        }

        return last;
    }

    private static ParseOutcome ParseSplitCore(byte[] input, int splitAt, in ProxyParserOptions options)
    {
        byte[] backing = new byte[GuardLength + input.Length + GuardLength];
        backing.AsSpan().Fill(GuardByte);
        input.CopyTo(backing, GuardLength);
        ReadOnlyMemory<byte> data = backing.AsMemory(GuardLength, input.Length);
        return ParseSequence(input, Sequences.Split(data, splitAt), options);
    }

    private static ParseOutcome ParseSequence(byte[] input, ReadOnlySequence<byte> sequence, in ProxyParserOptions options)
    {
        OperationStatus status = ProxyHeaderParser.Parse(sequence, options, out ProxyHeader header, out int consumed, out ProxyHeaderError error);
        ParseOutcome outcome = new(status, header, consumed, error, input);
        AssertContract(outcome, input.Length);
        return outcome;
    }
}
