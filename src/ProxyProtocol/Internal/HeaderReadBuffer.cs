using System;
using System.Buffers;
using System.Diagnostics;

namespace ProxyProtocol.Internal;

/// <summary>
/// The pooled buffer a reading adapter collects header bytes in, with the parse step every adapter shares.
/// </summary>
/// <remarks>
/// A mutable struct that owns a rented array: keep it in one local, never copy it, and call
/// <see cref="Dispose"/> exactly once. It starts at 256 bytes, which holds any v1 line and a typical v2
/// header; a longer v2 header (up to <see cref="ProxyParserOptions.MaxHeaderLength"/>) grows it once.
/// </remarks>
internal struct HeaderReadBuffer : IDisposable
{
    private const int InitialSize = 256;

    private byte[] _buffer;
    private int _count;

    public HeaderReadBuffer()
    {
        _buffer = ArrayPool<byte>.Shared.Rent(InitialSize);
    }

    /// <summary>The bytes received so far.</summary>
    public readonly ReadOnlySpan<byte> Received => _buffer.AsSpan(0, _count);

    /// <summary>The number of bytes received so far.</summary>
    public readonly int Count => _count;

    /// <summary>The room left without growing.</summary>
    public readonly int Available => _buffer.Length - _count;

    /// <summary>Returns the next <paramref name="length"/> bytes after those received, growing the buffer if needed.</summary>
    public Memory<byte> GetMemory(int length)
    {
        Debug.Assert(length > 0);
        if (length > _buffer.Length - _count)
        {
            byte[] larger = ArrayPool<byte>.Shared.Rent(_count + length);
            _buffer.AsSpan(0, _count).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        return _buffer.AsMemory(_count, length);
    }

    /// <summary>Records that <paramref name="count"/> bytes were written into the memory from <see cref="GetMemory"/>.</summary>
    public void Advance(int count)
    {
        Debug.Assert(count >= 0 && _count + count <= _buffer.Length);
        _count += count;
    }

    /// <summary>
    /// Parses the bytes received so far, which an exact reader never lets run past the header. Returns
    /// <see langword="true"/> with the header once complete, <see langword="false"/> while more is needed.
    /// </summary>
    /// <exception cref="ProxyProtocolException">The bytes are not a valid header.</exception>
    public readonly bool TryComplete(in ProxyParserOptions options, out ReceivedProxyHeader received)
    {
        if (HeaderLengthBound.IsIncompleteV2(Received, options))
        {
            // Not parsed again until it is whole: parsing every prefix is quadratic for a trickled header.
            received = default;
            return false;
        }

        OperationStatus status = ProxyHeaderParser.Parse(Received, options, out ProxyHeader header, out int consumed, out ProxyHeaderError error);
        switch (status)
        {
            case OperationStatus.Done:
                Debug.Assert(consumed == _count, "An exact reader read past the header.");
                received = ReceivedProxyHeader.Create(header, Received);
                return true;
            case OperationStatus.NeedMoreData:
                received = default;
                return false;
            default:
                throw new ProxyProtocolException(error);
        }
    }

    /// <summary>
    /// Parses the received bytes followed by <paramref name="peeked"/> more (already in the buffer, not yet
    /// recorded) and returns how many of those belong to the header: all of them while it is incomplete,
    /// the rest of the header when it ends among them (then <paramref name="complete"/> is set and
    /// <paramref name="header"/> holds it, with offsets relative to the buffer's start).
    /// </summary>
    /// <exception cref="ProxyProtocolException">The bytes are not a valid header.</exception>
    public readonly int GetHeaderBytesIn(int peeked, in ProxyParserOptions options, out bool complete, out ProxyHeader header)
    {
        ReadOnlySpan<byte> candidate = _buffer.AsSpan(0, _count + peeked);
        if (HeaderLengthBound.IsIncompleteV2(candidate, options))
        {
            complete = false;
            header = default;
            return peeked;
        }

        OperationStatus status = ProxyHeaderParser.Parse(candidate, options, out header, out int consumed, out ProxyHeaderError error);
        switch (status)
        {
            case OperationStatus.Done:
                complete = true;
                return consumed - _count;
            case OperationStatus.NeedMoreData:
                complete = false;
                return peeked;
            default:
                throw new ProxyProtocolException(error);
        }
    }

    /// <summary>
    /// The exception for a connection that ended before the header did: the error in the bytes received, if they
    /// have one (a v2 header is parsed only once whole, see <see cref="HeaderLengthBound.IsIncompleteV2(ReadOnlySpan{byte}, in ProxyParserOptions)"/>),
    /// otherwise <see cref="ProxyHeaderError.IncompleteHeader"/>.
    /// </summary>
    public readonly ProxyProtocolException CreateEndOfStreamException(in ProxyParserOptions options)
    {
        OperationStatus status = ProxyHeaderParser.Parse(Received, options, out _, out _, out ProxyHeaderError error);
        return new ProxyProtocolException(status == OperationStatus.InvalidData ? error : ProxyHeaderError.IncompleteHeader);
    }

    /// <summary>Copies the received bytes into a new array (for replaying them to the application).</summary>
    public readonly byte[] ToArray() => Received.ToArray();

    public void Dispose()
    {
        byte[] buffer = _buffer;
        _buffer = [];
        _count = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
