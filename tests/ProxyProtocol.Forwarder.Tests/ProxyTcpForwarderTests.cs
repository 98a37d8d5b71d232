using System;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace ProxyProtocol.Forwarder.Tests;

/// <summary>
/// The forwarder on loopback between a raw client and a backend that reads the header: who the header names,
/// byte-exact relay both ways, half-close, backpressure, timeouts, and refusals.
/// </summary>
public sealed class ProxyTcpForwarderTests : IAsyncLifetime
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(15);
    private readonly HeaderEchoBackend _backend = new();
    private readonly Channel<ProxyForwardedConnection> _completed = Channel.CreateUnbounded<ProxyForwardedConnection>();
    private ProxyTcpForwarder? _forwarder;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_forwarder is not null)
        {
            await _forwarder.DisposeAsync();
        }

        await _backend.DisposeAsync();
    }

    [Theory]
    [InlineData(ProxyVersion.V1)]
    [InlineData(ProxyVersion.V2)]
    public async Task The_header_names_the_client_and_the_forwarders_address(ProxyVersion version)
    {
        IPEndPoint listen = Start(o => o.Version = version);
        using Socket client = await ConnectAsync(listen);

        BackendSession session = await _backend.NextAsync();

        Assert.Equal(version, session.Header.Header.Version);
        Assert.Equal(client.LocalEndPoint, session.Header.Header.GetSourceEndPoint());
        Assert.Equal(listen, session.Header.Header.GetDestinationEndPoint());
    }

    [Fact]
    public async Task Bytes_are_relayed_exactly_both_ways_and_half_close_is_passed_on()
    {
        IPEndPoint listen = Start(o => o.BufferSize = 4096);
        using Socket client = await ConnectAsync(listen);
        BackendSession session = await _backend.NextAsync();
        Task echo = HeaderEchoBackend.EchoAsync(session.Socket);

        byte[] payload = RandomNumberGenerator.GetBytes(4 * 1024 * 1024 + 17);
        Task<byte[]> receive = ReceiveToEndAsync(client);
        await client.SendAsync(payload, SocketFlags.None);
        client.Shutdown(SocketShutdown.Send); // the backend sees the end of data only if the forwarder passes the FIN on

        byte[] echoed = await receive.WaitAsync(s_wait);
        await echo.WaitAsync(s_wait);
        Assert.Equal(SHA256.HashData(payload), SHA256.HashData(echoed));
        Assert.Equal(payload.Length, echoed.Length);

        ProxyForwardedConnection done = await NextCompletedAsync();
        Assert.Null(done.Error);
        Assert.Equal(payload.Length, done.BytesToBackend);
        Assert.Equal(payload.Length, done.BytesToClient);
    }

    [Fact]
    public async Task The_backend_can_keep_sending_after_the_client_finished_sending()
    {
        IPEndPoint listen = Start();
        using Socket client = await ConnectAsync(listen);
        BackendSession session = await _backend.NextAsync();

        await client.SendAsync("request"u8.ToArray(), SocketFlags.None);
        client.Shutdown(SocketShutdown.Send);
        byte[] request = await ReceiveToEndAsync(session.Socket).WaitAsync(s_wait); // ends only with the client's FIN
        await session.Socket.SendAsync("response"u8.ToArray(), SocketFlags.None);
        session.Socket.Shutdown(SocketShutdown.Send);

        Assert.Equal("request", Encoding.ASCII.GetString(request));
        Assert.Equal("response", Encoding.ASCII.GetString(await ReceiveToEndAsync(client).WaitAsync(s_wait)));
    }

    // A backend that does not read must stop the client through TCP flow control, not fill the forwarder's memory.
    [Fact]
    public async Task A_backend_that_does_not_read_stops_the_client_before_much_is_buffered()
    {
        IPEndPoint listen = Start(o => o.BufferSize = 16 * 1024);
        using Socket client = await ConnectAsync(listen);
        _ = await _backend.NextAsync(); // connected, never reads

        const long Limit = 256L * 1024 * 1024;
        byte[] chunk = new byte[64 * 1024];
        long sent = 0;
        while (sent < Limit)
        {
            // A send that makes no progress for a second means the pipe is full all the way back to the client.
            using var stalled = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            try
            {
                sent += await client.SendAsync(chunk, SocketFlags.None, stalled.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        // Socket buffers on both sides of the forwarder hold a few MB on loopback; the forwarder adds 16 KiB.
        Assert.True(sent < 64L * 1024 * 1024, $"the client could send {sent} bytes to a backend that reads nothing");
    }

    [Fact]
    public async Task An_idle_connection_is_closed_after_the_idle_timeout()
    {
        IPEndPoint listen = Start(o => o.IdleTimeout = TimeSpan.FromMilliseconds(300));
        using Socket client = await ConnectAsync(listen);
        BackendSession session = await _backend.NextAsync();

        ProxyForwardedConnection done = await NextCompletedAsync();

        Assert.IsType<TimeoutException>(done.Error);
        Assert.Equal(0, await ReceiveCountAsync(client)); // closed towards the client
        Assert.Equal(0, await ReceiveCountAsync(session.Socket)); // and towards the backend
    }

    [Fact]
    public async Task With_accept_proxy_the_balancers_client_is_passed_on_with_its_TLVs_but_not_its_CRC()
    {
        IPEndPoint listen = Start(o => o.AcceptProxyHeader = true);
        using Socket balancer = await ConnectAsync(listen);
        var client = new IPEndPoint(IPAddress.Parse("203.0.113.7"), 40000);
        var frontend = new IPEndPoint(IPAddress.Parse("198.51.100.1"), 443);
        byte[] header = new byte[256];
        var builder = new ProxyV2HeaderBuilder(header, ProxyHeader.CreateProxy(client, frontend));
        builder.AddAuthority("example.com");
        builder.AddCrc32c();
        builder.Complete(out int length);
        await balancer.SendAsync(header.AsMemory(0, length), SocketFlags.None);

        BackendSession session = await _backend.NextAsync();

        Assert.Equal(client, session.Header.Header.GetSourceEndPoint());
        Assert.Equal(frontend, session.Header.Header.GetDestinationEndPoint());
        Assert.True(session.Header.Tlvs.TryGetAuthority(out ReadOnlySpan<byte> authority));
        Assert.Equal("example.com", Encoding.ASCII.GetString(authority));
        Assert.False(session.Header.Tlvs.TryGetCrc32c(out _));
    }

    [Fact]
    public async Task With_accept_proxy_a_v1_header_becomes_v2_and_bytes_after_it_are_kept()
    {
        IPEndPoint listen = Start(o => o.AcceptProxyHeader = true);
        using Socket balancer = await ConnectAsync(listen);

        await balancer.SendAsync("PROXY TCP6 2001:db8::7 2001:db8::1 40000 25\r\nEHLO x\r\n"u8.ToArray(), SocketFlags.None);
        balancer.Shutdown(SocketShutdown.Send);
        BackendSession session = await _backend.NextAsync();

        Assert.Equal(ProxyVersion.V2, session.Header.Header.Version);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("2001:db8::7"), 40000), session.Header.Header.GetSourceEndPoint());
        Assert.Equal("EHLO x\r\n", Encoding.ASCII.GetString(await ReceiveToEndAsync(session.Socket).WaitAsync(s_wait)));
    }

    [Fact]
    public async Task A_balancers_LOCAL_connection_stays_LOCAL()
    {
        IPEndPoint listen = Start(o => o.AcceptProxyHeader = true);
        using Socket balancer = await ConnectAsync(listen);
        byte[] local = new byte[16];
        ProxyHeaderWriter.WriteV2(ProxyHeader.CreateLocal(), local, out _);

        await balancer.SendAsync(local, SocketFlags.None);
        BackendSession session = await _backend.NextAsync();

        Assert.Equal(ProxyCommand.Local, session.Header.Header.Command);
    }

    [Fact]
    public async Task A_bad_header_closes_the_connection_with_the_parsers_error_and_no_backend_connection()
    {
        IPEndPoint listen = Start(o => o.AcceptProxyHeader = true);
        using Socket balancer = await ConnectAsync(listen);

        await balancer.SendAsync("GET / HTTP/1.1\r\n\r\n"u8.ToArray(), SocketFlags.None);
        ProxyForwardedConnection done = await NextCompletedAsync();

        Assert.Equal(ProxyHeaderError.InvalidSignature, Assert.IsType<ProxyProtocolException>(done.Error).Error);
        Assert.Equal(0, await ReceiveCountAsync(balancer));
        Assert.Equal(0, _backend.Accepted);
    }

    [Fact]
    public async Task A_header_from_an_untrusted_address_is_not_read()
    {
        IPEndPoint listen = Start(o =>
        {
            o.AcceptProxyHeader = true;
            o.TrustedProxies.Add(IPNetwork.Parse("10.0.0.0/8"));
        });
        using Socket balancer = await ConnectAsync(listen);
        await balancer.SendAsync("PROXY TCP4 203.0.113.7 198.51.100.1 40000 443\r\n"u8.ToArray(), SocketFlags.None);

        ProxyForwardedConnection done = await NextCompletedAsync();

        Assert.IsType<UnauthorizedAccessException>(done.Error);
        Assert.Equal(0, _backend.Accepted);
    }

    [Fact]
    public async Task A_header_that_never_completes_times_out()
    {
        IPEndPoint listen = Start(o =>
        {
            o.AcceptProxyHeader = true;
            o.HeaderTimeout = TimeSpan.FromMilliseconds(300);
        });
        using Socket balancer = await ConnectAsync(listen);
        await balancer.SendAsync("PROXY TCP4 203.0"u8.ToArray(), SocketFlags.None);

        ProxyForwardedConnection done = await NextCompletedAsync();

        Assert.IsType<TimeoutException>(done.Error);
        Assert.Equal(0, _backend.Accepted);
    }

    [Fact]
    public async Task A_backend_that_refuses_the_connection_closes_the_client()
    {
        // A port that was free a moment ago: nothing listens there.
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var closed = (IPEndPoint)probe.LocalEndPoint!;
        probe.Dispose();
        IPEndPoint listen = Start(backend: closed);
        using Socket client = await ConnectAsync(listen);

        ProxyForwardedConnection done = await NextCompletedAsync();

        Assert.IsType<SocketException>(done.Error);
        Assert.Equal(0, await ReceiveCountAsync(client));
    }

    [Fact]
    public async Task Disposing_the_forwarder_closes_connections_in_progress()
    {
        IPEndPoint listen = Start();
        using Socket client = await ConnectAsync(listen);
        BackendSession session = await _backend.NextAsync();
        Assert.Equal(1, _forwarder!.ActiveConnections);

        await _forwarder.DisposeAsync().AsTask().WaitAsync(s_wait);

        Assert.Equal(0, _forwarder.ActiveConnections);
        Assert.Equal(0, await ReceiveCountAsync(client));
        Assert.Equal(0, await ReceiveCountAsync(session.Socket));
    }

    [Fact]
    public void Options_refuse_values_that_cannot_work()
    {
        var options = new ProxyTcpForwarderOptions(new IPEndPoint(IPAddress.Loopback, 1));

        Assert.Throws<ArgumentOutOfRangeException>(() => options.Version = (ProxyVersion)0);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.BufferSize = 100);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.HeaderTimeout = TimeSpan.Zero);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.HeaderTimeout = Timeout.InfiniteTimeSpan);
        options.IdleTimeout = Timeout.InfiniteTimeSpan;
        Assert.Equal(Timeout.InfiniteTimeSpan, options.IdleTimeout);
        Assert.Throws<ArgumentNullException>(() => new ProxyTcpForwarderOptions(null!));
    }

    private IPEndPoint Start(Action<ProxyTcpForwarderOptions>? configure = null, IPEndPoint? backend = null)
    {
        var options = new ProxyTcpForwarderOptions(backend ?? _backend.EndPoint) { ConnectionCompleted = c => _completed.Writer.TryWrite(c) };
        configure?.Invoke(options);
        _forwarder = new ProxyTcpForwarder(options);
        _forwarder.Start(new IPEndPoint(IPAddress.Loopback, 0));
        return _forwarder.LocalEndPoint!;
    }

    private Task<ProxyForwardedConnection> NextCompletedAsync() => _completed.Reader.ReadAsync().AsTask().WaitAsync(s_wait);

    private static async Task<Socket> ConnectAsync(IPEndPoint endPoint)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endPoint).WaitAsync(s_wait);
        return socket;
    }

    private static async Task<byte[]> ReceiveToEndAsync(Socket socket)
    {
        var received = new System.IO.MemoryStream();
        byte[] buffer = new byte[65536];
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None)) > 0)
        {
            received.Write(buffer, 0, read);
        }

        return received.ToArray();
    }

    /// <summary>Bytes received before the end of data: 0 when the peer closed (a reset counts as closed).</summary>
    private static async Task<int> ReceiveCountAsync(Socket socket)
    {
        try
        {
            return (await ReceiveToEndAsync(socket).WaitAsync(s_wait)).Length;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            return 0;
        }
    }
}
