using System;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;

namespace ProxyProtocol.Tests.Adapters;

/// <summary>A TCP listener on a loopback address and port 0, for tests that need real connected sockets.</summary>
internal sealed class Loopback : IDisposable
{
    /// <summary>Every wait in these tests is bounded by this; a hang fails the test instead of stalling the run.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly Socket _listener;

    public Loopback(IPAddress address)
    {
        _listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(address, 0));
        _listener.Listen(64);
    }

    public static TheoryData<string> Addresses => new("127.0.0.1", "::1");

    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndPoint!;

    /// <summary>Connects a client (with NoDelay, so every send leaves at once) and accepts its server side.</summary>
    public async Task<(Socket Client, Socket Server)> ConnectAsync()
    {
        var client = new Socket(_listener.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            Task<Socket> accept = _listener.AcceptAsync();
            await client.ConnectAsync(EndPoint).WaitAsync(Timeout);
            Socket server = await accept.WaitAsync(Timeout);
            return (client, server);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>Sends all of <paramref name="data"/>.</summary>
    public static async Task SendAllAsync(Socket socket, ReadOnlyMemory<byte> data)
    {
        while (!data.IsEmpty)
        {
            int sent = await socket.SendAsync(data).AsTask().WaitAsync(Timeout);
            data = data.Slice(sent);
        }
    }

    /// <summary>Receives until the peer stops sending; returns everything received.</summary>
    public static async Task<byte[]> ReceiveToEndAsync(Socket socket)
    {
        var received = new System.IO.MemoryStream();
        byte[] buffer = new byte[4096];
        while (true)
        {
            int count = await socket.ReceiveAsync(buffer.AsMemory()).AsTask().WaitAsync(Timeout);
            if (count == 0)
            {
                return received.ToArray();
            }

            received.Write(buffer, 0, count);
        }
    }

    public void Dispose() => _listener.Dispose();
}
