using System;
using System.Linq;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using ProxyProtocol.Interop.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ProxyProtocol.Interop.Tests;

/// <summary>
/// <c>proxyproto decode</c> over headers captured live from real senders: a raw listener stands where the backend
/// would be, HAProxy, nginx and curl send to it, and the bytes it received are decoded in-process.
/// </summary>
public sealed class DecodeCapturedHeadersTests(ITestOutputHelper output) : InteropTest(output)
{
    [PeerTheory(Peers.Haproxy)]
    [InlineData("send-proxy", 1, "127.0.0.1")]
    [InlineData("send-proxy", 1, "::1")]
    [InlineData("send-proxy-v2", 2, "127.0.0.1")]
    [InlineData("send-proxy-v2", 2, "::1")]
    public async Task HAProxy_headers_decode_to_the_client_and_frontend(string sendProxy, int version, string loopback)
    {
        CaptureListener capture = CaptureListener.Start(Scope, IPAddress.Loopback);
        int port = 0;
        await HaproxyPeer.StartAsync(Scope, () =>
        {
            port = FreePort.Reserve();
            return $"""
                frontend fe
                    bind 127.0.0.1:{port}
                    bind [::1]:{port}
                    default_backend be

                backend be
                    server capture {capture.EndPoint} {sendProxy}

                """;
        });

        var frontend = new IPEndPoint(IPAddress.Parse(loopback), port);
        (IPEndPoint client, CapturedConnection captured) = await SendThroughAsync(frontend, capture);
        JsonElement json = await DecodeTool.DecodeAsync(Scope, captured.Bytes);

        AssertProxy(json, version, client, frontend);
        Assert.Equal(0, json.GetProperty("tlvs").GetArrayLength());     // plain send-proxy-v2 adds no TLV, not even padding
        AssertHeaderLengthAndPayload(json, captured.Bytes);
    }

    [PeerFact(Peers.Haproxy)]
    public async Task HAProxy_TLS_TLVs_decode_with_a_valid_CRC32C()
    {
        CaptureListener capture = CaptureListener.Start(Scope, IPAddress.Loopback);
        (string serverPem, string caFile) = TestPki.Instance.WriteForHaproxy(Scope.Directory);
        int port = 0;
        await HaproxyPeer.StartAsync(Scope, () =>
        {
            port = FreePort.Reserve();
            return $"""
                frontend fe_tls
                    bind 127.0.0.1:{port} ssl crt {serverPem} ca-file {caFile} verify optional alpn http/1.1
                    unique-id-format uid-%ci-%cp
                    default_backend be

                backend be
                    server capture {capture.EndPoint} send-proxy-v2 proxy-v2-options authority,crc32c,unique-id,ssl,cert-cn,ssl-cipher,cert-sig,cert-key

                """;
        });

        var frontend = new IPEndPoint(IPAddress.Loopback, port);
        using Socket socket = await RawHttp.ConnectAsync(frontend);
        var client = (IPEndPoint)socket.LocalEndPoint!;
        await using var tls = new SslStream(new NetworkStream(socket));
        await Scope.WithinAsync(tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            ApplicationProtocols = [SslApplicationProtocol.Http11],
            ClientCertificates = [TestPki.Instance.Client],
            LocalCertificateSelectionCallback = (_, _, _, _, _) => TestPki.Instance.Client,
            RemoteCertificateValidationCallback = (_, certificate, _, _) => TestPki.Instance.IsIssuedByCa(certificate),
        }), "TLS handshake with HAProxy");
        HttpReply reply = await Scope.WithinAsync(RawHttp.GetAsync(tls, "localhost"), "GET through HAProxy to the capture listener");
        Assert.True(reply.Status == 200, reply.Text);
        CapturedConnection captured = await Scope.WithinAsync(capture.NextAsync(), "HAProxy's connection to the capture listener");
        JsonElement json = await DecodeTool.DecodeAsync(Scope, captured.Bytes);

        AssertProxy(json, 2, client, frontend);
        AssertHeaderLengthAndPayload(json, captured.Bytes);
        Assert.Equal("valid", json.GetProperty("crc32c").GetString());

        // HAProxy's order: CRC32C first, then ALPN, AUTHORITY, UNIQUE_ID, SSL.
        JsonElement[] tlvs = json.GetProperty("tlvs").EnumerateArray().ToArray();
        Assert.Equal(["CRC32C", "ALPN", "AUTHORITY", "UNIQUE_ID", "SSL"], tlvs.Select(t => t.GetProperty("name").GetString()));
        Assert.Equal("http/1.1", Text(tlvs[1]));
        Assert.Equal("localhost", Text(tlvs[2]));
        Assert.Equal($"uid-{client.Address}-{client.Port}", Text(tlvs[3]));

        JsonElement ssl = tlvs[4];
        Assert.Equal(["SSL", "CERT_CONN", "CERT_SESS"], ssl.GetProperty("clientFlags").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal(0, ssl.GetProperty("verify").GetInt32());
        Assert.True(ssl.GetProperty("clientCertificateVerified").GetBoolean());
        var sub = ssl.GetProperty("subTlvs").EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!, Text);
        Assert.Equal(tls.SslProtocol == System.Security.Authentication.SslProtocols.Tls13 ? "TLSv1.3" : "TLSv1.2", sub["SSL_VERSION"]);
        Assert.Equal(TestPki.ClientCommonName, sub["SSL_CN"]);
        Assert.False(string.IsNullOrEmpty(sub["SSL_CIPHER"]));
        Assert.Equal(TestPki.ServerSignatureAlgorithm, sub["SSL_SIG_ALG"]);
        Assert.Equal(TestPki.ServerKeyAlgorithm, sub["SSL_KEY_ALG"]);
    }

    [PeerFact(Peers.Haproxy)]
    public async Task HAProxy_health_check_headers_decode_as_LOCAL_and_as_v1_with_the_checks_addresses()
    {
        CaptureListener v2Checks = CaptureListener.Start(Scope, IPAddress.Loopback);
        CaptureListener v1Checks = CaptureListener.Start(Scope, IPAddress.Loopback);
        await HaproxyPeer.StartAsync(Scope, () => $"""
            backend be_v2
                server s1 {v2Checks.EndPoint} send-proxy-v2 check inter 100ms

            backend be_v1
                server s1 {v1Checks.EndPoint} check check-send-proxy inter 100ms

            """);

        // send-proxy-v2 checks: exactly the 16-byte LOCAL header, then a reset (SEM-01).
        CapturedConnection local = await Scope.WithinAsync(v2Checks.NextAsync(), "a send-proxy-v2 health check");
        JsonElement json = await DecodeTool.DecodeAsync(Scope, local.Bytes);
        Assert.Equal(2, json.GetProperty("version").GetInt32());
        Assert.Equal("LOCAL", json.GetProperty("command").GetString());
        Assert.Equal("UNSPEC", json.GetProperty("family").GetString());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("source").ValueKind);
        Assert.Equal(16, json.GetProperty("headerLength").GetInt32());
        Assert.Equal(16, local.Bytes.Length);

        // check-send-proxy: v1 naming the check connection itself.
        CapturedConnection v1 = await Scope.WithinAsync(v1Checks.NextAsync(), "a check-send-proxy health check");
        AssertProxy(await DecodeTool.DecodeAsync(Scope, v1.Bytes), 1, v1.RemoteEndPoint, v1Checks.EndPoint);
    }

    [PeerTheory(Peers.NginxStream)]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public async Task Nginx_stream_headers_decode_to_the_client_and_frontend(string loopback)
    {
        CaptureListener capture = CaptureListener.Start(Scope, IPAddress.Loopback);
        int port = 0;
        await NginxPeer.StartAsync(Scope, stream: true, () =>
        {
            port = FreePort.Reserve();
            return $$"""
                    server {
                        listen 127.0.0.1:{{port}};
                        listen [::1]:{{port}};
                        proxy_pass {{capture.EndPoint}};
                        proxy_protocol on;
                    }
                """;
        });

        var frontend = new IPEndPoint(IPAddress.Parse(loopback), port);
        (IPEndPoint client, CapturedConnection captured) = await SendThroughAsync(frontend, capture);
        JsonElement json = await DecodeTool.DecodeAsync(Scope, captured.Bytes);

        AssertProxy(json, 1, client, frontend);
        AssertHeaderLengthAndPayload(json, captured.Bytes);
    }

    [PeerTheory(Peers.Curl)]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public async Task Curl_headers_decode_to_curls_own_connection(string loopback)
    {
        CaptureListener capture = CaptureListener.Start(Scope, IPAddress.Parse(loopback));
        (int exitCode, string stdout, string stderr) = await CurlClient.RunAsync(
            "--haproxy-protocol", "--globoff", "--write-out", "%{local_ip} %{local_port}", "--output", "/dev/null", $"http://{capture.EndPoint}/");
        Assert.True(exitCode == 0, $"curl exited with {exitCode}: {stderr}");
        string[] curlEnd = stdout.Split(' ');
        CapturedConnection captured = await Scope.WithinAsync(capture.NextAsync(), "curl's connection");
        JsonElement json = await DecodeTool.DecodeAsync(Scope, captured.Bytes);

        AssertProxy(json, 1, new IPEndPoint(IPAddress.Parse(curlEnd[0]), int.Parse(curlEnd[1])), capture.EndPoint);
        AssertHeaderLengthAndPayload(json, captured.Bytes);
    }

    /// <summary>Connects to <paramref name="frontend"/>, sends a GET, and returns the client's endpoint and what arrived behind the sender.</summary>
    private async Task<(IPEndPoint Client, CapturedConnection Captured)> SendThroughAsync(IPEndPoint frontend, CaptureListener capture)
    {
        using Socket socket = await RawHttp.ConnectAsync(frontend);
        var client = (IPEndPoint)socket.LocalEndPoint!;
        HttpReply reply = await Scope.WithinAsync(RawHttp.GetAsync(new NetworkStream(socket), "localhost"), "GET through the sender");
        Assert.True(reply.Status == 200, $"{reply.Text}\n{Scope.Diagnostics}");
        CapturedConnection captured = await Scope.WithinAsync(capture.NextAsync(), "the sender's connection to the capture listener");
        return (client, captured);
    }

    private static void AssertProxy(JsonElement json, int version, IPEndPoint source, IPEndPoint destination)
    {
        Assert.Equal(version, json.GetProperty("version").GetInt32());
        Assert.Equal("PROXY", json.GetProperty("command").GetString());
        Assert.Equal(source.AddressFamily == AddressFamily.InterNetwork ? "INET" : "INET6", json.GetProperty("family").GetString());
        Assert.Equal("STREAM", json.GetProperty("transport").GetString());
        Assert.Equal(source.Address, IPAddress.Parse(json.GetProperty("source").GetProperty("address").GetString()!));
        Assert.Equal(source.Port, json.GetProperty("source").GetProperty("port").GetInt32());
        Assert.Equal(destination.Address, IPAddress.Parse(json.GetProperty("destination").GetProperty("address").GetString()!));
        Assert.Equal(destination.Port, json.GetProperty("destination").GetProperty("port").GetInt32());
    }

    /// <summary>The decoded length is the header's length on the wire, and the client's request follows it.</summary>
    private static void AssertHeaderLengthAndPayload(JsonElement json, byte[] captured)
    {
        int expected = captured[0] == (byte)'P'
            ? captured.AsSpan().IndexOf("\r\n"u8) + 2                  // v1: up to CRLF
            : 16 + ((captured[14] << 8) | captured[15]);              // v2: fixed part + length field
        Assert.Equal(expected, json.GetProperty("headerLength").GetInt32());
        Assert.StartsWith("GET / HTTP/1.1\r\n", Encoding.ASCII.GetString(captured, expected, captured.Length - expected), StringComparison.Ordinal);
    }

    private static string? Text(JsonElement tlv) => tlv.TryGetProperty("text", out JsonElement text) ? text.GetString() : null;
}
