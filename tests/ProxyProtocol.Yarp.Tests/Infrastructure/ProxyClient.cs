using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Threading.Tasks;

namespace ProxyProtocol.Yarp.Tests.Infrastructure;

/// <summary>
/// One client connection to the proxy: an <see cref="HttpClient"/> limited to a single HTTP/1.1 connection, which
/// remembers the local endpoint the OS gave it (what a header for this client must name).
/// </summary>
internal sealed class ProxyClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly TaskCompletionSource<IPEndPoint> _localEndPoint = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <param name="http2">HTTP/2 without TLS (prior knowledge): concurrent requests share the one connection.</param>
    public ProxyClient(IPEndPoint proxy, string name, bool http2 = false)
    {
        Name = name;
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 1,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(proxy.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(proxy, cancellationToken);
                _localEndPoint.TrySetResult((IPEndPoint)socket.LocalEndPoint!);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        _http = new HttpClient(handler) { BaseAddress = new Uri($"http://{proxy}/"), Timeout = TimeSpan.FromSeconds(15) };
        if (http2)
        {
            _http.DefaultRequestVersion = HttpVersion.Version20;
            _http.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        }
    }

    public string Name { get; }

    /// <summary>The client's own address and port, once connected.</summary>
    public Task<IPEndPoint> LocalEndPoint => _localEndPoint.Task;

    /// <summary>GET / with <c>X-Client: name</c>; returns the body (the destination's view of the client).</summary>
    public async Task<string> GetAsync(string path = "/")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path) { Version = _http.DefaultRequestVersion, VersionPolicy = _http.DefaultVersionPolicy };
        request.Headers.Add("X-Client", Name);
        using HttpResponseMessage response = await _http.SendAsync(request);
        string body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new IOException($"{Name}: {(int)response.StatusCode} {body}");
        }

        return body;
    }

    public void Dispose() => _http.Dispose();
}
