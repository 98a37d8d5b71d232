using System;
using System.IO;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace ProxyProtocol.Tests.Adapters;

/// <summary>ProxyStreamExtensions.ReadProxyHeaderAsync / ReadProxyHeader: exact reads from any Stream.</summary>
public class StreamReadTests
{
    [Theory]
    [MemberData(nameof(HeaderVectors.All), MemberType = typeof(HeaderVectors))]
    public async Task Every_two_chunk_split_keeps_the_payload(string name)
    {
        // RX-02, RX-03: wherever the data is cut, the header is found and the first payload byte survives.
        byte[] data = HeaderVectors.HeaderAndPayload(name);
        int headerLength = HeaderVectors.Header(name).Length;
        for (int split = 1; split < data.Length; split++)
        {
            var stream = new ScriptedReadStream(data, split) { GuardEnd = headerLength };
            ReceivedProxyHeader received = await stream.ReadProxyHeaderAsync();
            HeaderVectors.AssertMatches(name, received);
            Assert.Equal(headerLength, stream.Position);
            Assert.Equal(HeaderVectors.Payload, ReadRest(stream));
        }
    }

    [Theory]
    [MemberData(nameof(HeaderVectors.All), MemberType = typeof(HeaderVectors))]
    public async Task One_byte_chunks_and_random_chunks_keep_the_payload(string name)
    {
        byte[] data = HeaderVectors.HeaderAndPayload(name);
        int headerLength = HeaderVectors.Header(name).Length;
        var streams = new System.Collections.Generic.List<ScriptedReadStream> { ScriptedReadStream.WithChunksOf(data, 1) };
        for (int seed = 0; seed < 50; seed++)
        {
            streams.Add(ScriptedReadStream.WithRandomChunks(data, seed, maxSize: 1 + (seed % 40)));
        }

        foreach (ScriptedReadStream stream in streams)
        {
            stream.GuardEnd = headerLength;
            HeaderVectors.AssertMatches(name, await stream.ReadProxyHeaderAsync());
            Assert.Equal(HeaderVectors.Payload, ReadRest(stream));
        }
    }

    [Theory]
    [MemberData(nameof(HeaderVectors.All), MemberType = typeof(HeaderVectors))]
    public void Synchronous_read_is_exact_too(string name)
    {
        // A MemoryStream fills every read completely: any over-read would show in Position.
        byte[] data = HeaderVectors.HeaderAndPayload(name);
        var stream = new MemoryStream(data);
        HeaderVectors.AssertMatches(name, stream.ReadProxyHeader());
        Assert.Equal(HeaderVectors.Header(name).Length, stream.Position);
        Assert.Equal(HeaderVectors.Payload, ReadRest(stream));
    }

    [Fact]
    public async Task Header_alone_at_the_end_of_the_stream_is_read()
    {
        // Nothing follows the header: the reader must not need a byte more than it (DET-07).
        byte[] header = HeaderVectors.Header("v1-tcp4");
        var stream = new MemoryStream(header);
        HeaderVectors.AssertMatches("v1-tcp4", await stream.ReadProxyHeaderAsync());
        Assert.Equal(header.Length, stream.Position);
    }

    [Theory]
    [InlineData("v1-tcp4")]
    [InlineData("v2-ipv6-tlvs-crc")]
    public async Task Stream_ending_inside_the_header_is_IncompleteHeader(string name)
    {
        byte[] header = HeaderVectors.Header(name);
        for (int length = 0; length < header.Length; length++)
        {
            var stream = new MemoryStream(header, 0, length);
            var error = await Assert.ThrowsAsync<ProxyProtocolException>(() => stream.ReadProxyHeaderAsync().AsTask());
            Assert.Equal(ProxyHeaderError.IncompleteHeader, error.Error);
        }
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: x\r\n\r\n", ProxyHeaderError.InvalidSignature)]
    [InlineData("PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n", ProxyHeaderError.InvalidProtocol)]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n", ProxyHeaderError.InvalidLineEnding)]
    [InlineData("PROXY TCP4 1.2.3.4 ::1 1 2\r\n", ProxyHeaderError.AddressFamilyMismatch)]
    public async Task Invalid_headers_throw_the_parser_error(string input, ProxyHeaderError expected)
    {
        var stream = new MemoryStream(Encoding.ASCII.GetBytes(input));
        var error = await Assert.ThrowsAsync<ProxyProtocolException>(() => stream.ReadProxyHeaderAsync().AsTask());
        Assert.Equal(expected, error.Error);
    }

    [Fact]
    public async Task V2_longer_than_the_maximum_is_rejected_after_16_bytes()
    {
        // HeaderTooLong comes from the fixed part alone; the reader must not wait for the announced bytes.
        byte[] header = HeaderVectors.Header("v2-large-tlvs");
        var stream = new MemoryStream(header, 0, 16);
        var options = new ProxyParserOptions { MaxHeaderLength = 1024 };
        var error = await Assert.ThrowsAsync<ProxyProtocolException>(() => stream.ReadProxyHeaderAsync(options).AsTask());
        Assert.Equal(ProxyHeaderError.HeaderTooLong, error.Error);
    }

    [Fact]
    public async Task Disallowed_version_is_VersionNotAllowed()
    {
        var stream = new MemoryStream(HeaderVectors.HeaderAndPayload("v1-tcp4"));
        var options = new ProxyParserOptions { AllowedVersions = ProxyVersions.V2 };
        var error = await Assert.ThrowsAsync<ProxyProtocolException>(() => stream.ReadProxyHeaderAsync(options).AsTask());
        Assert.Equal(ProxyHeaderError.VersionNotAllowed, error.Error);
    }

    [Fact]
    public async Task Canceled_token_is_honoured()
    {
        var stream = new MemoryStream(HeaderVectors.HeaderAndPayload("v2-ipv4"));
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stream.ReadProxyHeaderAsync(cancellationToken: cts.Token).AsTask());
    }

    [Fact]
    public async Task Header_timeout_stops_a_NetworkStream_read_that_stalls_mid_header()
    {
        // RX-04: the peer sent part of a v1 line and stopped; the caller's deadline ends the wait.
        using var loopback = new Loopback(System.Net.IPAddress.Loopback);
        (Socket client, Socket server) = await loopback.ConnectAsync();
        using (client)
        using (var stream = new NetworkStream(server, ownsSocket: true))
        {
            await Loopback.SendAllAsync(client, "PROXY TCP4 10.0.0.1 "u8.ToArray());
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stream.ReadProxyHeaderAsync(cancellationToken: cts.Token).AsTask().WaitAsync(Loopback.Timeout));
        }
    }

    [Fact]
    public void Arguments_are_checked_before_reading()
    {
        Assert.Throws<ArgumentNullException>(() => ((Stream)null!).ReadProxyHeaderAsync());
        Assert.Throws<ArgumentException>(() => new CountingWriteStream().ReadProxyHeaderAsync());
        Assert.Throws<ArgumentNullException>(() => ((Stream)null!).ReadProxyHeader());
    }

    [Theory]
    [MemberData(nameof(Loopback.Addresses), MemberType = typeof(Loopback))]
    public async Task NetworkStream_over_loopback_keeps_the_payload_at_every_split(string address)
    {
        // The same exact reads over a real socket stream: the client sends header and payload in two sends.
        using var loopback = new Loopback(System.Net.IPAddress.Parse(address));
        foreach (string name in new[] { "v1-tcp6", "v2-ipv6-tlvs-crc" })
        {
            byte[] data = HeaderVectors.HeaderAndPayload(name);
            for (int split = 1; split < data.Length; split++)
            {
                (Socket client, Socket server) = await loopback.ConnectAsync();
                using (client)
                using (var serverStream = new NetworkStream(server, ownsSocket: true))
                {
                    await Loopback.SendAllAsync(client, data.AsMemory(0, split));
                    Task<ReceivedProxyHeader> read = serverStream.ReadProxyHeaderAsync().AsTask();
                    await Loopback.SendAllAsync(client, data.AsMemory(split));
                    client.Shutdown(SocketShutdown.Send);

                    HeaderVectors.AssertMatches(name, await read.WaitAsync(Loopback.Timeout));
                    Assert.Equal(HeaderVectors.Payload, await Loopback.ReceiveToEndAsync(server));
                }
            }
        }
    }

    private static byte[] ReadRest(Stream stream)
    {
        var rest = new MemoryStream();
        stream.CopyTo(rest);
        return rest.ToArray();
    }
}
