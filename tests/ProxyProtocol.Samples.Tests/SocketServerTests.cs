using System;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Tasks;

namespace ProxyProtocol.Samples.Tests;

/// <summary>samples/ProxyProtocol.SocketServer, run as a process.</summary>
public class SocketServerTests
{
    [Fact]
    public async Task Greets_the_client_of_each_header_rejects_garbage_and_exits_after_count()
    {
        using SampleProcess server = SampleProcess.Start("ProxyProtocol.SocketServer", "--count", "4");
        IPEndPoint endPoint = SampleClient.ParseListening(await server.ReadLineAsync());

        var v4Client = IPEndPoint.Parse("203.0.113.7:40000");
        var v6Client = IPEndPoint.Parse("[2001:db8::7]:40001");
        Assert.Equal("hello 203.0.113.7:40000\n", await GreetingAsync(endPoint, ProxyHeader.CreateProxy(v4Client, IPEndPoint.Parse("198.51.100.1:25")), ProxyVersion.V1));
        Assert.Equal("hello [2001:db8::7]:40001\n", await GreetingAsync(endPoint, ProxyHeader.CreateProxy(v6Client, IPEndPoint.Parse("[2001:db8::1]:25")), ProxyVersion.V2));

        // LOCAL (SEM-01): the server names the connection's real peer, which is this client's socket.
        using (Socket socket = await SampleClient.ConnectAsync(endPoint))
        {
            await socket.SendProxyHeaderAsync(ProxyHeader.CreateLocal());
            Assert.Equal($"hello {socket.LocalEndPoint}\n", await SampleClient.ReadToEndAsync(socket));
        }

        using (Socket socket = await SampleClient.ConnectAsync(endPoint))
        {
            await socket.SendAsync("GET / HTTP/1.0\r\n\r\n"u8.ToArray());
            Assert.Equal(string.Empty, await SampleClient.ReadToEndAsync(socket));
        }

        Assert.True(await server.WaitForExitAsync() == 0, server.Output);
        Assert.Contains("PROXY v1 Proxy from 203.0.113.7:40000", server.Output);
        Assert.Contains("PROXY v2 Proxy from [2001:db8::7]:40001", server.Output);
        Assert.Contains("PROXY v2 Local from 127.0.0.1:", server.Output);
        Assert.Contains("rejected, InvalidSignature", server.Output);
    }

    private static async Task<string> GreetingAsync(IPEndPoint server, ProxyHeader header, ProxyVersion version)
    {
        using Socket socket = await SampleClient.ConnectAsync(server);
        await socket.SendProxyHeaderAsync(header, version);
        return await SampleClient.ReadToEndAsync(socket);
    }
}

/// <summary>Client-side helpers shared by the sample tests.</summary>
internal static class SampleClient
{
    /// <summary>Parses the "listening on 127.0.0.1:PORT" line the servers print first.</summary>
    public static IPEndPoint ParseListening(string line)
    {
        const string Prefix = "listening on ";
        Assert.StartsWith(Prefix, line, StringComparison.Ordinal);
        return IPEndPoint.Parse(line[Prefix.Length..]);
    }

    public static async Task<Socket> ConnectAsync(IPEndPoint server)
    {
        var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(server).WaitAsync(SampleProcess.Timeout);
        return socket;
    }

    /// <summary>Everything the server sends until it closes; a reset ends the text as a close does.</summary>
    public static async Task<string> ReadToEndAsync(Socket socket)
    {
        var received = new MemoryStream();
        byte[] buffer = new byte[1024];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(SampleProcess.Timeout)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
        }

        return Encoding.UTF8.GetString(received.ToArray());
    }
}
