using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Http;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using ProxyProtocol.AspNetCore.Tests.Infrastructure;

namespace ProxyProtocol.AspNetCore.Tests;

/// <summary>HTTP/2 behind a TLS-terminating balancer (ALPN TLV) and with prior knowledge.</summary>
public class Http2Tests
{
    [Fact]
    public async Task Alpn_h2_from_a_tls_terminating_balancer_serves_http2_on_cleartext()
    {
        // dotnet/aspnetcore#43836: the balancer negotiated h2 with the client; Kestrel sees only cleartext.
        await using TestServer app = await TestServer.StartAsync(o => o.UseProxyProtocol());
        await using var balancer = new TlsTerminatingProxy(app.EndPoint, new IPEndPoint(IPAddress.Parse("203.0.113.80"), 8080));
        using HttpClient client = ProxiedHttpClient.CreateTrustingAnyCertificate();

        IReadOnlyDictionary<string, string> h2 = await ProxiedHttpClient.GetAsync(client, $"https://localhost:{balancer.Port}/conn", HttpVersion.Version20);
        IReadOnlyDictionary<string, string> h1 = await ProxiedHttpClient.GetAsync(client, $"https://localhost:{balancer.Port}/conn", HttpVersion.Version11);

        Assert.Equal("HTTP/2", h2["protocol"]);
        Assert.Equal("h2", h2["alpn"]);
        Assert.Equal("https", h2["scheme"]);
        Assert.Equal("203.0.113.80:8080", h2["remote"]);
        Assert.Equal("ProxiedTlsConnectionFeature", h2["tls"]);
        Assert.Equal("HTTP/1.1", h1["protocol"]);
        Assert.Equal(string.Empty, h1["alpn"]); // an HTTP/1.1-only client offers no ALPN
        Assert.Equal(string.Empty, h1["tls"]);
    }

    [Fact]
    public async Task Alpn_h2_is_ignored_when_the_option_is_off()
    {
        await using TestServer app = await TestServer.StartAsync(o => o.UseProxyProtocol(p => p.UseAlpnForHttp2 = false));
        await using var balancer = new TlsTerminatingProxy(app.EndPoint, new IPEndPoint(IPAddress.Parse("203.0.113.80"), 8080));
        using HttpClient client = ProxiedHttpClient.CreateTrustingAnyCertificate();

        // Kestrel serves HTTP/1.1 and answers the h2 preface with HTTP_1_1_REQUIRED.
        await Assert.ThrowsAsync<HttpRequestException>(
            () => ProxiedHttpClient.GetAsync(client, $"https://localhost:{balancer.Port}/conn", HttpVersion.Version20));
    }

    [Fact]
    public async Task Alpn_h2_with_scheme_http_needs_alternate_schemes()
    {
        // An h2c client behind the balancer sends :scheme http; Kestrel accepts it with AllowAlternateSchemes.
        await using TestServer app = await TestServer.StartAsync(
            IPAddress.Loopback,
            o => o.UseProxyProtocol(),
            kestrel => kestrel.AllowAlternateSchemes = true);
        using HttpClient client = ProxiedHttpClient.Create(
            () => Headers.V2("203.0.113.81", 8181, "203.0.113.1", 80, (ref ProxyV2HeaderBuilder b) => b.AddAlpn("h2"u8)));

        IReadOnlyDictionary<string, string> body = await ProxiedHttpClient.GetAsync(client, $"http://127.0.0.1:{app.Port}/conn", HttpVersion.Version20);

        Assert.Equal("HTTP/2", body["protocol"]);
        Assert.Equal("http", body["scheme"]);
        Assert.Equal("203.0.113.81:8181", body["remote"]);
    }

    [Fact]
    public async Task Http2_prior_knowledge_after_the_header()
    {
        await using TestServer app = await TestServer.StartAsync(o =>
        {
            o.Protocols = HttpProtocols.Http2;
            o.UseProxyProtocol();
        });
        using HttpClient client = ProxiedHttpClient.Create(() => Headers.V1("203.0.113.82", 8282, "203.0.113.1", 80));

        IReadOnlyDictionary<string, string> first = await ProxiedHttpClient.GetAsync(client, $"http://127.0.0.1:{app.Port}/conn", HttpVersion.Version20);
        IReadOnlyDictionary<string, string> second = await ProxiedHttpClient.GetAsync(client, $"http://127.0.0.1:{app.Port}/conn", HttpVersion.Version20);

        Assert.Equal("HTTP/2", first["protocol"]);
        Assert.Equal("http", first["scheme"]);
        Assert.Equal("203.0.113.82:8282", first["remote"]);
        Assert.Equal("203.0.113.82:8282", second["remote"]);
    }
}
