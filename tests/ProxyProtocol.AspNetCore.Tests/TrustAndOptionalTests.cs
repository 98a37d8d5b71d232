using System;
using System.Collections.Concurrent;
using System.Net;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Hosting;
using ProxyProtocol.AspNetCore.Tests.Infrastructure;

namespace ProxyProtocol.AspNetCore.Tests;

/// <summary>Optional mode, trusted proxies and the validation callback.</summary>
public class TrustAndOptionalTests
{
    [Fact]
    public async Task Optional_mode_without_a_header_serves_the_socket_endpoints()
    {
        // DET-04: the explicit optional mode decides by the first bytes; nothing is consumed.
        await using TestServer app = await TestServer.StartAsync(o => o.UseProxyProtocol(p => p.RequireHeader = false));

        RawResponse response = await RawClient.SendAsync(app.EndPoint, RawClient.Get());

        Assert.StartsWith("127.0.0.1:", response.Body["remote"]);
        Assert.Equal("False", response.Body["feature"]);
        Assert.Equal("NoHeader", Assert.Single(app.Logs.MiddlewareAll).EventId.Name);
    }

    [Fact]
    public async Task Optional_mode_with_a_header_uses_it()
    {
        await using TestServer app = await TestServer.StartAsync(o => o.UseProxyProtocol(p => p.RequireHeader = false));

        RawResponse response = await RawClient.SendAsync(app.EndPoint, Headers.V2("192.0.2.77", 7777, "192.0.2.1", 80), RawClient.Get());

        Assert.Equal("192.0.2.77:7777", response.Body["remote"]);
        Assert.Equal("True", response.Body["feature"]);
    }

    [Fact]
    public async Task Optional_mode_with_a_bad_header_closes_the_connection()
    {
        // Once the first bytes are a signature, the header must be valid: it never falls through to the app.
        await using TestServer app = await TestServer.StartAsync(o => o.UseProxyProtocol(p => p.RequireHeader = false));

        RawResponse response = await RawClient.SendAsync(app.EndPoint, "PROXY TCP4 192.0.2.1 bad\r\n"u8.ToArray(), RawClient.Get());

        Assert.True(response.IsEmpty);
        Assert.Equal("InvalidHeader", Assert.Single(app.Logs.Middleware).EventId.Name);
    }

    [Fact]
    public async Task Untrusted_source_is_rejected_before_anything_is_read()
    {
        // RX-05: only trusted proxies may send a header.
        await using TestServer app = await TestServer.StartAsync(o => o.UseProxyProtocol(p => p.TrustedProxies.Add(IPNetwork.Parse("10.0.0.0/8"))));

        RawResponse response = await RawClient.SendAsync(app.EndPoint, Headers.Concat(Headers.V1("192.0.2.1", 1, "192.0.2.2", 2), RawClient.Get()));

        Assert.True(response.IsEmpty);
        LogEntry entry = Assert.Single(app.Logs.Middleware);
        Assert.Equal(4, entry.EventId.Id);
        Assert.Contains("127.0.0.1", entry.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.0/8", "127.0.0.1")]
    [InlineData("::1/128", "::1")]
    public async Task Trusted_source_is_accepted(string network, string server)
    {
        await using TestServer app = await TestServer.StartAsync(
            IPAddress.Parse(server),
            o => o.UseProxyProtocol(p =>
            {
                p.TrustedProxies.Add(IPNetwork.Parse("10.0.0.0/8"));
                p.TrustedProxies.Add(IPNetwork.Parse(network));
            }));

        RawResponse response = await RawClient.SendAsync(app.EndPoint, Headers.Concat(Headers.V1("192.0.2.1", 1, "192.0.2.2", 2), RawClient.Get()));

        Assert.Equal("192.0.2.1:1", response.Body["remote"]);
    }

    [Fact]
    public async Task Untrusted_source_header_is_read_and_discarded_when_ignoring()
    {
        await using TestServer app = await TestServer.StartAsync(o => o.UseProxyProtocol(p =>
        {
            p.TrustedProxies.Add(IPNetwork.Parse("10.0.0.0/8"));
            p.UntrustedSourceAction = UntrustedSourceAction.IgnoreHeader;
        }));

        RawResponse withHeader = await RawClient.SendAsync(app.EndPoint, Headers.Concat(Headers.V1("6.6.6.6", 6, "192.0.2.2", 2), RawClient.Get()));
        RawResponse withoutHeader = await RawClient.SendAsync(app.EndPoint, RawClient.Get());

        Assert.StartsWith("127.0.0.1:", withHeader.Body["remote"]);
        Assert.Equal("False", withHeader.Body["feature"]);
        Assert.StartsWith("127.0.0.1:", withoutHeader.Body["remote"]);
        Assert.Contains(app.Logs.Middleware, e => e.EventId.Name == "UntrustedHeaderIgnored" && e.Message.Contains("6.6.6.6", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Validation_callback_allows_only_some_vpc_endpoints()
    {
        var seen = new ConcurrentQueue<(EndPoint? Socket, EndPoint? Source)>();
        await using TestServer app = await TestServer.StartAsync(o => o.UseProxyProtocol(p =>
            p.HeaderValidation = context =>
            {
                seen.Enqueue((context.Connection.RemoteEndPoint, context.Feature.SourceEndPoint));
                return context.Feature.AwsVpcEndpointId is "vpce-0aaa" or "vpce-0bbb";
            }));
        byte[] Header(string? vpce) => Headers.V2("192.0.2.5", 5, "192.0.2.1", 80, (ref ProxyV2HeaderBuilder b) =>
        {
            if (vpce is not null)
            {
                b.AddAwsVpcEndpointId(System.Text.Encoding.ASCII.GetBytes(vpce));
            }
        });

        RawResponse allowed = await RawClient.SendAsync(app.EndPoint, Headers.Concat(Header("vpce-0bbb"), RawClient.Get()));
        RawResponse denied = await RawClient.SendAsync(app.EndPoint, Headers.Concat(Header("vpce-0ccc"), RawClient.Get()));
        RawResponse missing = await RawClient.SendAsync(app.EndPoint, Headers.Concat(Header(null), RawClient.Get()));

        Assert.Equal("192.0.2.5:5", allowed.Body["remote"]);
        Assert.True(denied.IsEmpty);
        Assert.True(missing.IsEmpty);
        Assert.Equal(2, app.Logs.Middleware.Count);
        Assert.All(app.Logs.Middleware, e => Assert.Equal(5, e.EventId.Id));
        // The callback sees the socket's endpoint on the connection and the header's on the feature.
        Assert.All(seen, s =>
        {
            Assert.Equal(IPAddress.Loopback, ((IPEndPoint)s.Socket!).Address);
            Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.5"), 5), s.Source);
        });
    }

    [Fact]
    public async Task Validation_callback_that_throws_closes_only_that_connection()
    {
        await using TestServer app = await TestServer.StartAsync(o => o.UseProxyProtocol(p =>
            p.HeaderValidation = context => context.Feature.Authority == "ok" ? true : throw new InvalidOperationException("boom")));

        RawResponse failed = await RawClient.SendAsync(app.EndPoint, Headers.Concat(Headers.V2("192.0.2.1", 1, "192.0.2.2", 2), RawClient.Get()));
        RawResponse served = await RawClient.SendAsync(
            app.EndPoint,
            Headers.Concat(Headers.V2("192.0.2.3", 3, "192.0.2.2", 2, (ref ProxyV2HeaderBuilder b) => b.AddAuthority("ok")), RawClient.Get()));

        Assert.True(failed.IsEmpty);
        Assert.Equal("192.0.2.3:3", served.Body["remote"]);
        LogEntry entry = Assert.Single(app.Logs.Middleware);
        Assert.Equal("HeaderValidationFailed", entry.EventId.Name);
        Assert.IsType<InvalidOperationException>(entry.Exception);
    }
}
