using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace ProxyProtocol.Hostile.Tests.Infrastructure;

/// <summary>
/// A read-only stream over a byte array that returns at most <c>chunk</c> bytes per read (a trickling peer, without
/// the waiting) and counts what it gave out, to pin how far a reader read. Wraps another stream to count only.
/// </summary>
public sealed class ChunkedStream : Stream
{
    private readonly Stream _inner;
    private readonly int _chunk;

    public ChunkedStream(byte[] data, int chunk = int.MaxValue)
        : this(new MemoryStream(data, writable: false), chunk)
    {
    }

    public ChunkedStream(Stream inner, int chunk = int.MaxValue)
    {
        _inner = inner;
        _chunk = chunk;
    }

    /// <summary>Bytes returned to the reader so far.</summary>
    public long BytesRead { get; private set; }

    /// <summary>Calls to Read/ReadAsync so far.</summary>
    public int Reads { get; private set; }

    public void Rewind()
    {
        _inner.Position = 0;
        BytesRead = 0;
        Reads = 0;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int read = _inner.Read(buffer.Slice(0, Math.Min(buffer.Length, _chunk)));
        Reads++;
        BytesRead += read;
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int read = await _inner.ReadAsync(buffer.Slice(0, Math.Min(buffer.Length, _chunk)), cancellationToken);
        Reads++;
        BytesRead += read;
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
