using System;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace ProxyProtocol.Tests.Adapters;

/// <summary>ProxySocketExtensions.ReceiveProxyHeaderAsync / ReceiveProxyHeader: peek, then receive exactly (RX-02).</summary>
public class SocketReceiveTests
{
    public static TheoryData<string, string> VectorsOnBothFamilies()
    {
        var data = new TheoryData<string, string>();
        foreach (string address in new[] { "127.0.0.1", "::1" })
        {
            foreach (string name in HeaderVectors.SocketNames)
            {
                data.Add(address, name);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(VectorsOnBothFamilies))]
    public async Task Every_two_send_split_keeps_the_payload(string address, string name)
    {
        // RX-02, RX-03: the client sends the first `split` bytes, the server starts reading, then the rest
        // follows. On loopback a send is in the peer's buffer when it returns, so the first peek sees exactly
        // the first part; the header must come out whole and the payload must follow byte for byte.
        using var loopback = new Loopback(IPAddress.Parse(address));
        byte[] data = HeaderVectors.HeaderAndPayload(name);
        for (int split = 1; split < data.Length; split++)
        {
            (Socket client, Socket server) = await loopback.ConnectAsync();
            using (client)
            using (server)
            {
                await Loopback.SendAllAsync(client, data.AsMemory(0, split));
                Task<ReceivedProxyHeader> receive = server.ReceiveProxyHeaderAsync().AsTask();
                await Loopback.SendAllAsync(client, data.AsMemory(split));
                client.Shutdown(SocketShutdown.Send);

                HeaderVectors.AssertMatches(name, await receive.WaitAsync(Loopback.Timeout));
                Assert.Equal(HeaderVectors.Payload, await Loopback.ReceiveToEndAsync(server));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Loopback.Addresses), MemberType = typeof(Loopback))]
    public async Task Header_sent_one_byte_at_a_time_is_received_whole(string address)
    {
        // Many tiny segments while the receiver runs: each peek sees a fragment, and no peek spins on it.
        using var loopback = new Loopback(IPAddress.Parse(address));
        foreach (string name in HeaderVectors.SocketNames)
        {
            byte[] data = HeaderVectors.HeaderAndPayload(name);
            (Socket client, Socket server) = await loopback.ConnectAsync();
            using (client)
            using (server)
            {
                Task<ReceivedProxyHeader> receive = server.ReceiveProxyHeaderAsync().AsTask();
                for (int i = 0; i < data.Length; i++)
                {
                    await Loopback.SendAllAsync(client, data.AsMemory(i, 1));
                }

                client.Shutdown(SocketShutdown.Send);
                HeaderVectors.AssertMatches(name, await receive.WaitAsync(Loopback.Timeout));
                Assert.Equal(HeaderVectors.Payload, await Loopback.ReceiveToEndAsync(server));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Loopback.Addresses), MemberType = typeof(Loopback))]
    public async Task Large_v2_header_grows_the_buffer(string address)
    {
        using var loopback = new Loopback(IPAddress.Parse(address));
        (Socket client, Socket server) = await loopback.ConnectAsync();
        using (client)
        using (server)
        {
            await Loopback.SendAllAsync(client, HeaderVectors.HeaderAndPayload("v2-large-tlvs"));
            client.Shutdown(SocketShutdown.Send);
            HeaderVectors.AssertMatches("v2-large-tlvs", await server.ReceiveProxyHeaderAsync().AsTask().WaitAsync(Loopback.Timeout));
            Assert.Equal(HeaderVectors.Payload, await Loopback.ReceiveToEndAsync(server));
        }
    }

    [Theory]
    [MemberData(nameof(VectorsOnBothFamilies))]
    public async Task Server_that_speaks_first_answers_right_after_the_header(string address, string name)
    {
        // DET-07, SMTP style: the client sends only the header and waits for "220". A receiver that waited
        // for a byte more than the header would deadlock here until the timeout.
        using var loopback = new Loopback(IPAddress.Parse(address));
        (Socket client, Socket server) = await loopback.ConnectAsync();
        using (client)
        using (server)
        {
            await Loopback.SendAllAsync(client, HeaderVectors.Header(name));
            ReceivedProxyHeader received = await server.ReceiveProxyHeaderAsync().AsTask().WaitAsync(Loopback.Timeout);
            await Loopback.SendAllAsync(server, "220 ready\r\n"u8.ToArray());
            server.Shutdown(SocketShutdown.Send);

            Assert.Equal("220 ready\r\n", Encoding.ASCII.GetString(await Loopback.ReceiveToEndAsync(client)));
            HeaderVectors.AssertMatches(name, received);
        }
    }

    [Theory]
    [MemberData(nameof(VectorsOnBothFamilies))]
    public async Task Server_that_speaks_first_works_over_a_NetworkStream(string address, string name)
    {
        // DET-07 with the Stream adapter, which cannot peek and reads exactly instead.
        using var loopback = new Loopback(IPAddress.Parse(address));
        (Socket client, Socket server) = await loopback.ConnectAsync();
        using (client)
        using (var stream = new NetworkStream(server, ownsSocket: true))
        {
            await Loopback.SendAllAsync(client, HeaderVectors.Header(name));
            ReceivedProxyHeader received = await stream.ReadProxyHeaderAsync().AsTask().WaitAsync(Loopback.Timeout);
            await stream.WriteAsync("220 ready\r\n"u8.ToArray());
            server.Shutdown(SocketShutdown.Send);

            Assert.Equal("220 ready\r\n", Encoding.ASCII.GetString(await Loopback.ReceiveToEndAsync(client)));
            HeaderVectors.AssertMatches(name, received);
        }
    }

    [Theory]
    [MemberData(nameof(Loopback.Addresses), MemberType = typeof(Loopback))]
    public async Task Connection_closed_mid_header_is_IncompleteHeader(string address)
    {
        using var loopback = new Loopback(IPAddress.Parse(address));
        foreach ((string name, int length) in new[] { ("v1-tcp4", 0), ("v1-tcp4", 20), ("v2-ipv6-tlvs-crc", 10), ("v2-ipv6-tlvs-crc", 40) })
        {
            (Socket client, Socket server) = await loopback.ConnectAsync();
            using (client)
            using (server)
            {
                await Loopback.SendAllAsync(client, HeaderVectors.Header(name).AsMemory(0, length));
                client.Shutdown(SocketShutdown.Send);
                var error = await Assert.ThrowsAsync<ProxyProtocolException>(() => server.ReceiveProxyHeaderAsync().AsTask().WaitAsync(Loopback.Timeout));
                Assert.Equal(ProxyHeaderError.IncompleteHeader, error.Error);
            }
        }
    }

    [Theory]
    [InlineData("GET", ProxyHeaderError.InvalidSignature)]
    [InlineData("\x16\x03\x01", ProxyHeaderError.InvalidSignature)]
    [InlineData("PROXY TCP5", ProxyHeaderError.InvalidProtocol)]
    [InlineData("\r\n\r\n\0\r\nQUIT\n\x31", ProxyHeaderError.UnsupportedVersion)]
    public async Task Garbage_is_rejected_without_waiting_for_more(string garbage, ProxyHeaderError expected)
    {
        // DET-03: the client sends a few bytes and keeps the connection open. The receiver must decide from
        // those bytes alone; it must not wait for the 16 bytes of a v2 header or the CRLF of a v1 line.
        using var loopback = new Loopback(IPAddress.Loopback);
        (Socket client, Socket server) = await loopback.ConnectAsync();
        using (client)
        using (server)
        {
            await Loopback.SendAllAsync(client, Encoding.Latin1.GetBytes(garbage));
            var error = await Assert.ThrowsAsync<ProxyProtocolException>(() => server.ReceiveProxyHeaderAsync().AsTask().WaitAsync(Loopback.Timeout));
            Assert.Equal(expected, error.Error);
        }
    }

    [Fact]
    public async Task Garbage_is_rejected_by_the_Stream_adapter_without_waiting_either()
    {
        using var loopback = new Loopback(IPAddress.Loopback);
        (Socket client, Socket server) = await loopback.ConnectAsync();
        using (client)
        using (var stream = new NetworkStream(server, ownsSocket: true))
        {
            await Loopback.SendAllAsync(client, "GET"u8.ToArray());
            var error = await Assert.ThrowsAsync<ProxyProtocolException>(() => stream.ReadProxyHeaderAsync().AsTask().WaitAsync(Loopback.Timeout));
            Assert.Equal(ProxyHeaderError.InvalidSignature, error.Error);
        }
    }

    [Fact]
    public async Task Cancellation_stops_a_receive_that_waits_for_the_rest_of_the_header()
    {
        using var loopback = new Loopback(IPAddress.Loopback);
        (Socket client, Socket server) = await loopback.ConnectAsync();
        using (client)
        using (server)
        {
            await Loopback.SendAllAsync(client, "PROXY TCP4 "u8.ToArray());
            using var cts = new CancellationTokenSource();
            Task<ReceivedProxyHeader> receive = server.ReceiveProxyHeaderAsync(cancellationToken: cts.Token).AsTask();
            cts.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => receive.WaitAsync(Loopback.Timeout));
        }
    }

    [Fact]
    public async Task Header_timeout_from_a_token_source_is_honoured()
    {
        // RX-04: a peer that stalls inside the header is cut off by the caller's deadline.
        using var loopback = new Loopback(IPAddress.Loopback);
        (Socket client, Socket server) = await loopback.ConnectAsync();
        using (client)
        using (server)
        {
            await Loopback.SendAllAsync(client, HeaderVectors.Header("v2-ipv4").AsMemory(0, 20));
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => server.ReceiveProxyHeaderAsync(cancellationToken: cts.Token).AsTask().WaitAsync(Loopback.Timeout));
        }
    }

    [Fact]
    public async Task Synchronous_receive_is_exact_and_honours_ReceiveTimeout()
    {
        using var loopback = new Loopback(IPAddress.Loopback);
        (Socket client, Socket server) = await loopback.ConnectAsync();
        using (client)
        using (server)
        {
            await Loopback.SendAllAsync(client, HeaderVectors.HeaderAndPayload("v1-tcp6"));
            client.Shutdown(SocketShutdown.Send);
            server.ReceiveTimeout = (int)Loopback.Timeout.TotalMilliseconds;
            HeaderVectors.AssertMatches("v1-tcp6", server.ReceiveProxyHeader());
            Assert.Equal(HeaderVectors.Payload, await Loopback.ReceiveToEndAsync(server));
        }

        (client, server) = await loopback.ConnectAsync();
        using (client)
        using (server)
        {
            await Loopback.SendAllAsync(client, "PROXY "u8.ToArray());
            server.ReceiveTimeout = 100;
            var error = Assert.Throws<SocketException>(() => server.ReceiveProxyHeader());
            Assert.Equal(SocketError.TimedOut, error.SocketErrorCode);
        }
    }

    [Fact]
    public void Datagram_sockets_and_null_are_rejected()
    {
        using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        Assert.Throws<ArgumentException>(() => udp.ReceiveProxyHeaderAsync());
        Assert.Throws<ArgumentNullException>(() => ((Socket)null!).ReceiveProxyHeaderAsync());
    }
}
