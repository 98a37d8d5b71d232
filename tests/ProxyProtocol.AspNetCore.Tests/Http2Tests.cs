using System;
using System.Collections.Generic;
using System.IO.Pipelines;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using ProxyProtocol.AspNetCore.Internal;
using ProxyProtocol.AspNetCore.Tests.Infrastructure;

namespace ProxyProtocol.AspNetCore.Tests;

/// <summary>
/// HTTP/2 is chosen by the connection preface after the header, never by the header's ALPN: a TLS-terminating
/// balancer may speak HTTP/1.1 to the server after negotiating h2 with the client, and h2c after http/1.1.
/// </summary>
public class Http2Tests
{
    // RFC 9113 section 3.4, written out by hand.
    private static readonly byte[] s_preface = Encoding.ASCII.GetBytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

    private static byte[] TlsHeader(string alpn) =>
        Headers.V2("203.0.113.80", 8080, "203.0.113.1", 443, (ref ProxyV2HeaderBuilder b) => b.AddAlpn(Encoding.ASCII.GetBytes(alpn)));

    [Fact]
    public async Task Http1_request_after_a_header_with_alpn_h2_is_served_as_http1()
    {
        // HAProxy 2.6 in mode http: `bind ... ssl alpn h2,http/1.1` + `server ... send-proxy-v2` puts the client's
        // ALPN (h2) in the header, then speaks HTTP/1.1 to the server. Kestrel used to answer 400.
        await using TestServer app = await TestServer.StartAsync(o => o.UseProxyProtocol());

        RawResponse response = await RawClient.SendAsync(app.EndPoint, Headers.Concat(TlsHeader("h2"), RawClient.Get()));

        Assert.Equal(200, response.StatusCode);
        Assert.Equal("HTTP/1.1", response.Body["protocol"]);
        Assert.Equal("h2", response.Body["alpn"]);
        Assert.Equal("https", response.Body["scheme"]);       // ALPN exists only in TLS: the client used https
        Assert.Equal("203.0.113.80:8080", response.Body["remote"]);
    }

    [Fact]
    public async Task H2c_after_a_header_with_alpn_http11_is_served_as_http2()
    {
        // HAProxy with `server ... send-proxy-v2 proto h2` and an HTTP/1.1 client: ALPN http/1.1, then the preface.
        // HAProxy sends :scheme https, matching the https the header implies; HttpClient over cleartext sends
        // :scheme http, which Kestrel accepts only with AllowAlternateSchemes (the request then reports it).
        await using TestServer strict = await TestServer.StartAsync(o => o.UseProxyProtocol());
        await using TestServer lenient = await TestServer.StartAsync(IPAddress.Loopback, o => o.UseProxyProtocol(), k => k.AllowAlternateSchemes = true);
        using HttpClient client = ProxiedHttpClient.Create(() => TlsHeader("http/1.1"));

        IReadOnlyDictionary<string, string> body = await ProxiedHttpClient.GetAsync(client, $"http://127.0.0.1:{lenient.Port}/conn", HttpVersion.Version20);
        var refused = await Assert.ThrowsAsync<HttpRequestException>(
            () => ProxiedHttpClient.GetAsync(client, $"http://127.0.0.1:{strict.Port}/conn", HttpVersion.Version20));

        Assert.Equal("HTTP/2", body["protocol"]);
        Assert.Equal("ProxiedTlsConnectionFeature", body["tls"]);
        Assert.Equal("True", body["clientTls"]);
        Assert.Equal("http/1.1", body["alpn"]);
        Assert.Equal("203.0.113.80:8080", body["remote"]);
        // Kestrel resets the stream whose :scheme (http) is not the connection's (https): RFC 9113 PROTOCOL_ERROR.
        Assert.Equal(HttpRequestError.HttpProtocolError, refused.HttpRequestError);
        Assert.Equal(0x1, Assert.IsType<HttpProtocolException>(refused.InnerException).ErrorCode);
    }

    [Fact]
    public async Task H2c_prior_knowledge_from_a_cleartext_client_keeps_scheme_http()
    {
        // A v1 header carries no TLS information; the h2c client sends :scheme http and the request reports http.
        Assert.True(KestrelProtocolSelection.CanSelectHttp2WithoutTls, "this Kestrel no longer has the per-connection protocol feature");
        await using TestServer app = await TestServer.StartAsync(o => o.UseProxyProtocol());
        using HttpClient client = ProxiedHttpClient.Create(() => Headers.V1("203.0.113.82", 8282, "203.0.113.1", 80));

        IReadOnlyDictionary<string, string> first = await ProxiedHttpClient.GetAsync(client, $"http://127.0.0.1:{app.Port}/conn", HttpVersion.Version20);
        IReadOnlyDictionary<string, string> second = await ProxiedHttpClient.GetAsync(client, $"http://127.0.0.1:{app.Port}/conn", HttpVersion.Version20);

        Assert.Equal("HTTP/2", first["protocol"]);
        Assert.Equal("http", first["scheme"]);
        Assert.Equal("False", first["https"]);
        Assert.Equal(string.Empty, first["tls"]);
        Assert.Equal("203.0.113.82:8282", first["remote"]);
        Assert.Equal("203.0.113.82:8282", second["remote"]);
    }

    [Fact]
    public async Task Http2_only_endpoint_serves_prior_knowledge_and_https_from_the_header()
    {
        await using TestServer app = await TestServer.StartAsync(
            IPAddress.Loopback,
            o =>
            {
                o.Protocols = HttpProtocols.Http2;
                o.UseProxyProtocol();
            },
            k => k.AllowAlternateSchemes = true);
        using HttpClient plain = ProxiedHttpClient.Create(() => Headers.V1("203.0.113.82", 8282, "203.0.113.1", 80));
        using HttpClient viaTls = ProxiedHttpClient.Create(() => TlsHeader("h2"));

        IReadOnlyDictionary<string, string> cleartext = await ProxiedHttpClient.GetAsync(plain, $"http://127.0.0.1:{app.Port}/conn", HttpVersion.Version20);
        IReadOnlyDictionary<string, string> tls = await ProxiedHttpClient.GetAsync(viaTls, $"http://127.0.0.1:{app.Port}/conn", HttpVersion.Version20);

        Assert.Equal(("HTTP/2", "http", string.Empty), (cleartext["protocol"], cleartext["scheme"], cleartext["tls"]));
        // The TLS feature says h2 on an HTTP/2-only endpoint (Kestrel refuses the connection otherwise).
        Assert.Equal(("HTTP/2", "ProxiedTlsConnectionFeature"), (tls["protocol"], tls["tls"]));
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("PATCH")]
    [InlineData("PRI")]
    public async Task Http1_methods_that_start_like_the_preface_are_http1(string method)
    {
        await using TestServer app = await TestServer.StartAsync(o => o.UseProxyProtocol());
        byte[] request = Encoding.ASCII.GetBytes($"{method} /conn HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");

        // Split after the first byte so the decision waits for the second.
        RawResponse response = await RawClient.SendAsync(app.EndPoint, Headers.V1("192.0.2.1", 1, "192.0.2.2", 2), request[..1], request[1..]);

        // The app maps only GET /conn: POST/PUT/PATCH get Kestrel's HTTP/1.1 405, PRI * ... HTTP/1.1 a 405 or 400 as well.
        Assert.StartsWith("HTTP/1.1 ", response.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("HTTP/2 only", response.Text, StringComparison.Ordinal);
        Assert.Contains(app.Logs.MiddlewareAll, e => e.EventId.Name == "HeaderAccepted");
    }

    [Fact]
    public async Task Preface_split_at_every_byte_selects_http2_once_complete_and_consumes_nothing()
    {
        byte[] header = Headers.V1("192.0.2.1", 1, "192.0.2.2", 2);
        byte[] after = Headers.Concat(s_preface, "\0\0\0\x04"u8.ToArray());
        for (int split = 0; split <= s_preface.Length; split++)
        {
            (ConnectionDelegate app, Func<InMemoryConnection?> reached) = PipelineReachingNext();
            var pipe = new Pipe();
            var connection = new InMemoryConnection(pipe.Reader);
            await pipe.Writer.WriteAsync(Headers.Concat(header, after[..split]));
            Task running = app(connection);

            if (split < s_preface.Length)
            {
                Assert.False(running.IsCompleted, $"decided after {split} bytes of the preface");
                Assert.Null(reached());
            }

            await pipe.Writer.WriteAsync(after[split..]);
            await pipe.Writer.CompleteAsync();
            await running.WaitAsync(RawClient.Timeout);

            InMemoryConnection next = reached() ?? throw new Xunit.Sdk.XunitException($"split {split}: next middleware not reached");
            Assert.Same(KestrelProtocolSelection.Http2Feature, SelectedProtocols(next));
            Assert.Equal(after, await ReadAllAsync(next.Transport.Input));
        }
    }

    [Fact]
    public async Task First_byte_that_breaks_the_preface_decides_http1_at_once()
    {
        byte[] header = Headers.V1("192.0.2.1", 1, "192.0.2.2", 2);
        for (int mismatch = 0; mismatch < s_preface.Length; mismatch++)
        {
            byte[] start = s_preface[..(mismatch + 1)];
            start[mismatch] ^= 0x20;
            (ConnectionDelegate app, Func<InMemoryConnection?> reached) = PipelineReachingNext();
            var pipe = new Pipe();
            var connection = new InMemoryConnection(pipe.Reader);
            await pipe.Writer.WriteAsync(Headers.Concat(header, start));

            // The pipe stays open: the decision must not wait for more bytes.
            await app(connection).WaitAsync(RawClient.Timeout);

            InMemoryConnection next = reached() ?? throw new Xunit.Sdk.XunitException($"mismatch at {mismatch}: next middleware not reached");
            Assert.Null(SelectedProtocols(next));
            Assert.Null(next.Features.Get<ITlsConnectionFeature>());
            ReadResult result = await next.Transport.Input.ReadAsync();
            Assert.Equal(start, System.Buffers.BuffersExtensions.ToArray(result.Buffer));
        }
    }

    [Fact]
    public async Task Client_that_sends_PR_and_stalls_is_closed_at_the_header_timeout()
    {
        await using TestServer app = await TestServer.StartAsync(o => o.UseProxyProtocol(p => p.HeaderTimeout = TimeSpan.FromSeconds(1)));
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(app.EndPoint);
        await socket.SendAsync(Headers.Concat(Headers.V1("192.0.2.1", 1, "192.0.2.2", 2), "PR"u8.ToArray()));

        byte[] received = await RawClient.ReadToEndAsync(socket);   // bounded by RawClient.Timeout (10 s)

        Assert.Empty(received);
        Assert.Contains(app.Logs.Middleware, e => e.EventId.Name == "HeaderTimeout");
        Assert.Contains(app.Metrics.Of("proxy_protocol.rejected_connections"), m => (string?)m.Tags["error.type"] == "timeout");
    }

    [Fact]
    public async Task Disabled_detection_leaves_h2c_to_kestrel_which_serves_http1()
    {
        await using TestServer app = await TestServer.StartAsync(o => o.UseProxyProtocol(p => p.DetectHttp2Preface = Http2PrefaceDetection.Disabled));

        RawResponse response = await RawClient.SendAsync(app.EndPoint, Headers.V1("192.0.2.1", 1, "192.0.2.2", 2), s_preface);

        // Kestrel's HTTP/1.1 layer recognises the preface and answers with an HTTP/2 GOAWAY frame (RFC 9113 6.8):
        // length 8, type 0x07, no flags, stream 0, last stream id 0, error HTTP_1_1_REQUIRED (0x0d).
        Assert.Equal(Convert.FromHexString("000008" + "07" + "00" + "00000000" + "00000000" + "0000000d"), response.Bytes);
        Assert.Contains(app.Logs.Endpoint, e => e.EventId.Name == "Http2Detection" && e.Message.Contains("detection off", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Tls_endpoint_is_not_detected()
    {
        // ALPN of Kestrel's own handshake decides on an endpoint with UseHttps(); nothing waits for the preface.
        await using TestServer app = await TestServer.StartAsync(o => o.UseProxyProtocol().UseHttps(TestCertificate.Instance));

        Assert.DoesNotContain(app.Logs.Endpoint, e => e.EventId.Name == "Http2Detection");
    }

    private static (ConnectionDelegate App, Func<InMemoryConnection?> Reached) PipelineReachingNext()
    {
        InMemoryConnection? reached = null;
        ConnectionDelegate app = InMemoryConnection.BuildPipeline(listenOptions =>
        {
            listenOptions.UseProxyProtocol(p => p.HeaderTimeout = TimeSpan.FromSeconds(30));
            listenOptions.Use(next => context =>
            {
                reached = (InMemoryConnection)context;
                return next(context);
            });
        });
        return (app, () => reached);
    }

    private static object? SelectedProtocols(InMemoryConnection connection) =>
        connection.Features.FirstOrDefault(f => f.Key.Name == "HttpProtocolsFeature").Value;

    private static async Task<byte[]> ReadAllAsync(PipeReader input)
    {
        while (true)
        {
            ReadResult result = await input.ReadAsync();
            if (result.IsCompleted)
            {
                return System.Buffers.BuffersExtensions.ToArray(result.Buffer);
            }

            input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }
}
