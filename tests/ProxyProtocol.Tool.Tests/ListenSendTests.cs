using System;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace ProxyProtocol.Tool.Tests;

/// <summary>
/// <c>listen</c> and <c>send</c> against each other and against raw sockets, all on loopback with port 0,
/// every wait bounded.
/// </summary>
public class ListenSendTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Send_with_explicit_addresses_is_reported_by_listen_as_json()
    {
        string[] headerOptions = ["--src", "203.0.113.7:40000", "--dst", "198.51.100.1:443", "--alpn", "h2", "--crc32c"];
        byte[] encoded = (await ToolRunner.RunAsync(["encode", .. headerOptions])).StdoutBytes;
        string decoded = (await ToolRunner.RunAsync(encoded, "decode")).Stdout.TrimEnd('\n');
        (Task<ToolResult> listen, int port) = await StartListenAsync("--count", "1", "--json");

        ToolResult send = await ToolRunner.RunAsync(new MemoryStream(Encoding.ASCII.GetBytes("hello")), ["send", $"127.0.0.1:{port}", .. headerOptions]);
        ToolResult listened = await listen.WaitAsync(s_timeout);

        Assert.Equal(0, send.ExitCode);
        Assert.Equal(string.Empty, send.Stdout); // listen answers nothing
        Assert.Equal(0, listened.ExitCode);
        using JsonDocument report = JsonDocument.Parse(Assert.Single(listened.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        JsonElement root = report.RootElement;
        Assert.Equal($"127.0.0.1:{port}", root.GetProperty("local").GetString());
        Assert.StartsWith("127.0.0.1:", root.GetProperty("remote").GetString(), StringComparison.Ordinal);
        // What listen received over the socket is what encode writes and decode reads.
        Assert.Equal(decoded, root.GetProperty("header").GetRawText());
        Assert.StartsWith(
            "{\"version\":2,\"command\":\"PROXY\",\"family\":\"INET\",\"transport\":\"STREAM\"," +
            "\"source\":{\"address\":\"203.0.113.7\",\"port\":40000},\"destination\":{\"address\":\"198.51.100.1\",\"port\":443}," +
            "\"headerLength\":40,\"crc32c\":\"valid\",\"tlvs\":[{\"type\":1,\"name\":\"ALPN\",\"value\":\"6832\",\"text\":\"h2\"}," +
            "{\"type\":3,\"name\":\"CRC32C\",\"value\":\"",
            decoded,
            StringComparison.Ordinal);
        Assert.Equal("{\"length\":5,\"hex\":\"68656c6c6f\",\"printable\":\"hello\"}", root.GetProperty("data").GetRawText());
        Assert.Equal($"listening on 127.0.0.1:{port}\n", listened.Stderr);
    }

    [Fact]
    public async Task Send_without_addresses_uses_the_connections_own_endpoints()
    {
        // V1-13 advice: a sender with nothing better describes the real connection (getsockname/getpeername).
        (Task<ToolResult> listen, int port) = await StartListenAsync("--count", "1", "--json");

        ToolResult send = await ToolRunner.RunAsync(new MemoryStream(), ["send", $"127.0.0.1:{port}", "--v1"]);
        ToolResult listened = await listen.WaitAsync(s_timeout);

        Assert.Equal(0, send.ExitCode);
        Assert.Equal(0, listened.ExitCode);
        using JsonDocument report = JsonDocument.Parse(listened.Stdout);
        JsonElement header = report.RootElement.GetProperty("header");
        Assert.Equal(1, header.GetProperty("version").GetInt32());
        Assert.Equal(report.RootElement.GetProperty("remote").GetString(), EndPointText(header.GetProperty("source")));
        Assert.Equal(report.RootElement.GetProperty("local").GetString(), EndPointText(header.GetProperty("destination")));
        Assert.Equal("{\"length\":0,\"hex\":\"\",\"printable\":\"\"}", report.RootElement.GetProperty("data").GetRawText());
    }

    [IPv6Fact]
    public async Task Listen_and_send_over_ipv6_loopback()
    {
        (Task<ToolResult> listen, int port) = await StartListenAsync("--count", "1", "--json", "--address", "::1");

        ToolResult send = await ToolRunner.RunAsync(new MemoryStream([0x00, 0xff]), ["send", $"[::1]:{port}"]);
        ToolResult listened = await listen.WaitAsync(s_timeout);

        Assert.Equal(0, send.ExitCode);
        using JsonDocument report = JsonDocument.Parse(listened.Stdout);
        JsonElement header = report.RootElement.GetProperty("header");
        Assert.Equal("INET6", header.GetProperty("family").GetString());
        Assert.Equal("::1", header.GetProperty("destination").GetProperty("address").GetString());
        Assert.Equal(port, header.GetProperty("destination").GetProperty("port").GetInt32());
        Assert.Equal("{\"length\":2,\"hex\":\"00ff\",\"printable\":\"..\"}", report.RootElement.GetProperty("data").GetRawText());
    }

    [Fact]
    public async Task Listen_prints_a_human_report_without_json()
    {
        (Task<ToolResult> listen, int port) = await StartListenAsync("--count", "1");

        ToolResult send = await ToolRunner.RunAsync(
            new MemoryStream(Encoding.ASCII.GetBytes("GET /\r\n")),
            ["send", $"127.0.0.1:{port}", "--src", "192.0.2.1:1000", "--dst", "192.0.2.2:80", "--authority", "example.com", "--ssl-version", "TLSv1.3", "--tlv", "0xe1=0a0b"]);
        ToolResult listened = await listen.WaitAsync(s_timeout);

        Assert.Equal(0, send.ExitCode);
        Assert.Equal(0, listened.ExitCode);
        string[] lines = listened.Stdout.Split('\n');
        Assert.Matches($"^127\\.0\\.0\\.1:[0-9]+ -> 127\\.0\\.0\\.1:{port}: PROXY TCP4 192\\.0\\.2\\.1:1000 -> 192\\.0\\.2\\.2:80 \\(v2\\), 65-byte header$", lines[0]);
        Assert.Equal("  TLV AUTHORITY (0x02): \"example.com\"", lines[1]);
        Assert.Equal("  TLV SSL (0x20): 0100000000210007544c5376312e33 client=0x01", lines[2]);
        Assert.Equal("    SSL_VERSION (0x21): \"TLSv1.3\"", lines[3]);
        Assert.Equal("  TLV 0xe1: 0a0b", lines[4]);
        Assert.Equal("  7 bytes after the header: 474554202f0d0a |GET /..|", lines[5]);
    }

    [Fact]
    public async Task Listen_reports_a_connection_without_header_and_exits_1()
    {
        // DET-03: plain HTTP where a header was due; the report shows what came instead.
        (Task<ToolResult> listen, int port) = await StartListenAsync("--count", "1", "--json");

        using (Socket client = await ConnectAsync(port))
        {
            await client.SendAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\n"));
            client.Shutdown(SocketShutdown.Send);
            await DrainAsync(client);
        }

        ToolResult listened = await listen.WaitAsync(s_timeout);

        Assert.Equal(1, listened.ExitCode);
        using JsonDocument report = JsonDocument.Parse(listened.Stdout);
        Assert.Equal("InvalidSignature", report.RootElement.GetProperty("error").GetString());
        Assert.Equal("GET / HTTP/1.1..", report.RootElement.GetProperty("data").GetProperty("printable").GetString());
    }

    [Fact]
    public async Task Listen_times_out_a_header_that_never_completes()
    {
        // RX-04: a tolerant receiver needs a deadline (here 1.5 s instead of the default 10: long enough
        // for the partial header to be read on a loaded CI machine before the deadline).
        (Task<ToolResult> listen, int port) = await StartListenAsync("--count", "1", "--json", "--timeout", "1.5");

        using Socket client = await ConnectAsync(port);
        await client.SendAsync(Encoding.ASCII.GetBytes("PROXY TCP4 "));
        ToolResult listened = await listen.WaitAsync(s_timeout);

        Assert.Equal(1, listened.ExitCode);
        Assert.Equal(
            "{\"remote\":\"" + client.LocalEndPoint + "\",\"local\":\"127.0.0.1:" + port + "\",\"error\":\"HeaderTimeout\"," +
            "\"message\":\"No complete PROXY header within 1.5 seconds.\",\"data\":{\"length\":11,\"hex\":\"50524f5859205443503420\",\"printable\":\"PROXY TCP4 \"}}\n",
            listened.Stdout);
    }

    [Fact]
    public async Task Listen_shows_at_most_bytes_after_the_header()
    {
        (Task<ToolResult> listen, int port) = await StartListenAsync("--count", "1", "--json", "--bytes", "4");

        using (Socket client = await ConnectAsync(port))
        {
            await client.SendAsync(Encoding.ASCII.GetBytes("PROXY UNKNOWN\r\nhello world"));
            await DrainAsync(client);
        }

        ToolResult listened = await listen.WaitAsync(s_timeout);

        Assert.Equal(0, listened.ExitCode);
        using JsonDocument report = JsonDocument.Parse(listened.Stdout);
        Assert.Equal("{\"length\":4,\"hex\":\"68656c6c\",\"printable\":\"hell\"}", report.RootElement.GetProperty("data").GetRawText());
    }

    [Fact]
    public async Task Listen_handles_connections_concurrently()
    {
        // A stalled client does not hold up the next one: its report comes first, the stalled one times out later.
        (Task<ToolResult> listen, int port) = await StartListenAsync("--count", "2", "--json", "--timeout", "2");

        using Socket stalled = await ConnectAsync(port);
        await stalled.SendAsync(Encoding.ASCII.GetBytes("PROXY"));
        ToolResult send = await ToolRunner.RunAsync(new MemoryStream(), ["send", $"127.0.0.1:{port}", "--local"]);
        ToolResult listened = await listen.WaitAsync(s_timeout);

        Assert.Equal(0, send.ExitCode);
        Assert.Equal(1, listened.ExitCode);
        string[] reports = listened.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, reports.Length);
        Assert.Contains("\"command\":\"LOCAL\"", reports[0], StringComparison.Ordinal);
        Assert.Contains("\"error\":\"HeaderTimeout\"", reports[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Listen_stops_on_cancellation_with_exit_0()
    {
        using CancellationTokenSource stop = new();
        SignalingWriter stderr = new();
        Task<ToolResult> listen = ToolRunner.RunAsync(new MemoryStream(), ["listen"], stderr, stop.Token);
        await stderr.ListeningPort.WaitAsync(s_timeout);

        stop.Cancel();
        ToolResult result = await listen.WaitAsync(s_timeout);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(string.Empty, result.Stdout);
    }

    [Fact]
    public async Task Listen_on_a_port_in_use_is_a_network_error()
    {
        using Socket taken = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        taken.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        taken.Listen();
        int port = ((IPEndPoint)taken.LocalEndPoint!).Port;

        ToolResult result = await ToolRunner.RunAsync("listen", "--port", port.ToString());

        Assert.Equal(3, result.ExitCode);
        Assert.StartsWith($"proxyproto listen: cannot listen on 127.0.0.1:{port}: ", Assert.Single(result.StderrLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_writes_the_header_in_one_piece_then_relays_both_ways()
    {
        // TX-01: the header and nothing else arrives first; then stdin; the server's answer reaches stdout.
        using Socket server = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        server.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        server.Listen();
        int port = ((IPEndPoint)server.LocalEndPoint!).Port;
        string[] headerOptions = ["--src", "192.0.2.1:1000", "--dst", "192.0.2.2:80", "--unique-id", "abc"];
        byte[] expectedHeader = (await ToolRunner.RunAsync(["encode", .. headerOptions])).StdoutBytes;

        Task<ToolResult> send = ToolRunner.RunAsync(new MemoryStream(Encoding.ASCII.GetBytes("ping")), ["send", $"127.0.0.1:{port}", .. headerOptions]);
        using Socket accepted = await server.AcceptAsync().WaitAsync(s_timeout);
        byte[] received = await DrainAsync(accepted);
        await accepted.SendAsync(Encoding.ASCII.GetBytes("pong"));
        accepted.Shutdown(SocketShutdown.Send);
        ToolResult result = await send.WaitAsync(s_timeout);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("pong", result.Stdout);
        Assert.Equal(string.Empty, result.Stderr);
        Assert.Equal([.. expectedHeader, .. "ping"u8.ToArray()], received);
    }

    [Fact]
    public async Task Send_says_when_the_server_closes_without_answering()
    {
        // A server that rejects the header (Kestrel does) closes without a byte: that must not look like a silent success.
        using Socket server = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        server.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        server.Listen();
        int port = ((IPEndPoint)server.LocalEndPoint!).Port;

        Task<ToolResult> send = ToolRunner.RunAsync(new MemoryStream(Encoding.ASCII.GetBytes("GET / HTTP/1.0\r\n\r\n")), ["send", $"127.0.0.1:{port}", "--local"]);
        using (Socket accepted = await server.AcceptAsync().WaitAsync(s_timeout))
        {
            await DrainAsync(accepted);
            accepted.Shutdown(SocketShutdown.Both);
        }

        ToolResult result = await send.WaitAsync(s_timeout);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(string.Empty, result.Stdout);
        Assert.Equal($"proxyproto send: 127.0.0.1:{port} closed the connection without sending anything\n", result.Stderr);
    }

    [Fact]
    public async Task Send_to_a_closed_port_is_a_network_error()
    {
        // A bound socket that does not listen refuses connections: a closed port without guessing one.
        using Socket closed = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        closed.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        int port = ((IPEndPoint)closed.LocalEndPoint!).Port;

        ToolResult result = await ToolRunner.RunAsync(new MemoryStream(), ["send", $"127.0.0.1:{port}", "--local"]);

        Assert.Equal(3, result.ExitCode);
        Assert.Equal(string.Empty, result.Stdout);
        Assert.StartsWith($"proxyproto send: 127.0.0.1:{port}: ", Assert.Single(result.StderrLines), StringComparison.Ordinal);
    }

    private static async Task<(Task<ToolResult> Run, int Port)> StartListenAsync(params string[] options)
    {
        SignalingWriter stderr = new();
        Task<ToolResult> run = ToolRunner.RunAsync(new MemoryStream(), ["listen", .. options], stderr);
        Task first = await Task.WhenAny(stderr.ListeningPort, run).WaitAsync(s_timeout);
        if (first == run)
        {
            Assert.Fail($"listen ended before listening: {(await run).Stderr}");
        }

        return (run, await stderr.ListeningPort);
    }

    private static async Task<Socket> ConnectAsync(int port)
    {
        Socket client = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port)).WaitAsync(s_timeout);
        return client;
    }

    /// <summary>Reads until the peer shuts down its side.</summary>
    private static async Task<byte[]> DrainAsync(Socket socket)
    {
        MemoryStream all = new();
        byte[] buffer = new byte[4096];
        using CancellationTokenSource deadline = new(s_timeout);
        while (true)
        {
            int received;
            try
            {
                received = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
            {
                break;
            }

            if (received == 0)
            {
                break;
            }

            all.Write(buffer, 0, received);
        }

        return all.ToArray();
    }

    private static string EndPointText(JsonElement endPoint) =>
        $"{endPoint.GetProperty("address").GetString()}:{endPoint.GetProperty("port").GetInt32()}";
}
