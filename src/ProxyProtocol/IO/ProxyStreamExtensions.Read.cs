using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using ProxyProtocol.Internal;

namespace ProxyProtocol;

/// <summary>
/// Reads and writes PROXY headers on any <see cref="Stream"/>: a <see cref="System.Net.Sockets.NetworkStream"/>,
/// a pipe, a <see cref="MemoryStream"/>, or the raw stream under an <see cref="System.Net.Security.SslStream"/>.
/// </summary>
/// <remarks>
/// <para>
/// <b>Reading is exact.</b> <see cref="ReadProxyHeaderAsync"/> never reads a byte past the header, so the same
/// stream can be handed on as it is (to an <see cref="System.Net.Security.SslStream"/>, an HTTP parser, a
/// protocol that speaks first) and the first application byte is still there. A stream cannot peek, so
/// each read asks only for bytes the header is certain to still have. The first read asks for 15 bytes,
/// the shortest header of either version (<c>PROXY UNKNOWN\r\n</c>); a v2 header then takes one more byte
/// to complete its 16-byte fixed part and one read for the announced length (three reads); a v1 line,
/// which has no length, takes a few short reads sized from the fields still missing (six for
/// <c>PROXY TCP4 192.168.0.1 192.168.0.11 56324 443</c>, never more than one read per byte). On a stream
/// whose data arrives in pieces, a read returns what is there, and the reader simply asks again. The alternative, reading ahead and returning a wrapper stream that replays the extra
/// bytes, would force every caller to swap streams and would break callers that keep the original; it is
/// used only where it is unavoidable, for the optional-header mode of <see cref="ProxyProtocolStream"/>.
/// </para>
/// <para>
/// On a <see cref="System.Net.Sockets.Socket"/> prefer <see cref="ProxySocketExtensions.ReceiveProxyHeaderAsync"/>,
/// which peeks and needs only two system calls for the whole header.
/// </para>
/// <para>
/// Always bound the wait (RX-04): pass a token from a <see cref="CancellationTokenSource"/> created with a
/// timeout of a few seconds, or set <see cref="Stream.ReadTimeout"/> for the synchronous form.
/// </para>
/// </remarks>
public static partial class ProxyStreamExtensions
{
    /// <summary>
    /// Reads a PROXY header (v1 or v2, as <paramref name="options"/> allow) from the start of
    /// <paramref name="stream"/>, consuming exactly the header and nothing after it.
    /// </summary>
    /// <param name="stream">The connection, positioned at its first byte.</param>
    /// <param name="options">Limits and allowed versions; the default is recommended.</param>
    /// <param name="cancellationToken">Cancels the read; use it for the header timeout (RX-04).</param>
    /// <returns>The header with its own copy of the TLV bytes.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> cannot be read.</exception>
    /// <exception cref="ProxyProtocolException">The bytes are not a valid header (<see cref="ProxyProtocolException.Error"/>
    /// tells why), or the stream ended before the header did (<see cref="ProxyHeaderError.IncompleteHeader"/>).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public static ValueTask<ReceivedProxyHeader> ReadProxyHeaderAsync(this Stream stream, ProxyParserOptions options = default, CancellationToken cancellationToken = default)
    {
        ThrowIfNotReadable(stream);
        return ReadExactAsync(stream, options, cancellationToken);
    }

    /// <summary>
    /// Reads a PROXY header (v1 or v2, as <paramref name="options"/> allow) from the start of
    /// <paramref name="stream"/>, consuming exactly the header and nothing after it.
    /// </summary>
    /// <param name="stream">The connection, positioned at its first byte.</param>
    /// <param name="options">Limits and allowed versions; the default is recommended.</param>
    /// <returns>The header with its own copy of the TLV bytes.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> cannot be read.</exception>
    /// <exception cref="ProxyProtocolException">The bytes are not a valid header, or the stream ended before the header did.</exception>
    public static ReceivedProxyHeader ReadProxyHeader(this Stream stream, ProxyParserOptions options = default)
    {
        ThrowIfNotReadable(stream);
        var buffer = new HeaderReadBuffer();
        try
        {
            while (true)
            {
                Memory<byte> next = buffer.GetMemory(HeaderLengthBound.GetMinimumRemaining(buffer.Received));
                int read = stream.Read(next.Span);
                if (read == 0)
                {
                    throw buffer.CreateEndOfStreamException(options);
                }

                buffer.Advance(read);
                if (buffer.TryComplete(options, out ReceivedProxyHeader received))
                {
                    return received;
                }
            }
        }
        finally
        {
            buffer.Dispose();
        }
    }

    private static async ValueTask<ReceivedProxyHeader> ReadExactAsync(Stream stream, ProxyParserOptions options, CancellationToken cancellationToken)
    {
        var buffer = new HeaderReadBuffer();
        try
        {
            while (true)
            {
                Memory<byte> next = buffer.GetMemory(HeaderLengthBound.GetMinimumRemaining(buffer.Received));
                int read = await stream.ReadAsync(next, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    throw buffer.CreateEndOfStreamException(options);
                }

                buffer.Advance(read);
                if (buffer.TryComplete(options, out ReceivedProxyHeader received))
                {
                    return received;
                }
            }
        }
        finally
        {
            buffer.Dispose();
        }
    }

    private static void ThrowIfNotReadable(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead)
        {
            throw new ArgumentException("The stream does not support reading.", nameof(stream));
        }
    }
}
