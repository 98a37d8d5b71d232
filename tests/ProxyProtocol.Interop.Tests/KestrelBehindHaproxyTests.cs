using System;
using System.Collections.Generic;
using System.Net;
using System.Threading.Tasks;
using ProxyProtocol.Interop.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ProxyProtocol.Interop.Tests;

/// <summary>
/// Kestrel with a plain <c>UseProxyProtocol()</c> behind HAProxy 2.6 terminating TLS, the way OpenStack Octavia's
/// TERMINATED_HTTPS listeners with a PROXYV2 pool and most TLS-offloading balancers run it; curl is the client, with
/// HTTP/2 and with HTTP/1.1. Every request must answer 200 with curl's own address and port, the version HAProxy
/// speaks to the server, and https.
/// </summary>
public sealed class KestrelBehindHaproxyTests(ITestOutputHelper output) : InteropTest(output)
{
    [PeerTheory(Peers.Haproxy, Peers.Curl)]
    // mode http, plain send-proxy-v2: the header carries the client's ALPN, HAProxy speaks HTTP/1.1 to the server.
    [InlineData("http", "", "--http2", "HTTP/1.1")]
    [InlineData("http", "", "--http1.1", "HTTP/1.1")]
    // mode http, proto h2: h2c to the server whatever the client spoke (header ALPN http/1.1 for the HTTP/1.1 client).
    [InlineData("http", "proto h2", "--http2", "HTTP/2")]
    [InlineData("http", "proto h2", "--http1.1", "HTTP/2")]
    // mode tcp: the decrypted stream goes through, so the server speaks what the client negotiated.
    [InlineData("tcp", "", "--http2", "HTTP/2")]
    [InlineData("tcp", "", "--http1.1", "HTTP/1.1")]
    public async Task Tls_terminating_haproxy_serves_curl_with_its_address_and_https(string mode, string serverOptions, string curlVersion, string expectedProtocol)
    {
        KestrelBackend kestrel = await KestrelBackend.StartAsync(Scope, IPAddress.Loopback);
        (string serverPem, _) = TestPki.Instance.WriteForHaproxy(Scope.Directory);
        int port = 0;
        await HaproxyPeer.StartAsync(Scope, () =>
        {
            port = FreePort.Reserve();
            return $"""
                frontend fe_tls
                    mode {mode}
                    bind 127.0.0.1:{port} ssl crt {serverPem} alpn h2,http/1.1
                    default_backend be

                backend be
                    mode {mode}
                    server kestrel {kestrel.EndPoint} send-proxy-v2 {serverOptions}

                """;
        });

        Dictionary<string, string> fields = await CurlAsync(curlVersion, $"https://127.0.0.1:{port}/", out Task<(string Ip, string Port, string Version)> curlEnd);
        (string ip, string localPort, string version) = await curlEnd;

        Assert.Equal(curlVersion == "--http2" ? "2" : "1.1", version);                  // what curl spoke to HAProxy
        Assert.Equal(new IPEndPoint(IPAddress.Parse(ip), int.Parse(localPort)).ToString(), fields["remote"]);
        Assert.Equal(expectedProtocol, fields["protocol"]);
        Assert.Equal("https", fields["scheme"]);
        Assert.Equal("True", fields["https"]);
        Assert.Equal(curlVersion == "--http2" ? "h2" : "http/1.1", fields["alpn"]);
    }

    [PeerFact(Peers.Haproxy, Peers.Curl)]
    public async Task Cleartext_frontend_with_proto_h2_needs_alternate_schemes_because_haproxy_sends_https()
    {
        // HAProxy 2.6 sends :scheme https on h2c to a server for every origin-form request, even from a cleartext
        // frontend; the header says no TLS, so the connection is http and Kestrel resets the stream. With
        // AllowAlternateSchemes Kestrel takes HAProxy's :scheme. docs/kestrel.md says so.
        KestrelBackend strict = await KestrelBackend.StartAsync(Scope, IPAddress.Loopback);
        KestrelBackend lenient = await KestrelBackend.StartAsync(Scope, IPAddress.Loopback, configureKestrel: k => k.AllowAlternateSchemes = true);
        int strictPort = 0;
        int lenientPort = 0;
        await HaproxyPeer.StartAsync(Scope, () =>
        {
            strictPort = FreePort.Reserve();
            lenientPort = FreePort.Reserve();
            return $"""
                frontend fe_strict
                    mode http
                    bind 127.0.0.1:{strictPort}
                    default_backend be_strict

                frontend fe_lenient
                    mode http
                    bind 127.0.0.1:{lenientPort}
                    default_backend be_lenient

                backend be_strict
                    mode http
                    server kestrel {strict.EndPoint} send-proxy-v2 proto h2

                backend be_lenient
                    mode http
                    server kestrel {lenient.EndPoint} send-proxy-v2 proto h2

                """;
        });

        (int refusedExit, string refused, _) = await CurlClient.RunAsync("--http1.1", "--write-out", "%{http_code}", "--output", "/dev/null", $"http://127.0.0.1:{strictPort}/");
        Dictionary<string, string> fields = await CurlAsync("--http1.1", $"http://127.0.0.1:{lenientPort}/", out Task<(string Ip, string Port, string Version)> curlEnd);
        (string ip, string localPort, _) = await curlEnd;

        Assert.Equal((0, "502"), (refusedExit, refused));
        Assert.Equal(new IPEndPoint(IPAddress.Parse(ip), int.Parse(localPort)).ToString(), fields["remote"]);
        Assert.Equal("HTTP/2", fields["protocol"]);
        Assert.Equal("https", fields["scheme"]);                                           // HAProxy's claim, taken as is
    }

    /// <summary>GETs with curl; the body's fields, and curl's own end of the connection and HTTP version.</summary>
    private Task<Dictionary<string, string>> CurlAsync(string version, string url, out Task<(string Ip, string Port, string Version)> curlEnd)
    {
        Task<(int ExitCode, string Stdout, string Stderr)> run = CurlClient.RunAsync(
            version, "--insecure", "--globoff", "--write-out", "\n%{local_ip} %{local_port} %{http_version} %{http_code}", url);
        var end = new TaskCompletionSource<(string, string, string)>();
        curlEnd = end.Task;
        return ParseAsync();

        async Task<Dictionary<string, string>> ParseAsync()
        {
            (int exitCode, string stdout, string stderr) = await run;
            Assert.True(exitCode == 0, $"curl exited with {exitCode}: {stderr}\n{Scope.Diagnostics}");
            int last = stdout.LastIndexOf('\n');
            string[] tail = stdout[(last + 1)..].Split(' ');
            Assert.True(tail[3] == "200", $"HTTP {tail[3]}: {stdout}\n{Scope.Diagnostics}");
            end.SetResult((tail[0], tail[1], tail[2]));
            var reply = new HttpReply(System.Text.Encoding.UTF8.GetBytes("HTTP/1.1 200 OK\r\n\r\n" + stdout[..last]));
            return reply.Fields;
        }
    }
}
