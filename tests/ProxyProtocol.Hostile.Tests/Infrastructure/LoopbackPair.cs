using System;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;

namespace ProxyProtocol.Hostile.Tests.Infrastructure;

/// <summary>A connected pair of TCP sockets over 127.0.0.1, from a listener on port 0: the attacker's and the server's end.</summary>
public sealed class LoopbackPair : IDisposable
{
    private LoopbackPair(Socket client, Socket server)
    {
        Client = client;
        Server = server;
    }

    public Socket Client { get; }

    public Socket Server { get; }

    public static async Task<LoopbackPair> ConnectAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        Task<Socket> accept = listener.AcceptAsync();
        Socket client = await Wire.ConnectAsync((IPEndPoint)listener.LocalEndPoint!);
        try
        {
            return new LoopbackPair(client, await accept.WaitAsync(Wire.Timeout));
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>Sends the attacker's bytes; the connection stays open, so a reader that wanted more would wait.</summary>
    public async Task SendAsync(byte[] bytes) => Assert.True(await Wire.TrySendAsync(Client, bytes));

    public void Dispose()
    {
        Client.Dispose();
        Server.Dispose();
    }
}
