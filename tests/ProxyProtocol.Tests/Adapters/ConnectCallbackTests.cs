using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace ProxyProtocol.Tests.Adapters;

/// <summary>ProxyProtocolConnectCallback against a tiny raw-socket HTTP/1.1 server that reads the header first.</summary>
public class ConnectCallbackTests
{
    private static readonly IPEndPoint s_clientA = HeaderVectors.Ep("203.0.113.10", 1111);
    private static readonly IPEndPoint s_clientB = HeaderVectors.Ep("2001:db8::b", 2222);

    [Fact]
    public async Task Two_handlers_each_send_their_own_client()
    {
        // RX-07: one handler per client identity; each connection's header names its own client.
        await using var server = new HeaderEchoServer();
        using var clientA = Client(server, ProxyProtocolConnectCallback.Create(_ => ProxyHeader.CreateProxy(s_clientA, server.EndPoint)));
        using var clientB = Client(server, ProxyProtocolConnectCallback.Create(_ => ProxyHeader.CreateProxy(s_clientB, server.EndPoint), ProxyVersion.V1));

        Assert.Equal($"V2 {s_clientA} #1", await clientA.GetStringAsync("/a"));
        Assert.Equal($"V1 {s_clientB} #2", await clientB.GetStringAsync("/b"));
        Assert.Equal(2, server.Connections);
    }

    [Fact]
    public async Task Pooled_connection_keeps_the_header_of_its_first_request()
    {
        // Why RX-07 matters: the second request reuses the connection, so the server sees the first header.
        // The factory runs once per connection, not per request.
        await using var server = new HeaderEchoServer();
        int calls = 0;
        using var client = Client(server, ProxyProtocolConnectCallback.Create(_ =>
        {
            Interlocked.Increment(ref calls);
            return ProxyHeader.CreateProxy(s_clientA, server.EndPoint);
        }));

        Assert.Equal($"V2 {s_clientA} #1", await client.GetStringAsync("/1"));
        Assert.Equal($"V2 {s_clientA} #1", await client.GetStringAsync("/2"));
        Assert.Equal(1, calls);
        Assert.Equal(1, server.Connections);
    }

    [Fact]
    public async Task Zero_pooled_connection_lifetime_gives_each_request_its_own_header()
    {
        // The documented alternative to one handler per client: no reuse, the client read from the request.
        await using var server = new HeaderEchoServer();
        var key = new HttpRequestOptionsKey<IPEndPoint>("client");
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.Zero,
            ConnectCallback = ProxyProtocolConnectCallback.Create(context =>
                ProxyHeader.CreateProxy(context.InitialRequestMessage.Options.TryGetValue(key, out IPEndPoint? client) ? client : s_clientA, server.EndPoint)),
        };
        using var http = new HttpClient(handler) { BaseAddress = server.Uri, Timeout = Loopback.Timeout };

        foreach ((IPEndPoint client, int connection) in new[] { (s_clientA, 1), (s_clientB, 2), (s_clientA, 3) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/");
            request.Options.Set(key, client);
            using HttpResponseMessage response = await http.SendAsync(request);
            Assert.Equal($"V2 {client} #{connection}", await response.Content.ReadAsStringAsync());
        }

        Assert.Equal(3, server.Connections);
    }

    [Fact]
    public async Task Tlv_overload_sends_the_authority_of_the_connection()
    {
        await using var server = new HeaderEchoServer();
        using var client = Client(server, ProxyProtocolConnectCallback.Create(
            _ => ProxyHeader.CreateProxy(s_clientB, server.EndPoint),
            static (ref ProxyV2HeaderBuilder b, SocketsHttpConnectionContext c) =>
            {
                b.AddAuthority(c.DnsEndPoint.Host);
                b.AddCrc32c();
            }));

        Assert.Equal($"V2 {s_clientB} #1 authority=127.0.0.1", await client.GetStringAsync("/"));
    }

    [Fact]
    public async Task Header_factory_failure_fails_the_request_and_closes_the_socket()
    {
        await using var server = new HeaderEchoServer();
        using var client = Client(server, ProxyProtocolConnectCallback.Create(_ => throw new InvalidOperationException("no client")));
        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetStringAsync("/"));
        Assert.IsType<InvalidOperationException>(error.InnerException);

        // The server saw a connection that closed before any header.
        Assert.Equal(ProxyHeaderError.IncompleteHeader, await server.FirstFailure.WaitAsync(Loopback.Timeout));
    }

    [Fact]
    public void Arguments_are_checked()
    {
        Assert.Throws<ArgumentNullException>(() => ProxyProtocolConnectCallback.Create(null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => ProxyProtocolConnectCallback.Create(_ => ProxyHeader.CreateLocal(), (ProxyVersion)9));
        Assert.Throws<ArgumentNullException>(() => ProxyProtocolConnectCallback.Create(_ => ProxyHeader.CreateLocal(), null!));
    }

    private static HttpClient Client(HeaderEchoServer server, Func<SocketsHttpConnectionContext, CancellationToken, System.Threading.Tasks.ValueTask<System.IO.Stream>> connect) =>
        new(new SocketsHttpHandler { ConnectCallback = connect }) { BaseAddress = server.Uri, Timeout = Loopback.Timeout };

    /// <summary>
    /// An HTTP/1.1 server on 127.0.0.1:0 that requires a PROXY header on each connection and answers every
    /// GET with "version client #connection [authority=...]". Keep-alive, no bodies; it stops when disposed.
    /// </summary>
    private sealed class HeaderEchoServer : IAsyncDisposable
    {
        private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        private readonly CancellationTokenSource _stop = new();
        private readonly ConcurrentBag<Task> _connections = [];
        private readonly TaskCompletionSource<ProxyHeaderError> _firstFailure = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Task _acceptLoop;
        private int _connectionCount;

        public HeaderEchoServer()
        {
            _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _listener.Listen(16);
            _acceptLoop = AcceptLoopAsync();
        }

        public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndPoint!;

        public Uri Uri => new($"http://127.0.0.1:{EndPoint.Port}/");

        public int Connections => Volatile.Read(ref _connectionCount);

        public Task<ProxyHeaderError> FirstFailure => _firstFailure.Task;

        public async ValueTask DisposeAsync()
        {
            _stop.Cancel();
            _listener.Dispose();
            await _acceptLoop.WaitAsync(Loopback.Timeout);
            await Task.WhenAll(_connections).WaitAsync(Loopback.Timeout);
            _stop.Dispose();
        }

        private async Task AcceptLoopAsync()
        {
            // Bounded: tests open a handful of connections.
            for (int i = 0; i < 100; i++)
            {
                Socket socket;
                try
                {
                    socket = await _listener.AcceptAsync(_stop.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
                {
                    return;
                }

                _connections.Add(ServeAsync(socket, Interlocked.Increment(ref _connectionCount)));
            }
        }

        private async Task ServeAsync(Socket socket, int number)
        {
            using (socket)
            {
                try
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                    timeout.CancelAfter(Loopback.Timeout);
                    ReceivedProxyHeader received = await socket.ReceiveProxyHeaderAsync(cancellationToken: timeout.Token);
                    string body = $"{received.Header.Version} {received.Header.GetSourceEndPoint()} #{number}";
                    if (received.Tlvs.TryGetAuthority(out ReadOnlySpan<byte> authority))
                    {
                        body += " authority=" + Encoding.ASCII.GetString(authority);
                    }

                    byte[] response = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: {body.Length}\r\nContent-Type: text/plain\r\n\r\n{body}");
                    while (await ReadRequestHeadAsync(socket, timeout.Token))
                    {
                        await Loopback.SendAllAsync(socket, response);
                    }
                }
                catch (ProxyProtocolException e)
                {
                    _firstFailure.TrySetResult(e.Error);
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    // The client went away or the test ended.
                }
            }
        }

        /// <summary>Reads one request head up to the blank line; false when the client closed.</summary>
        private static async Task<bool> ReadRequestHeadAsync(Socket socket, CancellationToken cancellationToken)
        {
            var head = new List<byte>();
            byte[] one = new byte[1];
            while (head.Count < 8192)
            {
                if (await socket.ReceiveAsync(one, SocketFlags.None, cancellationToken) == 0)
                {
                    return false;
                }

                head.Add(one[0]);
                int n = head.Count;
                if (n >= 4 && head[n - 4] == '\r' && head[n - 3] == '\n' && head[n - 2] == '\r' && head[n - 1] == '\n')
                {
                    return true;
                }
            }

            return false;
        }
    }
}
