using System;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace ProxyProtocol.Forwarder.Benchmarks;

/// <summary>
/// The backend both proxies forward to: reads the PROXY header of every connection (the benchmark fails if one
/// is missing), then by the first byte either counts and discards everything up to the client's FIN and acks
/// with one byte (<c>T</c>, throughput), or answers one byte at once (<c>C</c>, connection cost). Then closes.
/// </summary>
internal sealed class SinkBackend : IDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private int _missingHeaders;

    public SinkBackend()
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(1024);
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        _ = AcceptAsync();
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>Whether to expect a header (false for the direct baseline).</summary>
    public bool ExpectHeader { get; set; } = true;

    public int MissingHeaders => Volatile.Read(ref _missingHeaders);

    public void Dispose() => _listener.Dispose();

    private async Task AcceptAsync()
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = ServeAsync(socket);
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using (socket)
        {
            try
            {
                socket.NoDelay = true;
                if (ExpectHeader)
                {
                    ReceivedProxyHeader header = await socket.ReceiveProxyHeaderAsync();
                    if (!header.Header.HasAddresses)
                    {
                        Interlocked.Increment(ref _missingHeaders);
                    }
                }

                byte[] buffer = new byte[64 * 1024];
                int read = await socket.ReceiveAsync(buffer, SocketFlags.None);
                if (read > 0 && buffer[0] == (byte)'T')
                {
                    while (await socket.ReceiveAsync(buffer, SocketFlags.None) > 0)
                    {
                    }
                }

                await socket.SendAsync("K"u8.ToArray(), SocketFlags.None);
                socket.Shutdown(SocketShutdown.Send);
            }
            catch (Exception e) when (e is SocketException or ProxyProtocolException or System.IO.IOException)
            {
                Interlocked.Increment(ref _missingHeaders);
            }
        }
    }
}
