using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Net.Sockets;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using ProxyProtocol.AspNetCore.Tests.Infrastructure;

namespace ProxyProtocol.AspNetCore.Tests;

/// <summary>TLS passthrough: the header in clear, then the client's TLS handshake with Kestrel.</summary>
public class TlsTests
{
    private static async Task<(RawResponse Response, SslApplicationProtocol Alpn)> SendOverTlsAsync(IPEndPoint server, byte[] header)
    {
        using var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(server);
        await socket.SendAsync(header);
        await using var tls = new SslStream(new NetworkStream(socket, ownsSocket: false));
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
            ApplicationProtocols = [SslApplicationProtocol.Http11],
        });
        await tls.WriteAsync(RawClient.Get());
        using var received = new System.IO.MemoryStream();
        await tls.CopyToAsync(received).WaitAsync(RawClient.Timeout);
        return (new RawResponse(received.ToArray()), tls.NegotiatedApplicationProtocol);
    }

    [Fact]
    public async Task Header_then_tls_handshake_then_http1()
    {
        await using TestServer app = await TestServer.StartAsync(o => o.UseProxyProtocol().UseHttps(TestCertificate.Instance));

        (RawResponse response, _) = await SendOverTlsAsync(app.EndPoint, Headers.V1("203.0.113.20", 2020, "203.0.113.1", 443));

        IReadOnlyDictionary<string, string> body = response.Body;
        Assert.Equal("203.0.113.20:2020", body["remote"]);
        Assert.Equal("True", body["https"]);
        Assert.Equal("https", body["scheme"]);
        Assert.Equal("TlsConnectionFeature", body["tls"]);
    }

    [Fact]
    public async Task Header_then_tls_with_http2()
    {
        await using TestServer app = await TestServer.StartAsync(o => o.UseProxyProtocol().UseHttps(TestCertificate.Instance));
        using HttpClient client = ProxiedHttpClient.Create(() => Headers.V2("2001:db8::20", 2020, "2001:db8::1", 443));

        IReadOnlyDictionary<string, string> body = await ProxiedHttpClient.GetAsync(client, $"https://127.0.0.1:{app.Port}/conn", HttpVersion.Version20);

        Assert.Equal("HTTP/2", body["protocol"]);
        Assert.Equal("2001:db8::20:2020", body["remote"]);
        Assert.Equal("True", body["https"]);
    }

    [Fact]
    public async Task Alpn_h2_in_the_header_does_not_replace_the_endpoints_own_tls()
    {
        // The endpoint does its own handshake; the header's ALPN must not make Kestrel skip it.
        await using TestServer app = await TestServer.StartAsync(o => o.UseProxyProtocol().UseHttps(TestCertificate.Instance));
        byte[] header = Headers.V2("192.0.2.8", 8, "192.0.2.1", 443, (ref ProxyV2HeaderBuilder b) => b.AddAlpn("h2"u8));

        (RawResponse response, SslApplicationProtocol alpn) = await SendOverTlsAsync(app.EndPoint, header);

        Assert.Equal(SslApplicationProtocol.Http11, alpn);
        Assert.Equal("HTTP/1.1", response.Body["protocol"]);
        Assert.Equal("TlsConnectionFeature", response.Body["tls"]);
        Assert.Equal("h2", response.Body["alpn"]);
    }

    [Fact]
    public async Task UseProxyProtocol_after_UseHttps_fails_at_startup_and_says_to_swap_them()
    {
        InvalidOperationException ex = await Assert.ThrowsAsync<InvalidOperationException>(
            () => TestServer.StartAsync(o => o.UseHttps(TestCertificate.Instance).UseProxyProtocol()));

        Assert.Contains("after UseHttps()", ex.Message, StringComparison.Ordinal);
        Assert.Contains("swap the two calls", ex.Message, StringComparison.Ordinal);
        Assert.Contains("UseProxyProtocol().UseHttps(", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Endpoint_defaults_run_before_https_so_the_order_is_right()
    {
        // ConfigureEndpointDefaults runs before an endpoint's own configuration: the header is read first.
        await using TestServer app = await TestServer.StartAsync(
            IPAddress.Loopback,
            o => o.UseHttps(TestCertificate.Instance),
            kestrel => kestrel.ConfigureEndpointDefaults(o => o.UseProxyProtocol()));

        (RawResponse response, _) = await SendOverTlsAsync(app.EndPoint, Headers.V1("203.0.113.21", 2121, "203.0.113.1", 443));

        Assert.Equal("203.0.113.21:2121", response.Body["remote"]);
    }

    [Fact]
    public async Task Tls_negotiated_before_the_middleware_is_caught_at_the_first_connection()
    {
        // A TLS layer other than UseHttps() cannot be seen at registration; the connection is closed and logged.
        await using TestServer app = await TestServer.StartAsync(o =>
        {
            o.Use(next => context =>
            {
                context.Features.Set<ITlsConnectionFeature>(new FakeTls());
                return next(context);
            });
            o.UseProxyProtocol();
        });

        RawResponse response = await RawClient.SendAsync(app.EndPoint, Headers.Concat(Headers.V1("192.0.2.1", 1, "192.0.2.2", 2), RawClient.Get()));

        Assert.True(response.IsEmpty);
        LogEntry entry = Assert.Single(app.Logs.Middleware);
        Assert.Equal(7, entry.EventId.Id);
        Assert.Equal(LogLevel.Error, entry.Level);
    }

    [Fact]
    public async Task Works_with_connection_logging_outside_and_inside()
    {
        // Outside: the logging middleware sees the raw header bytes; inside: only what follows the header.
        await using TestServer outside = await TestServer.StartAsync(o => o.UseConnectionLogging("outer").UseProxyProtocol());
        await using TestServer inside = await TestServer.StartAsync(o => o.UseProxyProtocol().UseConnectionLogging("inner"));
        byte[] request = Headers.Concat(Headers.V1("192.0.2.30", 30, "192.0.2.1", 80), RawClient.Get());

        RawResponse viaOutside = await RawClient.SendAsync(outside.EndPoint, request);
        RawResponse viaInside = await RawClient.SendAsync(inside.EndPoint, request);

        Assert.Equal("192.0.2.30:30", viaOutside.Body["remote"]);
        Assert.Equal("192.0.2.30:30", viaInside.Body["remote"]);
        string outerLog = string.Join("\n", outside.Logs.Entries.Where(e => e.Category == "outer").Select(e => e.Message));
        string innerLog = string.Join("\n", inside.Logs.Entries.Where(e => e.Category == "inner").Select(e => e.Message));
        Assert.Contains("50 52 4F 58 59", outerLog, StringComparison.Ordinal); // "PROXY"
        Assert.DoesNotContain("50 52 4F 58 59", innerLog, StringComparison.Ordinal);
        Assert.Contains("47 45 54 20", innerLog, StringComparison.Ordinal); // "GET "
    }

    private sealed class FakeTls : ITlsConnectionFeature
    {
        public System.Security.Cryptography.X509Certificates.X509Certificate2? ClientCertificate { get; set; }

        public Task<System.Security.Cryptography.X509Certificates.X509Certificate2?> GetClientCertificateAsync(System.Threading.CancellationToken cancellationToken) =>
            Task.FromResult(ClientCertificate);
    }
}
