using System;
using System.Buffers;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using ProxyProtocol.Internal;

namespace ProxyProtocol;

/// <summary>
/// A stream over a connection whose PROXY header is optional: it tells whether a header came and replays
/// the first bytes of a connection that had none, so the application still reads all of them.
/// </summary>
/// <remarks>
/// <para>
/// <b>Off-spec on purpose.</b> The spec forbids guessing whether a header is present (DET-04, RX-06): a
/// port that takes headers from anyone lets any client forge its address. Use this only where a header is
/// truly optional and the peers are trusted; where a header is required, call
/// <see cref="ProxyStreamExtensions.ReadProxyHeaderAsync"/> on the stream itself.
/// </para>
/// <para>
/// The decision needs the first bytes: a connection without a header is recognised as soon as a byte
/// differs from both signatures (<c>"PROXY "</c>, or the v2 signature), usually the first one; those few
/// bytes (at most 16) are then served again by <see cref="Read(Span{byte})"/> before the inner stream's.
/// A client that sends nothing, or stops inside a signature prefix, keeps the decision waiting: bound
/// it with the token. Once a signature has matched, the header is required: an invalid one throws
/// <see cref="ProxyProtocolException"/> as in the strict mode. Header bytes are read exactly, so with a
/// header nothing is replayed and reads go straight to the inner stream.
/// </para>
/// </remarks>
public sealed class ProxyProtocolStream : Stream
{
    private readonly Stream _innerStream;
    private readonly bool _leaveOpen;
    private readonly ReceivedProxyHeader? _header;
    private byte[] _replay;
    private int _replayOffset;
    private bool _innerDisposed;

    private ProxyProtocolStream(Stream innerStream, bool leaveOpen, ReceivedProxyHeader? header, byte[] replay)
    {
        _innerStream = innerStream;
        _leaveOpen = leaveOpen;
        _header = header;
        _replay = replay;
    }

    /// <summary>The connection under this stream.</summary>
    public Stream InnerStream => _innerStream;

    /// <summary>The header, when the connection started with one; otherwise <see langword="null"/>.</summary>
    public ReceivedProxyHeader? Header => _header;

    /// <summary>Whether the connection started with a PROXY header.</summary>
    public bool HasHeader => _header.HasValue;

    /// <summary>
    /// Reads a PROXY header if the connection starts with one, and returns a stream that yields every byte
    /// that follows it, or, without a header, every byte of the connection.
    /// </summary>
    /// <param name="innerStream">The connection, positioned at its first byte.</param>
    /// <param name="options">Limits and allowed versions for a header that is present.</param>
    /// <param name="leaveOpen">Whether disposing the returned stream leaves <paramref name="innerStream"/> open.</param>
    /// <param name="cancellationToken">Cancels the read; use it for the header timeout (RX-04).</param>
    /// <returns>The stream to read the application's data from; <see cref="Header"/> tells whether a header came.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="innerStream"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="innerStream"/> cannot be read.</exception>
    /// <exception cref="ProxyProtocolException">A signature matched but the header is invalid or cut off.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public static ValueTask<ProxyProtocolStream> ReadOptionalHeaderAsync(Stream innerStream, ProxyParserOptions options = default, bool leaveOpen = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(innerStream);
        if (!innerStream.CanRead)
        {
            throw new ArgumentException("The stream does not support reading.", nameof(innerStream));
        }

        return ReadOptionalCoreAsync(innerStream, options, leaveOpen, cancellationToken);
    }

    private static async ValueTask<ProxyProtocolStream> ReadOptionalCoreAsync(Stream innerStream, ProxyParserOptions options, bool leaveOpen, CancellationToken cancellationToken)
    {
        var buffer = new HeaderReadBuffer();
        try
        {
            bool detected = false;
            while (true)
            {
                if (!detected)
                {
                    OperationStatus detection = ProxyHeaderParser.DetectVersion(buffer.Received, out _);
                    if (detection == OperationStatus.InvalidData)
                    {
                        return new ProxyProtocolStream(innerStream, leaveOpen, null, buffer.ToArray());
                    }

                    detected = detection == OperationStatus.Done;
                }

                if (detected && buffer.TryComplete(options, out ReceivedProxyHeader header))
                {
                    return new ProxyProtocolStream(innerStream, leaveOpen, header, []);
                }

                Memory<byte> next = buffer.GetMemory(HeaderLengthBound.GetMinimumRemaining(buffer.Received));
                int read = await innerStream.ReadAsync(next, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    if (detected)
                    {
                        throw buffer.CreateEndOfStreamException(options);
                    }

                    // Ended inside a signature prefix (or at once): not a header, hand back what came.
                    return new ProxyProtocolStream(innerStream, leaveOpen, null, buffer.ToArray());
                }

                buffer.Advance(read);
            }
        }
        finally
        {
            buffer.Dispose();
        }
    }

    /// <inheritdoc/>
    public override bool CanRead => _innerStream.CanRead;

    /// <inheritdoc/>
    public override bool CanWrite => _innerStream.CanWrite;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override bool CanTimeout => _innerStream.CanTimeout;

    /// <inheritdoc/>
    public override int ReadTimeout
    {
        get => _innerStream.ReadTimeout;
        set => _innerStream.ReadTimeout = value;
    }

    /// <inheritdoc/>
    public override int WriteTimeout
    {
        get => _innerStream.WriteTimeout;
        set => _innerStream.WriteTimeout = value;
    }

    /// <inheritdoc/>
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc/>
    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        return Read(buffer.AsSpan(offset, count));
    }

    /// <inheritdoc/>
    public override int Read(Span<byte> buffer)
    {
        if (TryReadReplay(buffer, out int copied))
        {
            return copied;
        }

        return _innerStream.Read(buffer);
    }

    /// <inheritdoc/>
    public override int ReadByte()
    {
        Span<byte> one = stackalloc byte[1];
        return Read(one) == 1 ? one[0] : -1;
    }

    /// <inheritdoc/>
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    /// <inheritdoc/>
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // Checked before the replay buffer moves: a cancelled read must leave every byte for the next one.
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<int>(cancellationToken);
        }

        if (TryReadReplay(buffer.Span, out int copied))
        {
            return ValueTask.FromResult(copied);
        }

        return _innerStream.ReadAsync(buffer, cancellationToken);
    }

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => _innerStream.Write(buffer, offset, count);

    /// <inheritdoc/>
    public override void Write(ReadOnlySpan<byte> buffer) => _innerStream.Write(buffer);

    /// <inheritdoc/>
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        _innerStream.WriteAsync(buffer, offset, count, cancellationToken);

    /// <inheritdoc/>
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        _innerStream.WriteAsync(buffer, cancellationToken);

    /// <inheritdoc/>
    public override void Flush() => _innerStream.Flush();

    /// <inheritdoc/>
    public override Task FlushAsync(CancellationToken cancellationToken) => _innerStream.FlushAsync(cancellationToken);

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        try
        {
            if (disposing && !_leaveOpen && !_innerDisposed)
            {
                _innerDisposed = true;
                _innerStream.Dispose();
            }
        }
        finally
        {
            base.Dispose(disposing);
        }
    }

    /// <inheritdoc/>
    public override async ValueTask DisposeAsync()
    {
        if (!_leaveOpen && !_innerDisposed)
        {
            _innerDisposed = true;
            await _innerStream.DisposeAsync().ConfigureAwait(false);
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Serves the replayed bytes first; returns false once they are all gone (or for an empty buffer).</summary>
    private bool TryReadReplay(Span<byte> destination, out int copied)
    {
        int remaining = _replay.Length - _replayOffset;
        if (remaining == 0 || destination.IsEmpty)
        {
            copied = 0;
            return false;
        }

        copied = Math.Min(remaining, destination.Length);
        _replay.AsSpan(_replayOffset, copied).CopyTo(destination);
        _replayOffset += copied;
        if (_replayOffset == _replay.Length)
        {
            _replay = [];
            _replayOffset = 0;
        }

        return true;
    }
}
