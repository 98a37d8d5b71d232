using System;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using ProxyProtocol.Internal;

namespace ProxyProtocol;

public static partial class ProxySocketExtensions
{
    /// <summary>
    /// Sends <paramref name="header"/> as a v1 or v2 PROXY header on a connected stream socket in a single
    /// send (TX-01). Call it right after connecting, before any payload.
    /// </summary>
    /// <remarks>
    /// v1 cannot express every header: LOCAL, UNSPEC, Unix and datagram headers go out as
    /// <c>PROXY UNKNOWN\r\n</c> (TX-04). Set <see cref="Socket.NoDelay"/> on the socket: with Nagle's algorithm
    /// on, the first payload send after the header can wait for the header's acknowledgement (about 40 ms
    /// with delayed ACKs).
    /// </remarks>
    /// <param name="socket">The connected outbound socket.</param>
    /// <param name="header">The connection to describe, from the <see cref="ProxyHeader"/> factories.</param>
    /// <param name="version">The header version; v2 by default.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>A task that completes when the header was sent.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="socket"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="version"/> is not V1 or V2.</exception>
    public static ValueTask SendProxyHeaderAsync(this Socket socket, in ProxyHeader header, ProxyVersion version = ProxyVersion.V2, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(socket);
        byte[] buffer = OutboundHeader.Rent(header, version, default, out int length);
        return SendAndReturnAsync(socket, buffer, length, cancellationToken);
    }

    /// <summary>
    /// Sends <paramref name="header"/> as a v2 PROXY header followed by already encoded TLVs, in a single
    /// send (TX-01). A CRC32C TLV among them gets its value computed.
    /// </summary>
    /// <param name="socket">The connected outbound socket.</param>
    /// <param name="header">The connection to describe.</param>
    /// <param name="tlvs">Encoded TLVs (for example <see cref="ReceivedProxyHeader.TlvBytes"/> of a header being
    /// forwarded); they are copied before this method returns.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>A task that completes when the header was sent.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="socket"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="tlvs"/> is not a run of whole TLVs, or the header would exceed 65551 bytes.</exception>
    public static ValueTask SendProxyHeaderAsync(this Socket socket, in ProxyHeader header, ReadOnlySpan<byte> tlvs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(socket);
        byte[] buffer = OutboundHeader.Rent(header, ProxyVersion.V2, tlvs, out int length);
        return SendAndReturnAsync(socket, buffer, length, cancellationToken);
    }

    /// <summary>
    /// Sends <paramref name="header"/> as a v2 PROXY header with the TLVs that <paramref name="writeTlvs"/>
    /// adds, in a single send (TX-01).
    /// </summary>
    /// <typeparam name="TState">The type of <paramref name="state"/>.</typeparam>
    /// <param name="socket">The connected outbound socket.</param>
    /// <param name="header">The connection to describe.</param>
    /// <param name="writeTlvs">Adds the TLVs, for example <c>(ref ProxyV2HeaderBuilder b, string host) =&gt; { b.AddAuthority(host); b.AddCrc32c(); }</c>.</param>
    /// <param name="state">Passed to <paramref name="writeTlvs"/>.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>A task that completes when the header was sent.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="socket"/> or <paramref name="writeTlvs"/> is <see langword="null"/>.</exception>
    public static ValueTask SendProxyHeaderAsync<TState>(this Socket socket, in ProxyHeader header, ProxyTlvWriter<TState> writeTlvs, TState state, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(socket);
        byte[] buffer = OutboundHeader.Rent(header, writeTlvs, state, out int length);
        return SendAndReturnAsync(socket, buffer, length, cancellationToken);
    }

    /// <summary>Sends <paramref name="header"/> as a v1 or v2 PROXY header on a connected, blocking stream socket in a single send (TX-01).</summary>
    /// <param name="socket">The connected outbound socket.</param>
    /// <param name="header">The connection to describe.</param>
    /// <param name="version">The header version; v2 by default.</param>
    /// <exception cref="ArgumentNullException"><paramref name="socket"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="version"/> is not V1 or V2.</exception>
    public static void SendProxyHeader(this Socket socket, in ProxyHeader header, ProxyVersion version = ProxyVersion.V2)
    {
        ArgumentNullException.ThrowIfNull(socket);
        OutboundHeader.ThrowIfInvalid(version);
        Span<byte> buffer = stackalloc byte[OutboundHeader.MaxLengthWithoutTlvs];
        OutboundHeader.Write(header, version, default, buffer, out int length);
        ReadOnlySpan<byte> remaining = buffer.Slice(0, length);
        while (!remaining.IsEmpty)
        {
            remaining = remaining.Slice(socket.Send(remaining, SocketFlags.None));
        }
    }

    private static async ValueTask SendAndReturnAsync(Socket socket, byte[] buffer, int length, CancellationToken cancellationToken)
    {
        try
        {
            // A stream socket's SendAsync completes when everything was handed to the kernel; the loop is
            // only a guard, a header of a few hundred bytes goes out in one send.
            int sent = 0;
            while (sent < length)
            {
                sent += await socket.SendAsync(buffer.AsMemory(sent, length - sent), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            OutboundHeader.Return(buffer);
        }
    }
}
