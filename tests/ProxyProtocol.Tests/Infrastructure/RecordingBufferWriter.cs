using System;
using System.Buffers;

namespace ProxyProtocol.Tests.Infrastructure;

/// <summary>An <see cref="IBufferWriter{T}"/> that counts calls, to check that a header is committed in one piece (TX-01).</summary>
internal sealed class RecordingBufferWriter : IBufferWriter<byte>
{
    private readonly ArrayBufferWriter<byte> _inner = new();

    public int GetSpanCalls { get; private set; }

    public int AdvanceCalls { get; private set; }

    public ReadOnlySpan<byte> WrittenSpan => _inner.WrittenSpan;

    public void Advance(int count)
    {
        AdvanceCalls++;
        _inner.Advance(count);
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        GetSpanCalls++;
        return _inner.GetMemory(sizeHint);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        GetSpanCalls++;
        return _inner.GetSpan(sizeHint);
    }
}
