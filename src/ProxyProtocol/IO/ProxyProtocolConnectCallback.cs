using System;
using System.IO;
using System.Net.Http;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace ProxyProtocol;

/// <summary>
/// Makes <see cref="HttpClient"/> send a PROXY header on every connection it opens: plug the returned
/// delegate into <see cref="SocketsHttpHandler.ConnectCallback"/>.
/// </summary>
/// <remarks>
/// <para>
/// The callback connects a TCP socket with <see cref="Socket.NoDelay"/> set (without it, Nagle's algorithm
/// can hold the request back until the header is acknowledged, about 40 ms), sends the header in one
/// write (TX-01), and hands the connection to the handler.
/// </para>
/// <para>
/// <b>A header describes a connection, not a request.</b> The handler pools connections and sends later
/// requests, and with HTTP/2 concurrent ones, over a connection whose header was sent for the first.
/// Sharing one handler between different clients would tell the server the wrong client (RX-07). Use one
/// <see cref="SocketsHttpHandler"/> (and <see cref="HttpClient"/>) per client identity, for example a small
/// cache keyed by client address with <see cref="SocketsHttpHandler.PooledConnectionIdleTimeout"/> keeping
/// idle connections short. If the header must follow each request, set
/// <see cref="SocketsHttpHandler.PooledConnectionLifetime"/> to <see cref="TimeSpan.Zero"/> so no connection
/// is reused, keep requests on HTTP/1.1, and read the client from
/// <see cref="SocketsHttpConnectionContext.InitialRequestMessage"/> in the factory.
/// </para>
/// <code>
/// var handler = new SocketsHttpHandler
/// {
///     ConnectCallback = ProxyProtocolConnectCallback.Create(_ =&gt; ProxyHeader.CreateProxy(client, frontend)),
/// };
/// using var http = new HttpClient(handler);
/// </code>
/// </remarks>
public static class ProxyProtocolConnectCallback
{
    /// <summary>Creates a connect callback that sends the header <paramref name="headerFactory"/> returns on each new connection.</summary>
    /// <param name="headerFactory">Returns the header for a new connection; called once per connection, after it is established.</param>
    /// <param name="version">The header version; v2 by default.</param>
    /// <returns>A delegate for <see cref="SocketsHttpHandler.ConnectCallback"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="headerFactory"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="version"/> is not V1 or V2.</exception>
    public static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> Create(Func<SocketsHttpConnectionContext, ProxyHeader> headerFactory, ProxyVersion version = ProxyVersion.V2)
    {
        ArgumentNullException.ThrowIfNull(headerFactory);
        Internal.OutboundHeader.ThrowIfInvalid(version);
        return (context, cancellationToken) => ConnectAsync(
            context,
            (socket, ct) => socket.SendProxyHeaderAsync(headerFactory(context), version, ct),
            cancellationToken);
    }

    /// <summary>
    /// Creates a connect callback that sends a v2 header with TLVs on each new connection, for example the
    /// authority the request is for.
    /// </summary>
    /// <param name="headerFactory">Returns the header for a new connection; called once per connection, after it is established.</param>
    /// <param name="writeTlvs">Adds the TLVs; it gets the connection context, for example
    /// <c>(ref ProxyV2HeaderBuilder b, SocketsHttpConnectionContext c) =&gt; b.AddAuthority(c.DnsEndPoint.Host)</c>.</param>
    /// <returns>A delegate for <see cref="SocketsHttpHandler.ConnectCallback"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="headerFactory"/> or <paramref name="writeTlvs"/> is <see langword="null"/>.</exception>
    public static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> Create(Func<SocketsHttpConnectionContext, ProxyHeader> headerFactory, ProxyTlvWriter<SocketsHttpConnectionContext> writeTlvs)
    {
        ArgumentNullException.ThrowIfNull(headerFactory);
        ArgumentNullException.ThrowIfNull(writeTlvs);
        return (context, cancellationToken) => ConnectAsync(
            context,
            (socket, ct) => socket.SendProxyHeaderAsync(headerFactory(context), writeTlvs, context, ct),
            cancellationToken);
    }

    private static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, Func<Socket, CancellationToken, ValueTask> sendHeader, CancellationToken cancellationToken)
    {
        // Dual-mode socket: connects to IPv4 and IPv6 addresses of the DNS name alike.
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken).ConfigureAwait(false);
            await sendHeader(socket, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
