using System;
using System.Collections.Generic;
using System.Net;
using System.Text;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using ProxyProtocol.AspNetCore.Tests.Infrastructure;

namespace ProxyProtocol.AspNetCore.Tests;

/// <summary>A trusted header that says the client used TLS makes the request https; nothing else does.</summary>
public class HttpsFromHeaderTests
{
    private static byte[] WithSsl(ProxySslClientFlags client) =>
        Headers.V2("203.0.113.5", 5555, "198.51.100.1", 443, (ref ProxyV2HeaderBuilder b) =>
        {
            b.BeginSsl(client, client == ProxySslClientFlags.None ? 1u : 0u);
            b.AddSslVersion("TLSv1.3"u8);
            b.EndSsl();
        });

    private static byte[] WithAlpn(string alpn) =>
        Headers.V2("203.0.113.5", 5555, "198.51.100.1", 443, (ref ProxyV2HeaderBuilder b) => b.AddAlpn(Encoding.ASCII.GetBytes(alpn)));

    public static TheoryData<string, bool> Cases => new()
    {
        { "ssl-client-bit", true },
        { "ssl-without-client-bit", false },
        { "alpn-http/1.1", true },
        { "no-tlvs", false },
        { "v1", false },
        { "local-with-alpn", false },
    };

    private static byte[] HeaderFor(string name) => name switch
    {
        "ssl-client-bit" => WithSsl(ProxySslClientFlags.Ssl),
        "ssl-without-client-bit" => WithSsl(ProxySslClientFlags.None),
        "alpn-http/1.1" => WithAlpn("http/1.1"),
        "no-tlvs" => Headers.V2("203.0.113.5", 5555, "198.51.100.1", 443),
        "v1" => Headers.V1("203.0.113.5", 5555, "198.51.100.1", 443),
        _ => Headers.V2(ProxyHeader.CreateLocal(), (ref ProxyV2HeaderBuilder b) => b.AddAlpn("h2"u8)),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Https_follows_the_headers_tls_for_http1(string header, bool https)
    {
        await using TestServer app = await TestServer.StartAsync(o => o.UseProxyProtocol());

        RawResponse response = await RawClient.SendAsync(app.EndPoint, HeaderFor(header), RawClient.Get());

        Assert.Equal("HTTP/1.1", response.Body["protocol"]);
        Assert.Equal(https ? "https" : "http", response.Body["scheme"]);
        Assert.Equal(https.ToString(), response.Body["https"]);
        Assert.Equal(https.ToString(), response.Body["clientTls"]);
    }

    [Fact]
    public async Task Option_off_keeps_http_and_the_feature_still_tells()
    {
        await using TestServer app = await TestServer.StartAsync(o => o.UseProxyProtocol(p => p.HttpsFromHeader = false));

        RawResponse response = await RawClient.SendAsync(app.EndPoint, WithSsl(ProxySslClientFlags.Ssl), RawClient.Get());

        Assert.Equal("http", response.Body["scheme"]);
        Assert.Equal("True", response.Body["clientTls"]);
    }

    [Fact]
    public async Task Untrusted_source_cannot_claim_tls()
    {
        // 127.0.0.1 is not a trusted proxy; IgnoreHeader serves it with its own endpoints and scheme.
        await using TestServer app = await TestServer.StartAsync(o => o.UseProxyProtocol(p =>
        {
            p.TrustedProxies.Add(IPNetwork.Parse("10.0.0.0/8"));
            p.UntrustedSourceAction = UntrustedSourceAction.IgnoreHeader;
        }));

        RawResponse response = await RawClient.SendAsync(app.EndPoint, WithAlpn("h2"), RawClient.Get());

        Assert.Equal("http", response.Body["scheme"]);
        Assert.Equal("False", response.Body["feature"]);
        Assert.StartsWith("127.0.0.1:", response.Body["remote"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Https_redirection_does_not_loop_behind_a_tls_terminating_balancer()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddHttpsRedirection(o => o.HttpsPort = 443);
        ListenOptions? listen = null;
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => listen = l.UseProxyProtocol()));
        await using WebApplication app = builder.Build();
        app.UseHttpsRedirection();
        app.MapGet("/conn", (HttpContext c) => TestServer.Describe(c));
        await app.StartAsync();

        RawResponse viaTls = await RawClient.SendAsync(listen!.IPEndPoint!, WithSsl(ProxySslClientFlags.Ssl), RawClient.Get());
        RawResponse viaPlain = await RawClient.SendAsync(listen.IPEndPoint!, Headers.V2("203.0.113.5", 5555, "198.51.100.1", 80), RawClient.Get());

        Assert.Equal("https", viaTls.Body["scheme"]);          // served, not redirected
        Assert.Equal(307, viaPlain.StatusCode);                 // a cleartext client is sent to https, once
        Assert.Contains("Location: https://localhost/conn", viaPlain.Text, StringComparison.Ordinal);
        await app.StopAsync();
    }
}
