using System;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using ProxyProtocol.AspNetCore.Tests.Infrastructure;

namespace ProxyProtocol.AspNetCore.Tests;

/// <summary>
/// A server-speaks-first protocol (SMTP-like) behind UseProxyProtocol(): Kestrel reports Http1AndHttp2 for such an
/// endpoint too, but nothing may wait for the client's bytes after the header.
/// </summary>
public class ConnectionHandlerTests
{
    [Fact]
    public async Task Banner_goes_out_right_after_the_header_without_client_bytes()
    {
        // A long header timeout: had the middleware waited for a preface, the client would see nothing for 60 s,
        // far beyond the 10 s the read below allows.
        await using TestServer app = await TestServer.StartAsync(o =>
        {
            o.UseProxyProtocol(p => p.HeaderTimeout = TimeSpan.FromSeconds(60));
            o.UseConnectionHandler<BannerHandler>();
        });
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(app.EndPoint);
        await socket.SendAsync(Headers.V1("198.51.100.25", 2525, "192.0.2.1", 25));

        string banner = await ReadLineAsync(socket);

        Assert.Equal("220 198.51.100.25:2525 ready", banner);
        Assert.Contains(app.Logs.Endpoint, e => e.EventId.Name == "Http2Detection" && e.Message.Contains("detection off", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Explicitly_enabled_detection_makes_the_handler_wait_for_client_bytes()
    {
        // The explicit option wins over the guess: the banner follows the client's first bytes.
        await using TestServer app = await TestServer.StartAsync(o =>
        {
            o.UseProxyProtocol(p => p.DetectHttp2Preface = Http2PrefaceDetection.Enabled);
            o.UseConnectionHandler<BannerHandler>();
        });
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(app.EndPoint);
        await socket.SendAsync(Headers.V1("198.51.100.25", 2525, "192.0.2.1", 25));
        byte[] buffer = new byte[64];
        Task<int> pending = socket.ReceiveAsync(buffer, SocketFlags.None);
        Assert.False(pending.IsCompleted);
        await socket.SendAsync("EHLO x\r\n"u8.ToArray());

        int read = await pending.WaitAsync(RawClient.Timeout);

        Assert.StartsWith("220 198.51.100.25:2525 ready", Encoding.ASCII.GetString(buffer, 0, read), StringComparison.Ordinal);
    }

    private static async Task<string> ReadLineAsync(Socket socket)
    {
        using var timeout = new CancellationTokenSource(RawClient.Timeout);
        var line = new StringBuilder();
        byte[] one = new byte[1];
        while (await socket.ReceiveAsync(one, SocketFlags.None, timeout.Token) == 1 && one[0] != '\n')
        {
            line.Append((char)one[0]);
        }

        return line.ToString().TrimEnd('\r');
    }

    /// <summary>Writes a greeting that names the client as soon as the connection is handed over.</summary>
    public sealed class BannerHandler : ConnectionHandler
    {
        public override async Task OnConnectedAsync(ConnectionContext connection)
        {
            await connection.Transport.Output.WriteAsync(Encoding.ASCII.GetBytes($"220 {connection.RemoteEndPoint} ready\r\n"));
            while (true)
            {
                System.IO.Pipelines.ReadResult result = await connection.Transport.Input.ReadAsync();
                connection.Transport.Input.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    return;
                }
            }
        }
    }
}
