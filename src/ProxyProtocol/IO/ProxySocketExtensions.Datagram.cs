using System;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using ProxyProtocol.Internal;

namespace ProxyProtocol;

public static partial class ProxySocketExtensions
{
    /// <summary>
    /// Receives one UDP datagram and parses the v2 PROXY header at its start (UDP-01).
    /// </summary>
    /// <remarks>
    /// The buffer must hold the largest datagram expected (up to 65,507 bytes for IPv4): a datagram that does
    /// not fit is cut or rejected by the operating system. A bad header is reported in
    /// <see cref="ProxyDatagramReceiveResult.Error"/>, not thrown.
    /// </remarks>
    /// <param name="socket">A bound datagram socket.</param>
    /// <param name="buffer">Receives the whole datagram; the header's TLVs and the payload are read from it.</param>
    /// <param name="remoteEndPoint">An endpoint of the family to receive from, for example <c>new IPEndPoint(IPAddress.Any, 0)</c>.</param>
    /// <param name="options">Limits; <see cref="ProxyParserOptions.MaxHeaderLength"/> and <see cref="ProxyParserOptions.VerifyCrc32c"/> apply.</param>
    /// <param name="cancellationToken">Cancels the receive.</param>
    /// <returns>The sender, the header, and where the payload lies in <paramref name="buffer"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="socket"/> or <paramref name="remoteEndPoint"/> is <see langword="null"/>.</exception>
    /// <exception cref="SocketException">The receive failed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public static ValueTask<ProxyDatagramReceiveResult> ReceiveProxyDatagramAsync(this Socket socket, Memory<byte> buffer, EndPoint remoteEndPoint, ProxyParserOptions options = default, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentNullException.ThrowIfNull(remoteEndPoint);
        return ReceiveDatagramAsync(socket, buffer, remoteEndPoint, options, cancellationToken);
    }

    /// <summary>
    /// Sends one UDP datagram made of a v2 PROXY header and a payload, in a single send (UDP-01).
    /// </summary>
    /// <param name="socket">A datagram socket.</param>
    /// <param name="header">The original flow, usually <see cref="ProxyHeader.CreateProxy"/> with <see cref="ProxyTransport.Datagram"/>.</param>
    /// <param name="payload">The payload; copied before this method returns.</param>
    /// <param name="remoteEndPoint">Where to send the datagram.</param>
    /// <param name="tlvs">Encoded TLVs, possibly empty; copied before this method returns.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>The datagram's length.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="socket"/> or <paramref name="remoteEndPoint"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="tlvs"/> is not a run of whole TLVs.</exception>
    public static ValueTask<int> SendProxyDatagramAsync(this Socket socket, in ProxyHeader header, ReadOnlySpan<byte> payload, EndPoint remoteEndPoint, ReadOnlySpan<byte> tlvs = default, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentNullException.ThrowIfNull(remoteEndPoint);
        byte[] datagram = System.Buffers.ArrayPool<byte>.Shared.Rent(ProxyDatagram.GetLength(header, tlvs.Length, payload.Length));
        try
        {
            ProxyDatagram.Write(header, tlvs, payload, datagram, out int length);
            return SendDatagramAndReturnAsync(socket, datagram, length, remoteEndPoint, cancellationToken);
        }
        catch
        {
            OutboundHeader.Return(datagram);
            throw;
        }
    }

    private static async ValueTask<ProxyDatagramReceiveResult> ReceiveDatagramAsync(Socket socket, Memory<byte> buffer, EndPoint remoteEndPoint, ProxyParserOptions options, CancellationToken cancellationToken)
    {
        SocketReceiveFromResult result = await socket.ReceiveFromAsync(buffer, SocketFlags.None, remoteEndPoint, cancellationToken).ConfigureAwait(false);
        ProxyDatagram.TryParse(buffer.Span.Slice(0, result.ReceivedBytes), options, out ProxyHeader header, out int payloadOffset, out ProxyHeaderError error);
        return new ProxyDatagramReceiveResult(result.ReceivedBytes, result.RemoteEndPoint, header, payloadOffset, error);
    }

    private static async ValueTask<int> SendDatagramAndReturnAsync(Socket socket, byte[] datagram, int length, EndPoint remoteEndPoint, CancellationToken cancellationToken)
    {
        try
        {
            return await socket.SendToAsync(datagram.AsMemory(0, length), SocketFlags.None, remoteEndPoint, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            OutboundHeader.Return(datagram);
        }
    }
}
