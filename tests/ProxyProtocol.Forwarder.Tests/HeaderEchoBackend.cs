using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace ProxyProtocol.Forwarder.Tests;

/// <summary>One connection the backend accepted: its header, and the socket after it.</summary>
internal sealed record BackendSession(ReceivedProxyHeader Header, Socket Socket);

/// <summary>
/// A raw TCP backend on 127.0.0.1:0 that reads the PROXY header of each connection and hands the rest of the
/// connection to the test, which decides what the backend does (echo, stay silent, close).
/// </summary>
internal sealed class HeaderEchoBackend : IAsyncDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly Channel<BackendSession> _sessions = Channel.CreateUnbounded<BackendSession>();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _accepted = [];
    private readonly Task _loop;

    public HeaderEchoBackend()
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen();
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        _loop = AcceptAsync();
    }

    public IPEndPoint EndPoint { get; }

    public int Accepted
    {
        get
        {
            lock (_accepted)
            {
                return _accepted.Count;
            }
        }
    }

    public Task<BackendSession> NextAsync() => _sessions.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(15));

    /// <summary>Echoes everything until the peer finishes sending, then finishes sending too.</summary>
    public static async Task EchoAsync(Socket socket)
    {
        byte[] buffer = new byte[16384];
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None)) > 0)
        {
            await socket.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
        }

        socket.Shutdown(SocketShutdown.Send);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _loop;
        lock (_accepted)
        {
            _accepted.ForEach(s => s.Dispose());
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            lock (_accepted)
            {
                _accepted.Add(socket);
            }

            _ = ReadHeaderAsync(socket);
        }
    }

    private async Task ReadHeaderAsync(Socket socket)
    {
        try
        {
            ReceivedProxyHeader header = await socket.ReceiveProxyHeaderAsync(cancellationToken: _stop.Token);
            _sessions.Writer.TryWrite(new BackendSession(header, socket));
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ProxyProtocolException)
        {
            socket.Dispose();
        }
    }
}
