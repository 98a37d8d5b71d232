using System;
using System.Buffers;
using System.Collections.Generic;
using System.Linq;
using ProxyProtocol.Tests.Infrastructure;
using ProxyProtocol.Tests.Properties;
using ProxyProtocol.Tests.Vectors;

namespace ProxyProtocol.Tests.Parser;

/// <summary>
/// The <see cref="ReadOnlySequence{T}"/> overload copies only the bytes that decide a header when it spans
/// segments, and parses them once; it must give exactly what the span parser (tested on its own everywhere
/// else) gives on the same bytes: status, error, length and header, for every input and every segmentation.
/// Inputs: every catalog vector followed by application data, every prefix of it, and every byte of it
/// corrupted; segmentations: every two-way split, three-way splits around the places where the copy changes
/// course (the first byte, the v2 fixed part, the line or header end, the stack buffer's end), one byte per
/// segment. Segments carry extra bytes outside the sequence's start and end, so reading past either shows.
/// </summary>
public class SequenceDifferentialTests
{
    // After every vector: a CRLF and a v2 signature, so a parser that reads past the header sees something plausible.
    private static readonly byte[] s_applicationData = Hex.Concat(Hex.Ascii("GET / HTTP/1.1\r\n"), TestVectors.Signature);

    // Outside the sequence, in the first and the last segment's memory: bytes that would complete a cut-off line.
    private static readonly byte[] s_outside = Hex.Ascii("\r\n\r\n");

    // Byte values a corruption writes: each flips some decision of the parser.
    private static readonly byte[] s_corruptions = [0x00, 0xFF, (byte)'\r', (byte)'\n', (byte)' ', (byte)'P', 0x0D];

    private static readonly ProxyParserOptions[] s_otherOptions =
    [
        new() { MaxHeaderLength = ProxyParserOptions.MinMaxHeaderLength },
        new() { MaxHeaderLength = 100 },
        RoundTripProperties.LargeHeaders,
        new() { AllowedVersions = ProxyVersions.V1 },
        new() { AllowedVersions = ProxyVersions.V2, VerifyCrc32c = false },
    ];

    public static TheoryData<string> VectorNames => new(TestVectors.All.Select(v => v.Name));

    // DET-07 and V2-05: a header's outcome does not depend on how its bytes arrived in memory.
    [Theory]
    [MemberData(nameof(VectorNames))]
    public void Every_segmentation_of_every_prefix_matches_the_span_parse(string name)
    {
        TestVector vector = TestVectors.Get(name);
        byte[] input = Hex.Concat(vector.Bytes, s_applicationData);
        for (int length = 0; length <= input.Length; length++)
        {
            byte[] prefix = input.AsSpan(0, length).ToArray();
            CheckEverySegmentation(prefix, vector.Options, Cuts(prefix));
            foreach (ProxyParserOptions options in s_otherOptions)
            {
                CheckTwoWaySplits(prefix, options);
            }
        }
    }

    // Every byte of every vector changed to values that change the parser's course.
    [Theory]
    [MemberData(nameof(VectorNames))]
    public void Every_segmentation_of_every_corrupted_vector_matches_the_span_parse(string name)
    {
        TestVector vector = TestVectors.Get(name);
        byte[] input = Hex.Concat(vector.Bytes, s_applicationData);
        for (int position = 0; position < vector.Bytes.Length; position++)
        {
            foreach (byte value in s_corruptions)
            {
                byte[] corrupted = (byte[])input.Clone();
                corrupted[position] = value;
                CheckEverySegmentation(corrupted, vector.Options, FewCuts(corrupted));
            }
        }
    }

    // Headers over the inline stack copy (128 bytes) and over the 512-byte stack copy of the longer path.
    [Theory]
    [InlineData(120)]
    [InlineData(128)]
    [InlineData(129)]
    [InlineData(512)]
    [InlineData(513)]
    [InlineData(1500)]
    public void Long_v2_headers_match_the_span_parse_in_every_segmentation(int length)
    {
        byte[] header = TestVectors.V2(0x21, 0x11, TestVectors.InetBlock, TestVectors.Tlv(0x04, new byte[length - 16 - 12 - 3]));
        Assert.Equal(length, header.Length);
        byte[] input = Hex.Concat(header, s_applicationData);
        foreach (ProxyParserOptions options in new[] { default, RoundTripProperties.LargeHeaders, new ProxyParserOptions { MaxHeaderLength = length - 1 } })
        {
            Assert.Equal(options.MaxHeaderLength >= length ? OperationStatus.Done : OperationStatus.InvalidData, BufferShapes.ParseWhole(input, options).Status);
            for (int cut = 0; cut <= input.Length; cut += cut < 20 || Math.Abs(cut - length) < 3 ? 1 : 7)
            {
                byte[] prefix = input.AsSpan(0, cut).ToArray();
                CheckEverySegmentation(prefix, options, FewCuts(prefix));
            }

            CheckEverySegmentation(input, options, Cuts(input));
        }
    }

    // The sequence overload must parse the benchmark's shapes in place or through one copy, with no second parse
    // needed to learn the length: pinned here by result only, the cost is in ParseBenchmarks.
    [Fact]
    public void Headers_split_like_the_benchmarks_parse()
    {
        byte[] v2 = TestVectors.V2(0x21, 0x11, TestVectors.InetBlock);
        byte[] v1 = Hex.Ascii("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n");
        Assert.Equal(OperationStatus.Done, ProxyHeaderParser.Parse(Sequences.Split(v2, 10, 20), out ProxyHeader header, out int consumed, out _));
        Assert.Equal(28, consumed);
        Assert.Equal(56324, header.SourcePort);
        Assert.Equal(OperationStatus.Done, ProxyHeaderParser.Parse(Sequences.Split(v1, 16, 32), out header, out consumed, out _));
        Assert.Equal(47, consumed);
        Assert.Equal(56324, header.SourcePort);
    }

    /// <summary>Two-way splits at every index, three-way splits at every pair of <paramref name="cuts"/>, one byte per segment.</summary>
    private static void CheckEverySegmentation(byte[] input, in ProxyParserOptions options, int[] cuts)
    {
        ParseOutcome expected = BufferShapes.ParseWhole(input, options);
        for (int first = 0; first <= input.Length; first++)
        {
            Check(expected, input, options, first);
        }

        for (int i = 0; i < cuts.Length; i++)
        {
            for (int j = i; j < cuts.Length; j++)
            {
                Check(expected, input, options, cuts[i], cuts[j]);
            }
        }

        Check(expected, input, options, Enumerable.Range(1, Math.Max(0, input.Length - 1)).ToArray());
    }

    private static void CheckTwoWaySplits(byte[] input, in ProxyParserOptions options)
    {
        ParseOutcome expected = BufferShapes.ParseWhole(input, options);
        for (int first = 0; first <= input.Length; first++)
        {
            Check(expected, input, options, first);
        }
    }

    /// <summary>
    /// Where a cut changes the copy's course: the first byte, the v1 prefix, the v2 fixed part and its length
    /// field, the v1 line end, the v2 header end, the 128-byte inline buffer; plus every fifth index.
    /// </summary>
    private static int[] Cuts(byte[] input)
    {
        int lineFeed = Array.IndexOf(input, (byte)'\n');
        int v2End = input.Length >= 16 ? 16 + ((input[14] << 8) | input[15]) : 16;
        int[] marks = [0, 1, 2, 5, 6, 7, 11, 12, 13, 14, 15, 16, 17, lineFeed, lineFeed + 1, v2End - 1, v2End, v2End + 1, 105, 106, 107, 127, 128, 129, input.Length - 1, input.Length];
        return marks.Concat(Enumerable.Range(0, input.Length / 5).Select(i => 5 * i))
            .Where(cut => cut >= 0 && cut <= input.Length)
            .Distinct()
            .Order()
            .ToArray();
    }

    /// <summary>Fewer cuts, for the many corrupted inputs: the first byte, the fixed part, the line and header end.</summary>
    private static int[] FewCuts(byte[] input)
    {
        int lineFeed = Array.IndexOf(input, (byte)'\n');
        int v2End = input.Length >= 16 ? 16 + ((input[14] << 8) | input[15]) : 16;
        int[] marks = [1, 6, 14, 16, lineFeed, lineFeed + 1, v2End, 128, input.Length - 1];
        return marks.Where(cut => cut >= 0 && cut <= input.Length).Distinct().Order().ToArray();
    }

    private static void Check(ParseOutcome expected, byte[] input, in ProxyParserOptions options, params int[] cuts)
    {
        ReadOnlySequence<byte> sequence = SplitWithOutsideBytes(input, cuts);
        OperationStatus status = ProxyHeaderParser.Parse(sequence, options, out ProxyHeader header, out int consumed, out ProxyHeaderError error);
        if (status != expected.Status || error != expected.Error || consumed != expected.BytesConsumed || header != expected.Header ||
            header.Length != expected.Header.Length || header.TlvOffset != expected.Header.TlvOffset || header.TlvLength != expected.Header.TlvLength)
        {
            Assert.Fail(
                $"Input {Convert.ToHexString(input)} cut at [{string.Join(", ", cuts)}], MaxHeaderLength {options.MaxHeaderLength}, {options.AllowedVersions}: " +
                $"the sequence gave {status} {error} consumed={consumed} {header}; the span {expected}.");
        }
    }

    /// <summary>
    /// The input cut at <paramref name="cuts"/> into segments; the first segment's memory starts, and the last
    /// one's ends, with <see cref="s_outside"/>, which the sequence excludes.
    /// </summary>
    private static ReadOnlySequence<byte> SplitWithOutsideBytes(byte[] input, int[] cuts)
    {
        List<ReadOnlyMemory<byte>> parts = Sequences.Cut(input, cuts);
        parts[0] = Hex.Concat(s_outside, parts[0].ToArray());
        parts[^1] = Hex.Concat(parts[^1].ToArray(), s_outside);
        ReadOnlySequence<byte> padded = Sequences.FromSegments(parts);
        ReadOnlySequence<byte> sequence = padded.Slice(s_outside.Length, input.Length);
        Assert.Equal(input.Length, sequence.Length);
        return sequence;
    }
}
