using System;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using ProxyProtocol.AspNetCore.Tests.Infrastructure;

namespace ProxyProtocol.AspNetCore.Tests;

/// <summary>Log events (stable ids, Debug for rejections) and the ProxyProtocol.AspNetCore meter.</summary>
public class DiagnosticsTests
{
    [Fact]
    public async Task Accepted_headers_are_counted_by_version_and_command_with_a_duration()
    {
        await using TestServer app = await TestServer.StartAsync(o => o.UseProxyProtocol());

        await RawClient.SendAsync(app.EndPoint, Headers.Concat(Headers.V1("192.0.2.1", 1, "192.0.2.2", 2), RawClient.Get()));
        await RawClient.SendAsync(app.EndPoint, Headers.Concat(Headers.V2("192.0.2.1", 1, "192.0.2.2", 2), RawClient.Get()));
        await RawClient.SendAsync(app.EndPoint, Headers.Concat(Headers.V2Local(), RawClient.Get()));

        var accepted = app.Metrics.Of("proxy_protocol.accepted_headers");
        Assert.Equal(3, accepted.Count);
        Assert.Single(accepted, m => (string)m.Tags["proxy_protocol.version"]! == "1" && (string)m.Tags["proxy_protocol.command"]! == "proxy");
        Assert.Single(accepted, m => (string)m.Tags["proxy_protocol.version"]! == "2" && (string)m.Tags["proxy_protocol.command"]! == "proxy");
        Assert.Single(accepted, m => (string)m.Tags["proxy_protocol.version"]! == "2" && (string)m.Tags["proxy_protocol.command"]! == "local");
        var durations = app.Metrics.Of("proxy_protocol.header_read.duration");
        Assert.Equal(3, durations.Count);
        Assert.All(durations, d =>
        {
            Assert.Equal("accepted", d.Tags["proxy_protocol.outcome"]);
            Assert.InRange(d.Value, 0, RawClient.Timeout.TotalSeconds);
        });
        Assert.All(app.Logs.MiddlewareAll, e => Assert.Equal(("HeaderAccepted", 1, LogLevel.Trace), (e.EventId.Name, e.EventId.Id, e.Level)));
        Assert.Equal(3, app.Logs.MiddlewareAll.Count);
    }

    [Fact]
    public async Task Each_rejection_is_logged_once_at_debug_and_counted_by_reason()
    {
        await using TestServer app = await TestServer.StartAsync(o => o.UseProxyProtocol(p =>
        {
            p.HeaderTimeout = TimeSpan.FromMilliseconds(200);
            p.HeaderValidation = context => context.Feature.Authority != "deny";
        }));

        await RawClient.SendAsync(app.EndPoint, "GET / HTTP/1.1\r\n\r\n"u8.ToArray());
        await RawClient.SendAsync(app.EndPoint, "PROXY TCP4"u8.ToArray());
        await RawClient.SendAsync(app.EndPoint, Headers.Concat(Headers.V2("192.0.2.1", 1, "192.0.2.2", 2, (ref ProxyV2HeaderBuilder b) => b.AddAuthority("deny")), RawClient.Get()));
        RawResponse served = await RawClient.SendAsync(app.EndPoint, Headers.Concat(Headers.V1("192.0.2.3", 3, "192.0.2.2", 2), RawClient.Get()));

        Assert.Equal("192.0.2.3:3", served.Body["remote"]);
        var logged = app.Logs.Middleware.Select(e => (e.EventId.Id, e.EventId.Name ?? string.Empty, e.Level)).OrderBy(e => e.Id).ToArray();
        Assert.Equal(
            new (int, string, LogLevel)[] { (2, "InvalidHeader", LogLevel.Debug), (3, "HeaderTimeout", LogLevel.Debug), (5, "HeaderValidationFailed", LogLevel.Debug) },
            logged);
        var rejected = app.Metrics.Of("proxy_protocol.rejected_connections");
        Assert.Equal(3, rejected.Count);
        Assert.Single(rejected, m => (string)m.Tags["error.type"]! == "invalid_header" && (string)m.Tags["proxy_protocol.header_error"]! == "InvalidSignature");
        Assert.Single(rejected, m => (string)m.Tags["error.type"]! == "timeout");
        Assert.Single(rejected, m => (string)m.Tags["error.type"]! == "validation_failed");
        Assert.Equal(3, app.Metrics.Of("proxy_protocol.header_read.duration").Count(d => (string)d.Tags["proxy_protocol.outcome"]! == "rejected"));
    }

    [Fact]
    public async Task Untrusted_and_incomplete_are_counted()
    {
        await using TestServer untrusted = await TestServer.StartAsync(o => o.UseProxyProtocol(p => p.TrustedProxies.Add(System.Net.IPNetwork.Parse("10.0.0.0/8"))));
        await using TestServer plain = await TestServer.StartAsync(o => o.UseProxyProtocol());

        await RawClient.SendAsync(untrusted.EndPoint, Headers.V1("192.0.2.1", 1, "192.0.2.2", 2));
        using (var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp))
        {
            await socket.ConnectAsync(plain.EndPoint);
            await socket.SendAsync("PROXY TCP4 "u8.ToArray());
            socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
            await RawClient.ReadToEndAsync(socket);
        }

        Assert.Equal("untrusted_source", Assert.Single(untrusted.Metrics.Of("proxy_protocol.rejected_connections")).Tags["error.type"]);
        Measurement incomplete = Assert.Single(plain.Metrics.Of("proxy_protocol.rejected_connections"));
        Assert.Equal("incomplete_header", incomplete.Tags["error.type"]);
        Assert.Equal("IncompleteHeader", incomplete.Tags["proxy_protocol.header_error"]);
    }
}
