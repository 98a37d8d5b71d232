using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using ProxyProtocol.Internal;

namespace ProxyProtocol;

public static partial class ProxyStreamExtensions
{
    /// <summary>
    /// Writes <paramref name="header"/> as a v1 or v2 PROXY header in a single write, then flushes (TX-01).
    /// Call it on a new connection before any payload.
    /// </summary>
    /// <remarks>
    /// v1 cannot express every header: LOCAL, UNSPEC, Unix and datagram headers go out as
    /// <c>PROXY UNKNOWN\r\n</c> (TX-04). On a socket you created, set <see cref="System.Net.Sockets.Socket.NoDelay"/>:
    /// otherwise Nagle's algorithm can hold the first payload write back until the header is acknowledged.
    /// </remarks>
    /// <param name="stream">The new outbound connection.</param>
    /// <param name="header">The connection to describe, from the <see cref="ProxyHeader"/> factories.</param>
    /// <param name="version">The header version; v2 by default.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the header was written and flushed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="version"/> is not V1 or V2.</exception>
    public static ValueTask WriteProxyHeaderAsync(this Stream stream, in ProxyHeader header, ProxyVersion version = ProxyVersion.V2, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        byte[] buffer = OutboundHeader.Rent(header, version, default, out int length);
        return WriteAndReturnAsync(stream, buffer, length, cancellationToken);
    }

    /// <summary>
    /// Writes <paramref name="header"/> as a v2 PROXY header followed by already encoded TLVs, in a single
    /// write, then flushes (TX-01). A CRC32C TLV among them gets its value computed.
    /// </summary>
    /// <param name="stream">The new outbound connection.</param>
    /// <param name="header">The connection to describe.</param>
    /// <param name="tlvs">Encoded TLVs (for example <see cref="ReceivedProxyHeader.TlvBytes"/> of a header being
    /// forwarded); they are copied before this method returns.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the header was written and flushed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="tlvs"/> is not a run of whole TLVs, or the header would exceed 65551 bytes.</exception>
    public static ValueTask WriteProxyHeaderAsync(this Stream stream, in ProxyHeader header, ReadOnlySpan<byte> tlvs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        byte[] buffer = OutboundHeader.Rent(header, ProxyVersion.V2, tlvs, out int length);
        return WriteAndReturnAsync(stream, buffer, length, cancellationToken);
    }

    /// <summary>
    /// Writes <paramref name="header"/> as a v2 PROXY header with the TLVs that <paramref name="writeTlvs"/>
    /// adds, in a single write, then flushes (TX-01).
    /// </summary>
    /// <typeparam name="TState">The type of <paramref name="state"/>.</typeparam>
    /// <param name="stream">The new outbound connection.</param>
    /// <param name="header">The connection to describe.</param>
    /// <param name="writeTlvs">Adds the TLVs, for example <c>(ref ProxyV2HeaderBuilder b, string host) =&gt; { b.AddAuthority(host); b.AddCrc32c(); }</c>.</param>
    /// <param name="state">Passed to <paramref name="writeTlvs"/>.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the header was written and flushed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> or <paramref name="writeTlvs"/> is <see langword="null"/>.</exception>
    public static ValueTask WriteProxyHeaderAsync<TState>(this Stream stream, in ProxyHeader header, ProxyTlvWriter<TState> writeTlvs, TState state, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        byte[] buffer = OutboundHeader.Rent(header, writeTlvs, state, out int length);
        return WriteAndReturnAsync(stream, buffer, length, cancellationToken);
    }

    /// <summary>Writes <paramref name="header"/> as a v1 or v2 PROXY header in a single write, then flushes (TX-01).</summary>
    /// <param name="stream">The new outbound connection.</param>
    /// <param name="header">The connection to describe.</param>
    /// <param name="version">The header version; v2 by default.</param>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="version"/> is not V1 or V2.</exception>
    public static void WriteProxyHeader(this Stream stream, in ProxyHeader header, ProxyVersion version = ProxyVersion.V2)
    {
        ArgumentNullException.ThrowIfNull(stream);
        OutboundHeader.ThrowIfInvalid(version);
        Span<byte> buffer = stackalloc byte[OutboundHeader.MaxLengthWithoutTlvs];
        OutboundHeader.Write(header, version, default, buffer, out int length);
        stream.Write(buffer.Slice(0, length));
        stream.Flush();
    }

    private static async ValueTask WriteAndReturnAsync(Stream stream, byte[] buffer, int length, CancellationToken cancellationToken)
    {
        try
        {
            await stream.WriteAsync(buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            OutboundHeader.Return(buffer);
        }
    }
}
