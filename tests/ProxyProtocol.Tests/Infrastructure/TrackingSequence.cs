using System;
using System.Buffers;
using System.Collections.Generic;

namespace ProxyProtocol.Tests.Infrastructure;

/// <summary>
/// A sequence of one-byte segments that records which segments' bytes were looked at: every segment is a
/// <see cref="MemoryManager{T}"/>, and a segment's bytes can only be read through its <see cref="MemoryManager{T}.GetSpan"/>.
/// Lets a test assert how far the parser read, without timing anything.
/// </summary>
internal sealed class TrackingSequence
{
    private readonly TrackingMemory[] _segments;

    public TrackingSequence(ReadOnlySpan<byte> data)
    {
        _segments = new TrackingMemory[data.Length];
        List<ReadOnlyMemory<byte>> parts = new(data.Length);
        for (int i = 0; i < data.Length; i++)
        {
            _segments[i] = new TrackingMemory(data[i]);
            parts.Add(_segments[i].CreateMemory());
        }

        Sequence = Sequences.FromSegments(parts);
    }

    public ReadOnlySequence<byte> Sequence { get; }

    /// <summary>The index of the last byte whose segment was read, or -1 when none was.</summary>
    public int LastTouchedIndex
    {
        get
        {
            for (int i = _segments.Length - 1; i >= 0; i--)
            {
                if (_segments[i].Touched)
                {
                    return i;
                }
            }

            return -1;
        }
    }

    private sealed class TrackingMemory : MemoryManager<byte>
    {
        private readonly byte[] _value;

        public TrackingMemory(byte value) => _value = [value];

        public bool Touched { get; private set; }

        // MemoryManager.Memory would call GetSpan to learn the length; this does not.
        public Memory<byte> CreateMemory() => CreateMemory(_value.Length);

        public override Span<byte> GetSpan()
        {
            Touched = true;
            return _value;
        }

        // The parser has no business pinning received bytes.
        public override MemoryHandle Pin(int elementIndex = 0) => throw new NotSupportedException("The parser must not pin input memory.");

        public override void Unpin()
        {
        }

        protected override void Dispose(bool disposing)
        {
        }
    }
}
