using System;
using System.Buffers;

namespace ProxyProtocol.Fuzz;

/// <summary>
/// Builds multi-segment <see cref="ReadOnlySequence{T}"/> views of one input, the shapes a
/// <c>PipeReader</c> can hand over: split at chosen points, one byte per segment, or segment sizes taken
/// from the input's own bytes. Segments share the input's memory; nothing is copied.
/// </summary>
internal static class Segments
{
    /// <summary>Inputs longer than this get one-byte segments only this far, then one segment for the rest.</summary>
    private const int OneByteSegmentsLimit = 8192;

    /// <summary>Two segments, the first <paramref name="at"/> bytes long (0 gives an empty first segment).</summary>
    public static ReadOnlySequence<byte> SplitAt(ReadOnlyMemory<byte> input, int at)
    {
        Segment first = new(input.Slice(0, at), 0);
        Segment last = first.Append(input.Slice(at));
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>One segment per byte (up to a limit, so that huge inputs stay fast).</summary>
    public static ReadOnlySequence<byte> OneBytePerSegment(ReadOnlyMemory<byte> input)
    {
        if (input.Length <= 1)
        {
            return new ReadOnlySequence<byte>(input);
        }

        int ones = Math.Min(input.Length - 1, OneByteSegmentsLimit);
        Segment first = new(input.Slice(0, 1), 0);
        Segment last = first;
        for (int i = 1; i < ones; i++)
        {
            last = last.Append(input.Slice(i, 1));
        }

        last = last.Append(input.Slice(ones));
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>
    /// Segment sizes of 0 to 10 bytes read from the input backwards, so the bytes after a header (which
    /// the parser never looks at) steer the split and the fuzzer can vary it without changing the header.
    /// Empty segments are included on purpose.
    /// </summary>
    public static ReadOnlySequence<byte> InputDriven(ReadOnlyMemory<byte> input)
    {
        ReadOnlySpan<byte> span = input.Span;
        if (span.IsEmpty)
        {
            return new ReadOnlySequence<byte>(input);
        }

        Segment first = new(ReadOnlyMemory<byte>.Empty, 0);
        Segment last = first;
        int offset = 0;
        for (int i = 0; offset < input.Length && i < OneByteSegmentsLimit; i++)
        {
            int size = Math.Min(span[span.Length - 1 - (i % span.Length)] % 11, input.Length - offset);
            last = last.Append(input.Slice(offset, size));
            offset += size;
        }

        if (offset < input.Length)
        {
            last = last.Append(input.Slice(offset));
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            Segment next = new(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
