using System;
using System.Linq;
using System.Net;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using ProxyProtocol.AspNetCore.Tests.Infrastructure;

namespace ProxyProtocol.AspNetCore.Tests;

/// <summary>What is checked when Kestrel binds an endpoint: HTTP/3, trust, duplicate registration.</summary>
public class StartupChecksTests
{
    [Fact]
    public async Task Http3_endpoint_is_refused_at_startup()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => TestServer.StartAsync(o =>
        {
            o.Protocols = HttpProtocols.Http1AndHttp2AndHttp3;
            o.UseProxyProtocol().UseHttps(TestCertificate.Instance);
        }));

        Assert.Contains("serves HTTP/3", error.Message, StringComparison.Ordinal);
        Assert.Contains("AllowHttp3WithoutHeader", error.Message, StringComparison.Ordinal);
        Assert.Contains("Http1AndHttp2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http3_allowed_on_purpose_is_warned_about_once()
    {
        await using TestServer app = await TestServer.StartAsync(o =>
        {
            o.Protocols = HttpProtocols.Http1AndHttp2AndHttp3;
            o.UseProxyProtocol(p => p.AllowHttp3WithoutHeader = true).UseHttps(TestCertificate.Instance);
        });

        LogEntry warning = Assert.Single(app.Logs.Endpoint, e => e.EventId.Name == "Http3WithoutHeader");
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains($"https://127.0.0.1:0", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cleartext_endpoint_listing_http3_is_not_refused()
    {
        // Kestrel binds QUIC only with TLS: HTTP/3 cannot bypass this endpoint.
        await using TestServer app = await TestServer.StartAsync(o =>
        {
            o.Protocols = HttpProtocols.Http1AndHttp2AndHttp3;
            o.UseProxyProtocol();
        });

        RawResponse response = await RawClient.SendAsync(app.EndPoint, Headers.V1("192.0.2.1", 1, "192.0.2.2", 2), RawClient.Get());
        Assert.Equal("192.0.2.1:1", response.Body["remote"]);
    }

    [Fact]
    public async Task Empty_trust_list_warns_once_per_endpoint_and_names_it()
    {
        await using TestServer app = await TestServer.StartAsync(o => o.UseProxyProtocol());

        LogEntry warning = Assert.Single(app.Logs.Endpoint, e => e.EventId.Name == "TrustingAnySource");
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("http://127.0.0.1:0", warning.Message, StringComparison.Ordinal);
        Assert.Contains("any client that can reach this port can set its own client address", warning.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true, null)]
    [InlineData(false, "10.0.0.0/8")]
    public async Task Trust_any_source_or_a_trust_list_silences_the_warning(bool trustAny, string? network)
    {
        await using TestServer app = await TestServer.StartAsync(o => o.UseProxyProtocol(p =>
        {
            p.TrustAnySource = trustAny;
            if (network is not null)
            {
                p.TrustedProxies.Add(IPNetwork.Parse(network));
            }
        }));

        Assert.DoesNotContain(app.Logs.Endpoint, e => e.EventId.Name == "TrustingAnySource");
    }

    [Fact]
    public async Task Trust_any_source_with_a_trust_list_fails_at_startup()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => TestServer.StartAsync(o => o.UseProxyProtocol(p =>
        {
            p.TrustAnySource = true;
            p.TrustedProxies.Add(IPNetwork.Parse("10.0.0.0/8"));
        })));

        Assert.Contains("TrustAnySource is true while TrustedProxies lists 1 network", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Endpoint_defaults_plus_a_per_endpoint_call_fail_at_startup()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => TestServer.StartAsync(
            IPAddress.Loopback,
            o => o.UseProxyProtocol(),
            kestrel => kestrel.ConfigureEndpointDefaults(d => d.UseProxyProtocol())));

        Assert.Contains("UseProxyProtocol() was called twice on the endpoint", error.Message, StringComparison.Ordinal);
        Assert.Contains("ConfigureEndpointDefaults", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Second_middleware_that_finds_a_header_already_read_passes_through_and_logs_one_error()
    {
        // A duplicate registration missed at registration (here: a feature set by something else first) must
        // not close every connection.
        await using TestServer app = await TestServer.StartAsync(o =>
        {
            o.UseProxyProtocol();
            ListenOptionsProxyProtocolExtensions.AddMiddleware(o, new ProxyProtocolOptions());
        });

        RawResponse first = await RawClient.SendAsync(app.EndPoint, Headers.V1("192.0.2.1", 1, "192.0.2.2", 2), RawClient.Get());
        RawResponse second = await RawClient.SendAsync(app.EndPoint, Headers.V1("192.0.2.3", 3, "192.0.2.2", 2), RawClient.Get());

        Assert.Equal("192.0.2.1:1", first.Body["remote"]);
        Assert.Equal("192.0.2.3:3", second.Body["remote"]);
        LogEntry error = Assert.Single(app.Logs.Middleware, e => e.EventId.Name == "DuplicateMiddleware");
        Assert.Equal(LogLevel.Error, error.Level);
        Assert.Contains("second UseProxyProtocol()", error.Message, StringComparison.Ordinal);
    }
}
