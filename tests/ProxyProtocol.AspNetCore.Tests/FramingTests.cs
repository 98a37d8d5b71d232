using System;
using System.Diagnostics;
using System.Linq;
using System.Net.Sockets;
using System.Text;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Hosting;
using ProxyProtocol.AspNetCore.Tests.Infrastructure;

namespace ProxyProtocol.AspNetCore.Tests;

/// <summary>How the header arrives on the wire, and what happens when it does not.</summary>
public class FramingTests
{
    [Fact]
    public async Task Header_sent_one_byte_per_write_is_assembled()
    {
        // RX-03: fragmentation is tolerated.
        await using TestServer app = await TestServer.StartAsync(o => o.UseProxyProtocol());
        byte[] header = Headers.V2("203.0.113.50", 6000, "203.0.113.1", 443, (ref ProxyV2HeaderBuilder b) => b.AddAuthority("example.com"));
        byte[][] writes = header.Select(b => new[] { b }).Append(RawClient.Get()).ToArray();

        RawResponse response = await RawClient.SendAsync(app.EndPoint, writes);

        Assert.Equal("203.0.113.50:6000", response.Body["remote"]);
        Assert.Equal("example.com", response.Body["authority"]);
    }

    [Fact]
    public async Task V1_header_sent_one_byte_per_write_is_assembled()
    {
        await using TestServer app = await TestServer.StartAsync(o => o.UseProxyProtocol());
        byte[] header = Headers.V1("203.0.113.51", 6001, "203.0.113.1", 80);
        byte[][] writes = header.Select(b => new[] { b }).Append(RawClient.Get()).ToArray();

        RawResponse response = await RawClient.SendAsync(app.EndPoint, writes);

        Assert.Equal("203.0.113.51:6001", response.Body["remote"]);
    }

    [Fact]
    public async Task Header_and_request_in_one_write_leave_the_request_intact()
    {
        // RX-02: exactly the header is consumed; the request that follows in the same segment reaches Kestrel.
        await using TestServer app = await TestServer.StartAsync(o => o.UseProxyProtocol());

        RawResponse response = await RawClient.SendAsync(app.EndPoint, Headers.Concat(Headers.V1("192.0.2.10", 1234, "192.0.2.1", 80), RawClient.Get()));

        Assert.Equal("192.0.2.10:1234", response.Body["remote"]);
    }

    [Theory]
    [InlineData("GET /conn HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", ProxyHeaderError.InvalidSignature)]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 80 8080 extra\r\n", ProxyHeaderError.InvalidFieldSeparator)]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 80 08080\r\n", ProxyHeaderError.InvalidPort)]
    [InlineData("\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003", ProxyHeaderError.InvalidSignature)]
    public async Task Missing_or_bad_header_closes_the_connection_without_a_byte(string input, ProxyHeaderError error)
    {
        // DET-03, DET-07: the connection is dropped; the request never reaches the application.
        await using TestServer app = await TestServer.StartAsync(o => o.UseProxyProtocol());

        RawResponse response = await RawClient.SendAsync(app.EndPoint, Encoding.Latin1.GetBytes(input));

        Assert.True(response.IsEmpty, response.Text);
        LogEntry entry = Assert.Single(app.Logs.Middleware);
        Assert.Equal(2, entry.EventId.Id);
        Assert.Contains(error.ToString(), entry.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Garbage_binary_is_rejected_and_the_server_keeps_serving()
    {
        await using TestServer app = await TestServer.StartAsync(o => o.UseProxyProtocol());
        byte[] garbage = new byte[300];
        new Random(42).NextBytes(garbage);
        garbage[0] = 0x0D; // starts like a v2 signature, then diverges

        RawResponse rejected = await RawClient.SendAsync(app.EndPoint, garbage);
        RawResponse served = await RawClient.SendAsync(app.EndPoint, Headers.Concat(Headers.V1("192.0.2.99", 99, "192.0.2.1", 80), RawClient.Get()));

        Assert.True(rejected.IsEmpty);
        Assert.Equal("192.0.2.99:99", served.Body["remote"]);
    }

    [Fact]
    public async Task Header_too_long_for_the_option_is_rejected()
    {
        // V2-05: MaxHeaderLength caps v2 headers; the length field alone decides.
        await using TestServer app = await TestServer.StartAsync(o => o.UseProxyProtocol(p => p.MaxHeaderLength = 64));
        byte[] header = Headers.V2("192.0.2.1", 1, "192.0.2.2", 2, (ref ProxyV2HeaderBuilder b) => b.AddNoop(100));

        RawResponse response = await RawClient.SendAsync(app.EndPoint, Headers.Concat(header, RawClient.Get()));

        Assert.True(response.IsEmpty);
        Assert.Contains(nameof(ProxyHeaderError.HeaderTooLong), Assert.Single(app.Logs.Middleware).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_not_allowed_is_rejected()
    {
        await using TestServer app = await TestServer.StartAsync(o => o.UseProxyProtocol(p => p.AllowedVersions = ProxyVersions.V2));

        RawResponse response = await RawClient.SendAsync(app.EndPoint, Headers.Concat(Headers.V1("192.0.2.1", 1, "192.0.2.2", 2), RawClient.Get()));

        Assert.True(response.IsEmpty);
        Assert.Contains(nameof(ProxyHeaderError.VersionNotAllowed), Assert.Single(app.Logs.Middleware).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Header_timeout_closes_the_connection()
    {
        // RX-04: a client that starts a header and stalls is closed after HeaderTimeout.
        await using TestServer app = await TestServer.StartAsync(o => o.UseProxyProtocol(p => p.HeaderTimeout = TimeSpan.FromMilliseconds(200)));
        var stopwatch = Stopwatch.StartNew();

        RawResponse response = await RawClient.SendAsync(app.EndPoint, "PROXY TCP4 192.0"u8.ToArray());

        stopwatch.Stop();
        Assert.True(response.IsEmpty);
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromMilliseconds(150), RawClient.Timeout);
        LogEntry entry = Assert.Single(app.Logs.Middleware);
        Assert.Equal(3, entry.EventId.Id);
    }

    [Fact]
    public async Task Silent_client_is_closed_after_the_timeout()
    {
        await using TestServer app = await TestServer.StartAsync(o => o.UseProxyProtocol(p => p.HeaderTimeout = TimeSpan.FromMilliseconds(200)));

        RawResponse response = await RawClient.SendAsync(app.EndPoint);

        Assert.True(response.IsEmpty);
        Assert.Equal("HeaderTimeout", Assert.Single(app.Logs.Middleware).EventId.Name);
    }

    [Fact]
    public async Task Connection_closed_mid_header_is_logged_as_incomplete()
    {
        await using TestServer app = await TestServer.StartAsync(o => o.UseProxyProtocol());
        using (var socket = new Socket(SocketType.Stream, ProtocolType.Tcp))
        {
            await socket.ConnectAsync(app.EndPoint);
            await socket.SendAsync(Headers.V2("192.0.2.1", 1, "192.0.2.2", 2).AsMemory(0, 20));
            socket.Shutdown(SocketShutdown.Send);
            Assert.Empty(await RawClient.ReadToEndAsync(socket));
        }

        LogEntry entry = Assert.Single(app.Logs.Middleware);
        Assert.Equal("IncompleteHeader", entry.EventId.Name);
        Assert.Equal(6, entry.EventId.Id);
    }

    [Fact]
    public async Task Stacked_second_header_reaches_kestrel_which_rejects_the_request()
    {
        // QUIRK-07: only the first header is consumed; the second is never taken as a header, and Kestrel's
        // HTTP parser answers 400 before the application runs.
        await using TestServer app = await TestServer.StartAsync(o => o.UseProxyProtocol());
        byte[] first = Headers.V1("192.0.2.1", 1, "192.0.2.2", 2);
        byte[] second = Headers.V1("6.6.6.6", 6, "192.0.2.2", 2);

        RawResponse response = await RawClient.SendAsync(app.EndPoint, Headers.Concat(first, second, RawClient.Get()));

        Assert.Equal(400, response.StatusCode);
        Assert.DoesNotContain("6.6.6.6", response.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_stops_promptly_while_a_connection_waits_for_its_header()
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        TestServer app = await TestServer.StartAsync(o =>
        {
            o.Use(next => context =>
            {
                reached.TrySetResult();
                return next(context);
            });
            o.UseProxyProtocol();
        });
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(app.EndPoint);
        await socket.SendAsync("PROXY "u8.ToArray());
        await reached.Task.WaitAsync(RawClient.Timeout);
        var stopwatch = Stopwatch.StartNew();

        await app.DisposeAsync();

        // The default header timeout is 10 s: stopping well before it shows the read followed the shutdown.
        Assert.InRange(stopwatch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        Assert.Equal("ServerShutdown", Assert.Single(app.Logs.Middleware).EventId.Name);
    }
}
