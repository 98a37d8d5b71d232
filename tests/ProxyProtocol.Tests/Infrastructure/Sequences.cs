using System;
using System.Buffers;
using System.Collections.Generic;

namespace ProxyProtocol.Tests.Infrastructure;

/// <summary>Builds multi-segment <see cref="ReadOnlySequence{T}"/>s, as a <c>PipeReader</c> hands them out.</summary>
internal static class Sequences
{
    /// <summary>Cuts <paramref name="data"/> at the given offsets (ascending; 0 and the length give empty segments).</summary>
    public static ReadOnlySequence<byte> Split(ReadOnlyMemory<byte> data, params int[] cuts) => FromSegments(Cut(data, cuts));

    /// <summary>The pieces of <paramref name="data"/> cut at the given offsets, for callers that change them before joining.</summary>
    public static List<ReadOnlyMemory<byte>> Cut(ReadOnlyMemory<byte> data, int[] cuts)
    {
        List<ReadOnlyMemory<byte>> parts = new(cuts.Length + 1);
        int start = 0;
        foreach (int cut in cuts)
        {
            parts.Add(data.Slice(start, cut - start));
            start = cut;
        }

        parts.Add(data.Slice(start));
        return parts;
    }

    /// <summary>One segment per byte.</summary>
    public static ReadOnlySequence<byte> BytePerSegment(ReadOnlyMemory<byte> data)
    {
        List<ReadOnlyMemory<byte>> parts = new(data.Length);
        for (int i = 0; i < data.Length; i++)
        {
            parts.Add(data.Slice(i, 1));
        }

        return FromSegments(parts);
    }

    /// <summary>Chains the given memories, empty ones included, into one sequence.</summary>
    public static ReadOnlySequence<byte> FromSegments(IReadOnlyList<ReadOnlyMemory<byte>> parts)
    {
        if (parts.Count == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        Segment first = new(parts[0], 0);
        Segment last = first;
        for (int i = 1; i < parts.Count; i++)
        {
            last = last.Append(parts[i]);
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
