using System;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace ProxyProtocol.Interop.Tests.Infrastructure;

/// <summary>The first bytes a peer sent on one connection, and where it came from.</summary>
internal sealed record CapturedConnection(byte[] Bytes, IPEndPoint RemoteEndPoint);

/// <summary>
/// A raw TCP listener that records what real senders (HAProxy, nginx, curl) put in front of a connection. For each
/// connection it reads until an HTTP request is complete (<c>GET ...\r\n\r\n</c>), the peer closes or resets (health
/// checks send only the header), or 8 KiB; answers a request with an empty 200 so the client finishes; then closes.
/// </summary>
internal sealed class CaptureListener : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly Channel<CapturedConnection> _captures = Channel.CreateUnbounded<CapturedConnection>();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;

    private CaptureListener(IPAddress address)
    {
        _listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(address, 0));
        _listener.Listen();
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        _acceptLoop = AcceptAsync();
    }

    public IPEndPoint EndPoint { get; }

    public static CaptureListener Start(InteropScope scope, IPAddress address)
    {
        var listener = new CaptureListener(address);
        return scope.Track(listener, $"capture listener {listener.EndPoint}", () => string.Empty);
    }

    /// <summary>The next captured connection.</summary>
    public Task<CapturedConnection> NextAsync() => _captures.Reader.ReadAsync().AsTask();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _acceptLoop;
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = CaptureAsync(connection);
        }
    }

    private async Task CaptureAsync(Socket connection)
    {
        using (connection)
        {
            var received = new MemoryStream();
            byte[] buffer = new byte[8192];
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            bool request = false;
            try
            {
                int read;
                while (received.Length < buffer.Length && (read = await connection.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0)
                {
                    received.Write(buffer, 0, read);
                    string text = Encoding.Latin1.GetString(received.GetBuffer(), 0, (int)received.Length);
                    if (text.Contains("GET ", StringComparison.Ordinal) && text.EndsWith("\r\n\r\n", StringComparison.Ordinal))
                    {
                        request = true;
                        break;
                    }
                }

                if (request)
                {
                    await connection.SendAsync("HTTP/1.0 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n"u8.ToArray(), SocketFlags.None, timeout.Token);
                }
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                // Reset after the header (HAProxy's health checks), or the test ended: keep what arrived.
            }

            if (received.Length > 0)
            {
                _captures.Writer.TryWrite(new CapturedConnection(received.ToArray(), (IPEndPoint)connection.RemoteEndPoint!));
            }
        }
    }
}
