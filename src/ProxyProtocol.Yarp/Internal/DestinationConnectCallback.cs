using System;
using System.IO;
using System.Net.Http;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace ProxyProtocol.Yarp.Internal;

/// <summary>
/// The <see cref="SocketsHttpHandler.ConnectCallback"/> of a destination handler: connects and sends the
/// header bytes prepared for its client in one write, before anything else (TLS included) goes out.
/// </summary>
internal static class DestinationConnectCallback
{
    public static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> Create(ReadOnlyMemory<byte> header, Action? onConnected = null) =>
        async (context, cancellationToken) =>
        {
            // NoDelay: otherwise Nagle can hold the request back until the header is acknowledged (about 40 ms).
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken).ConfigureAwait(false);
                for (ReadOnlyMemory<byte> rest = header; !rest.IsEmpty;)
                {
                    rest = rest.Slice(await socket.SendAsync(rest, SocketFlags.None, cancellationToken).ConfigureAwait(false));
                }

                onConnected?.Invoke();
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        };
}
