using System;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using ProxyProtocol.Internal;

namespace ProxyProtocol;

/// <summary>
/// Receives and sends PROXY headers on a <see cref="Socket"/>: TCP (or any stream socket) connections, and
/// UDP datagrams that each start with a v2 header.
/// </summary>
/// <remarks>
/// <para>
/// <b>Receiving never takes a byte past the header (RX-02)</b>, as the spec's sample receiver does: the
/// socket is peeked (<see cref="SocketFlags.Peek"/>), the parser finds where the header ends in the peeked
/// bytes, and exactly that many bytes are then received. Whatever follows stays in the socket for the
/// application, which may use the socket directly, wrap it in a <see cref="NetworkStream"/>, or speak first
/// (DET-07). A whole header in the first segment costs two system calls.
/// </para>
/// <para>
/// When the header is split over several segments, the peeked bytes are all header bytes (the parser
/// needs more), so they are received right away. That empties the socket's buffer, and the next peek
/// waits for new data in the kernel instead of returning the same bytes again: there is no busy loop
/// and no polling interval. Each round either finishes the header or consumes at least one byte, so the
/// number of rounds is bounded by the header's length.
/// </para>
/// <para>
/// Bound the wait (RX-04): pass a token from a <see cref="CancellationTokenSource"/> created with a
/// timeout of a few seconds (the synchronous form honours <see cref="Socket.ReceiveTimeout"/>). After a
/// failure or a cancellation, part of the header may have been consumed: close the connection (DET-03).
/// </para>
/// </remarks>
public static partial class ProxySocketExtensions
{
    /// <summary>
    /// Receives a PROXY header (v1 or v2, as <paramref name="options"/> allow) from an accepted stream
    /// socket, consuming exactly the header and nothing after it.
    /// </summary>
    /// <param name="socket">The accepted connection, before anything was received from it.</param>
    /// <param name="options">Limits and allowed versions; the default is recommended.</param>
    /// <param name="cancellationToken">Cancels the receive; use it for the header timeout (RX-04).</param>
    /// <returns>The header with its own copy of the TLV bytes.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="socket"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="socket"/> is not a stream socket (use <see cref="ReceiveProxyDatagramAsync"/> for UDP).</exception>
    /// <exception cref="ProxyProtocolException">The bytes are not a valid header (<see cref="ProxyProtocolException.Error"/>
    /// tells why), or the peer closed the connection before the header ended (<see cref="ProxyHeaderError.IncompleteHeader"/>).</exception>
    /// <exception cref="SocketException">The connection failed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public static ValueTask<ReceivedProxyHeader> ReceiveProxyHeaderAsync(this Socket socket, ProxyParserOptions options = default, CancellationToken cancellationToken = default)
    {
        ThrowIfNotStream(socket);
        return ReceiveExactAsync(socket, options, cancellationToken);
    }

    /// <summary>
    /// Receives a PROXY header (v1 or v2, as <paramref name="options"/> allow) from an accepted, blocking
    /// stream socket, consuming exactly the header and nothing after it.
    /// </summary>
    /// <param name="socket">The accepted connection, before anything was received from it.</param>
    /// <param name="options">Limits and allowed versions; the default is recommended.</param>
    /// <returns>The header with its own copy of the TLV bytes.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="socket"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="socket"/> is not a stream socket.</exception>
    /// <exception cref="ProxyProtocolException">The bytes are not a valid header, or the peer closed the connection before the header ended.</exception>
    /// <exception cref="SocketException">The connection failed, or <see cref="Socket.ReceiveTimeout"/> passed (<see cref="SocketError.TimedOut"/>).</exception>
    public static ReceivedProxyHeader ReceiveProxyHeader(this Socket socket, ProxyParserOptions options = default)
    {
        ThrowIfNotStream(socket);
        var buffer = new HeaderReadBuffer();
        try
        {
            while (true)
            {
                Memory<byte> window = buffer.GetMemory(GetPeekLength(buffer.Received, buffer.Available));
                int peeked = socket.Receive(window.Span, SocketFlags.Peek);
                if (peeked == 0)
                {
                    throw buffer.CreateEndOfStreamException(options);
                }

                int take = buffer.GetHeaderBytesIn(peeked, options, out bool complete, out ProxyHeader header);
                Span<byte> target = window.Span.Slice(0, take);
                while (!target.IsEmpty)
                {
                    // The bytes were peeked, so they are there: this returns at once, normally in one call.
                    int received = socket.Receive(target, SocketFlags.None);
                    if (received == 0)
                    {
                        throw buffer.CreateEndOfStreamException(options);
                    }

                    target = target.Slice(received);
                    buffer.Advance(received);
                }

                if (complete)
                {
                    return ReceivedProxyHeader.Create(header, buffer.Received);
                }
            }
        }
        finally
        {
            buffer.Dispose();
        }
    }

    private static async ValueTask<ReceivedProxyHeader> ReceiveExactAsync(Socket socket, ProxyParserOptions options, CancellationToken cancellationToken)
    {
        var buffer = new HeaderReadBuffer();
        try
        {
            while (true)
            {
                Memory<byte> window = buffer.GetMemory(GetPeekLength(buffer.Received, buffer.Available));
                int peeked = await socket.ReceiveAsync(window, SocketFlags.Peek, cancellationToken).ConfigureAwait(false);
                if (peeked == 0)
                {
                    throw buffer.CreateEndOfStreamException(options);
                }

                int take = buffer.GetHeaderBytesIn(peeked, options, out bool complete, out ProxyHeader header);
                Memory<byte> target = window.Slice(0, take);
                while (!target.IsEmpty)
                {
                    // The bytes were peeked, so they are there: this completes at once, normally in one call.
                    int received = await socket.ReceiveAsync(target, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                    if (received == 0)
                    {
                        throw buffer.CreateEndOfStreamException(options);
                    }

                    target = target.Slice(received);
                    buffer.Advance(received);
                }

                if (complete)
                {
                    return ReceivedProxyHeader.Create(header, buffer.Received);
                }
            }
        }
        finally
        {
            buffer.Dispose();
        }
    }

    /// <summary>
    /// How many bytes to peek: peeking takes nothing, so it may look past the header; the limit only keeps
    /// it within what a header can still need, and within the buffer unless a v2 length asks for more.
    /// </summary>
    private static int GetPeekLength(ReadOnlySpan<byte> received, int available)
    {
        if (received.IsEmpty)
        {
            return available;
        }

        if (received[0] == (byte)'P')
        {
            return Math.Max(1, ProxyHeaderWriter.MaxV1Length - received.Length);
        }

        if (received.Length >= WireFormat.V2FixedLength)
        {
            // The parser has checked the announced length against MaxHeaderLength already.
            return HeaderLengthBound.GetMinimumRemaining(received);
        }

        return Math.Max(1, available);
    }

    private static void ThrowIfNotStream(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        if (socket.SocketType != SocketType.Stream)
        {
            throw new ArgumentException("A PROXY header is received this way only on a stream (TCP) socket; use ReceiveProxyDatagramAsync for UDP.", nameof(socket));
        }
    }
}
