using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace ProxyProtocol.Tests.Adapters;

/// <summary>
/// A read-only in-memory stream that hands out its data in scripted chunks, as a network stream does when
/// a header arrives in several segments: a read never crosses a chunk boundary.
/// </summary>
/// <remarks>
/// With <see cref="GuardEnd"/> set, it fails the test if a reader ever asks for bytes past that offset while
/// still before it: an exact header reader must never request more than the header still has, because on
/// a stream that fills whole buffers (a MemoryStream, a TLS stream) that request would consume payload.
/// </remarks>
internal sealed class ScriptedReadStream : Stream
{
    private readonly byte[] _data;
    private readonly int[] _chunkEnds;
    private int _position;
    private int _chunk;

    /// <param name="data">Everything the stream holds.</param>
    /// <param name="chunkSizes">The sizes of the chunks, in order; the rest after them is one last chunk.</param>
    public ScriptedReadStream(byte[] data, params int[] chunkSizes)
    {
        _data = data;
        var ends = new System.Collections.Generic.List<int>();
        int end = 0;
        foreach (int size in chunkSizes)
        {
            end += size;
            if (end >= data.Length)
            {
                break;
            }

            ends.Add(end);
        }

        ends.Add(data.Length);
        _chunkEnds = [.. ends];
    }

    /// <summary>Creates a stream whose chunks are all <paramref name="size"/> bytes.</summary>
    public static ScriptedReadStream WithChunksOf(byte[] data, int size)
    {
        int[] sizes = new int[(data.Length + size - 1) / size];
        Array.Fill(sizes, size);
        return new ScriptedReadStream(data, sizes);
    }

    /// <summary>Creates a stream whose chunks have random sizes from 1 to <paramref name="maxSize"/>, reproducibly.</summary>
    public static ScriptedReadStream WithRandomChunks(byte[] data, int seed, int maxSize)
    {
        var random = new Random(seed);
        var sizes = new System.Collections.Generic.List<int>();
        for (int total = 0; total < data.Length;)
        {
            int size = random.Next(1, maxSize + 1);
            sizes.Add(size);
            total += size;
        }

        return new ScriptedReadStream(data, [.. sizes]);
    }

    /// <summary>An offset no single read may ask to cross (the header's end); -1 for none.</summary>
    public int GuardEnd { get; set; } = -1;

    /// <summary>The number of read calls made.</summary>
    public int ReadCalls { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => _data.Length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        ReadCalls++;
        if (GuardEnd >= 0 && _position < GuardEnd)
        {
            Assert.True(_position + buffer.Length <= GuardEnd, $"A read at offset {_position} asked for {buffer.Length} bytes, past the header's end at {GuardEnd}.");
        }

        if (buffer.IsEmpty || _position == _data.Length)
        {
            return 0;
        }

        while (_chunkEnds[_chunk] <= _position)
        {
            _chunk++;
        }

        int count = Math.Min(buffer.Length, _chunkEnds[_chunk] - _position);
        _data.AsSpan(_position, count).CopyTo(buffer);
        _position += count;
        return count;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Read(buffer.Span));
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
