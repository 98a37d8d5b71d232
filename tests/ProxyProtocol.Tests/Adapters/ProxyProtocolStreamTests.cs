using System;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace ProxyProtocol.Tests.Adapters;

/// <summary>ProxyProtocolStream: the explicit, off-spec optional-header mode (DET-04) that replays a non-header start.</summary>
public class ProxyProtocolStreamTests
{
    [Theory]
    [MemberData(nameof(HeaderVectors.All), MemberType = typeof(HeaderVectors))]
    public async Task Header_present_is_read_exactly_and_the_payload_follows(string name)
    {
        byte[] data = HeaderVectors.HeaderAndPayload(name);
        int headerLength = HeaderVectors.Header(name).Length;
        for (int split = 1; split < data.Length; split += 7)
        {
            var inner = new ScriptedReadStream(data, split) { GuardEnd = headerLength };
            await using ProxyProtocolStream stream = await ProxyProtocolStream.ReadOptionalHeaderAsync(inner);
            Assert.True(stream.HasHeader);
            HeaderVectors.AssertMatches(name, stream.Header!.Value);
            Assert.Equal(headerLength, inner.Position);
            Assert.Equal(HeaderVectors.Payload, await ReadToEndAsync(stream, chunk: 5));
        }
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: example\r\n\r\n")]
    [InlineData("PROXX not a header")]
    [InlineData("PROXYTCP4")]
    [InlineData("\r\n\r\n\0\r\nQUIX\n more")]
    [InlineData("P")]
    [InlineData("PRO")]
    [InlineData("\r\n")]
    [InlineData("")]
    public async Task No_header_replays_every_byte(string input)
    {
        byte[] data = Encoding.Latin1.GetBytes(input);
        foreach (int chunk in new[] { 1, 2, 3, 100 })
        {
            var inner = ScriptedReadStream.WithChunksOf(data, chunk);
            await using ProxyProtocolStream stream = await ProxyProtocolStream.ReadOptionalHeaderAsync(inner);
            Assert.False(stream.HasHeader);
            Assert.Null(stream.Header);
            Assert.Equal(data, await ReadToEndAsync(stream, chunk: 1 + chunk % 4));
        }
    }

    [Fact]
    public async Task Replay_works_for_every_read_method()
    {
        byte[] data = "HELLO WORLD"u8.ToArray();
        await using ProxyProtocolStream stream = await ProxyProtocolStream.ReadOptionalHeaderAsync(new MemoryStream(data));
        Assert.Equal('H', stream.ReadByte());
        byte[] two = new byte[2];
        Assert.Equal(2, stream.Read(two, 0, 2));
        Assert.Equal("EL", Encoding.ASCII.GetString(two));
        Assert.Equal(2, await stream.ReadAsync(two, 0, 2));
        Assert.Equal("LO", Encoding.ASCII.GetString(two));
        Assert.Equal(0, stream.Read(Span<byte>.Empty));
        Assert.Equal(" WORLD", Encoding.ASCII.GetString(await ReadToEndAsync(stream, chunk: 64)));
        Assert.Equal(-1, stream.ReadByte());
    }

    [Theory]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 1 99999\r\n", ProxyHeaderError.InvalidPort)]
    [InlineData("PROXY TCP4 1.2.3.4\r\n", ProxyHeaderError.InvalidFieldSeparator)]
    [InlineData("\r\n\r\n\0\r\nQUIT\n\x21\x11\x00\x02xx", ProxyHeaderError.LengthTooShortForFamily)]
    public async Task Header_that_matched_a_signature_must_be_valid(string input, ProxyHeaderError expected)
    {
        // Once "PROXY " or the v2 signature matched, the header is no longer optional: a bad one is an error.
        var inner = new MemoryStream(Encoding.Latin1.GetBytes(input));
        var error = await Assert.ThrowsAsync<ProxyProtocolException>(() => ProxyProtocolStream.ReadOptionalHeaderAsync(inner).AsTask());
        Assert.Equal(expected, error.Error);
    }

    [Fact]
    public async Task Header_cut_off_after_its_signature_is_IncompleteHeader()
    {
        var inner = new MemoryStream("PROXY TCP4 1.2."u8.ToArray());
        var error = await Assert.ThrowsAsync<ProxyProtocolException>(() => ProxyProtocolStream.ReadOptionalHeaderAsync(inner).AsTask());
        Assert.Equal(ProxyHeaderError.IncompleteHeader, error.Error);
    }

    [Fact]
    public async Task Client_without_header_that_waits_for_the_server_is_recognised_at_once()
    {
        // The decision comes from the bytes that are there; the client sends 6 bytes and waits for a reply.
        using var loopback = new Loopback(IPAddress.Loopback);
        (Socket client, Socket server) = await loopback.ConnectAsync();
        using (client)
        {
            await Loopback.SendAllAsync(client, "HELO\r\n"u8.ToArray());
            await using ProxyProtocolStream stream = await ProxyProtocolStream.ReadOptionalHeaderAsync(new NetworkStream(server, ownsSocket: true))
                .AsTask().WaitAsync(Loopback.Timeout);
            Assert.False(stream.HasHeader);
            byte[] line = new byte[6];
            await stream.ReadExactlyAsync(line).AsTask().WaitAsync(Loopback.Timeout);
            Assert.Equal("HELO\r\n", Encoding.ASCII.GetString(line));

            await stream.WriteAsync("250 hi\r\n"u8.ToArray());
            server.Shutdown(SocketShutdown.Send);
            Assert.Equal("250 hi\r\n", Encoding.ASCII.GetString(await Loopback.ReceiveToEndAsync(client)));
        }
    }

    [Fact]
    public async Task LeaveOpen_keeps_the_inner_stream_usable()
    {
        var inner = new MemoryStream("xyz"u8.ToArray());
        ProxyProtocolStream stream = await ProxyProtocolStream.ReadOptionalHeaderAsync(inner, leaveOpen: true);
        await stream.DisposeAsync();
        Assert.True(inner.CanRead);

        stream = await ProxyProtocolStream.ReadOptionalHeaderAsync(inner);
        Assert.Same(inner, stream.InnerStream);
        stream.Dispose();
        Assert.False(inner.CanRead);
    }

    [Fact]
    public async Task Canceled_token_is_honoured()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => ProxyProtocolStream.ReadOptionalHeaderAsync(new MemoryStream("PROXY "u8.ToArray()), cancellationToken: cts.Token).AsTask());
    }

    [Fact]
    public async Task Cancelled_read_of_replayed_bytes_loses_nothing()
    {
        // The replay buffer must not move for a read that is cancelled: "GET " was lost that way once.
        byte[] data = "GET / HTTP/1.1\r\n\r\n"u8.ToArray();
        await using ProxyProtocolStream stream = await ProxyProtocolStream.ReadOptionalHeaderAsync(new MemoryStream(data));
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        byte[] buffer = new byte[4];

        ValueTask<int> read = stream.ReadAsync(buffer.AsMemory(), cancelled.Token);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read.AsTask());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stream.ReadAsync(buffer, 0, 4, cancelled.Token));

        Assert.Equal(data, await ReadToEndAsync(stream, chunk: 3));
    }

    private static async Task<byte[]> ReadToEndAsync(Stream stream, int chunk)
    {
        var result = new MemoryStream();
        byte[] buffer = new byte[chunk];
        int read;
        while ((read = await stream.ReadAsync(buffer.AsMemory())) > 0)
        {
            result.Write(buffer, 0, read);
        }

        return result.ToArray();
    }
}
