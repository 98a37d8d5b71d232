using System;
using System.Buffers;
using System.IO;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Tasks;

namespace ProxyProtocol.Tests.Adapters;

/// <summary>Sending headers on Stream, Socket and PipeWriter: one write before any payload (TX-01), bytes that parse back.</summary>
public class OutboundTests
{
    private static readonly ProxyHeader s_tcp4 = ProxyHeader.CreateProxy(HeaderVectors.Ep("203.0.113.5", 40000), HeaderVectors.Ep("198.51.100.1", 443));
    private static readonly ProxyHeader s_tcp6 = ProxyHeader.CreateProxy(HeaderVectors.Ep("2001:db8::5", 40001), HeaderVectors.Ep("2001:db8::1", 8443));

    public static TheoryData<string, ProxyVersion> Headers => new()
    {
        { "tcp4", ProxyVersion.V1 },
        { "tcp4", ProxyVersion.V2 },
        { "tcp6", ProxyVersion.V1 },
        { "tcp6", ProxyVersion.V2 },
        { "unix", ProxyVersion.V2 },
        { "local", ProxyVersion.V2 },
        { "local", ProxyVersion.V1 },
    };

    [Theory]
    [MemberData(nameof(Headers))]
    public async Task Stream_gets_the_header_in_one_write_and_a_flush(string kind, ProxyVersion version)
    {
        ProxyHeader header = Header(kind);
        var stream = new CountingWriteStream();
        await stream.WriteProxyHeaderAsync(header, version);
        byte[] write = Assert.Single(stream.Writes);
        Assert.Equal(1, stream.Flushes);
        AssertParsesBack(write, header, version);

        var sync = new CountingWriteStream();
        sync.WriteProxyHeader(header, version);
        Assert.Equal(write, Assert.Single(sync.Writes));
        Assert.Equal(1, sync.Flushes);
    }

    [Fact]
    public async Task Stream_gets_encoded_tlvs_with_a_computed_crc()
    {
        // Forwarding a received header's TLVs: the CRC32C value is recomputed for the new header (CRC-03).
        ReceivedProxyHeader received = await new MemoryStream(HeaderVectors.Header("v2-ipv6-tlvs-crc")).ReadProxyHeaderAsync();
        var stream = new CountingWriteStream();
        await stream.WriteProxyHeaderAsync(s_tcp4, received.TlvBytes.Span);
        byte[] write = Assert.Single(stream.Writes);
        ProxyHeader parsed = AssertParsesBack(write, s_tcp4, ProxyVersion.V2);
        Assert.True(parsed.GetTlvs(write).TryGetAuthority(out ReadOnlySpan<byte> authority));
        Assert.Equal("example.com", Encoding.ASCII.GetString(authority));
        Assert.True(parsed.GetTlvs(write).TryGetCrc32c(out _));
    }

    [Fact]
    public async Task Stream_gets_tlvs_from_a_builder_callback()
    {
        var stream = new CountingWriteStream();
        await stream.WriteProxyHeaderAsync(s_tcp6, static (ref ProxyV2HeaderBuilder b, string host) =>
        {
            b.AddAuthority(host);
            b.AddCrc32c();
        }, "api.example");
        byte[] write = Assert.Single(stream.Writes);
        ProxyHeader parsed = AssertParsesBack(write, s_tcp6, ProxyVersion.V2);
        Assert.True(parsed.GetTlvs(write).TryGetAuthority(out ReadOnlySpan<byte> authority));
        Assert.Equal("api.example", Encoding.ASCII.GetString(authority));
    }

    [Fact]
    public async Task Callback_that_outgrows_the_first_buffer_is_called_again_with_room()
    {
        // 2000 bytes of TLVs do not fit the adapters' first 512 bytes; the callback runs twice, one write goes out.
        int calls = 0;
        byte[] big = new byte[2000];
        big.AsSpan().Fill(0x5A);
        var stream = new CountingWriteStream();
        await stream.WriteProxyHeaderAsync(s_tcp4, (ref ProxyV2HeaderBuilder b, byte[] value) =>
        {
            calls++;
            b.AddTlv((ProxyTlvType)0xE9, value);
        }, big);
        Assert.Equal(2, calls);
        byte[] write = Assert.Single(stream.Writes);
        Assert.Equal(16 + 12 + 3 + 2000, write.Length);
        AssertParsesBack(write, s_tcp4, ProxyVersion.V2, new ProxyParserOptions { MaxHeaderLength = 4096 });

        var pipe = new Pipe();
        calls = 0;
        await pipe.Writer.WriteProxyHeaderAsync(s_tcp4, (ref ProxyV2HeaderBuilder b, byte[] value) =>
        {
            calls++;
            b.AddTlv((ProxyTlvType)0xE9, value);
        }, big);
        Assert.InRange(calls, 1, 2); // the pipe's segment may already be big enough
        ReadResult read = await pipe.Reader.ReadAsync();
        Assert.Equal(write, read.Buffer.ToArray());
    }

    [Fact]
    public async Task Callback_that_keeps_growing_is_an_error_not_a_loop()
    {
        int calls = 0;
        var stream = new CountingWriteStream();
        await Assert.ThrowsAsync<InvalidOperationException>(() => stream.WriteProxyHeaderAsync(s_tcp4, (ref ProxyV2HeaderBuilder b, int unused) =>
        {
            b.AddTlv((ProxyTlvType)0xE9, new byte[10000 * ++calls]); // never fits the room its first call asked for
        }, 0).AsTask());
        Assert.Equal(2, calls);
        Assert.Empty(stream.Writes);
    }

    [Fact]
    public void Misuse_is_reported_before_anything_is_written()
    {
        var stream = new CountingWriteStream();
        Assert.Throws<ArgumentOutOfRangeException>(() => stream.WriteProxyHeaderAsync(s_tcp4, (ProxyVersion)3));
        Assert.Throws<ArgumentException>(() => stream.WriteProxyHeaderAsync(s_tcp4, new byte[] { 0x04, 0x00 }));
        Assert.Throws<ArgumentNullException>(() => ((Stream)null!).WriteProxyHeaderAsync(s_tcp4));
        Assert.Throws<ArgumentNullException>(() => stream.WriteProxyHeaderAsync<int>(s_tcp4, null!, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Pipe().Writer.WriteProxyHeaderAsync(s_tcp4, (ProxyVersion)0));
        Assert.Empty(stream.Writes);
    }

    [Fact]
    public async Task Header_writes_allocate_nothing_after_warm_up()
    {
        // The synchronous Stream path formats on the stack; the PipeWriter path formats into the pipe's memory.
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0));
        for (int i = 0; i < 2; i++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            Stream.Null.WriteProxyHeader(s_tcp6, ProxyVersion.V1);
            Stream.Null.WriteProxyHeader(s_tcp6, ProxyVersion.V2);
            ValueTask<FlushResult> flush = pipe.Writer.WriteProxyHeaderAsync(s_tcp6, ProxyVersion.V2);
            Assert.True(flush.IsCompletedSuccessfully);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            ReadResult read = await pipe.Reader.ReadAsync();
            Assert.Equal(16 + 36, read.Buffer.Length);
            pipe.Reader.AdvanceTo(read.Buffer.End);
            if (i == 1)
            {
                Assert.Equal(0, allocated);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Headers))]
    public async Task PipeWriter_gets_the_header_in_one_segment_and_flushes(string kind, ProxyVersion version)
    {
        ProxyHeader header = Header(kind);
        var pipe = new Pipe();
        FlushResult flush = await pipe.Writer.WriteProxyHeaderAsync(header, version);
        Assert.False(flush.IsCanceled);
        ReadResult read = await pipe.Reader.ReadAsync();
        Assert.True(read.Buffer.IsSingleSegment);
        AssertParsesBack(read.Buffer.ToArray(), header, version);
    }

    [Fact]
    public async Task PipeWriter_gets_encoded_tlvs()
    {
        byte[] tlvs = [(byte)ProxyTlvType.Alpn, 0, 2, (byte)'h', (byte)'2'];
        var pipe = new Pipe();
        await pipe.Writer.WriteProxyHeaderAsync(s_tcp6, tlvs);
        byte[] written = (await pipe.Reader.ReadAsync()).Buffer.ToArray();
        ProxyHeader parsed = AssertParsesBack(written, s_tcp6, ProxyVersion.V2);
        Assert.True(parsed.GetTlvs(written).TryGetAlpn(out ReadOnlySpan<byte> alpn));
        Assert.Equal("h2", Encoding.ASCII.GetString(alpn));
    }

    [Theory]
    [MemberData(nameof(Loopback.Addresses), MemberType = typeof(Loopback))]
    public async Task Socket_sends_a_header_the_receiver_reads_back_before_the_payload(string address)
    {
        using var loopback = new Loopback(IPAddress.Parse(address));
        foreach (ProxyVersion version in new[] { ProxyVersion.V1, ProxyVersion.V2 })
        {
            (Socket client, Socket server) = await loopback.ConnectAsync();
            using (client)
            using (server)
            {
                await client.SendProxyHeaderAsync(s_tcp6, version);
                await Loopback.SendAllAsync(client, "payload"u8.ToArray());
                client.Shutdown(SocketShutdown.Send);

                ReceivedProxyHeader received = await server.ReceiveProxyHeaderAsync().AsTask().WaitAsync(Loopback.Timeout);
                Assert.Equal(s_tcp6, received.Header);
                Assert.Equal(version, received.Header.Version);
                Assert.Equal("payload", Encoding.ASCII.GetString(await Loopback.ReceiveToEndAsync(server)));
            }
        }

        (Socket c, Socket s) = await loopback.ConnectAsync();
        using (c)
        using (s)
        {
            await c.SendProxyHeaderAsync(s_tcp4, static (ref ProxyV2HeaderBuilder b, int id) => b.AddAzureLinkId((uint)id), 42);
            c.SendProxyHeader(ProxyHeader.CreateLocal(), ProxyVersion.V1); // a second header is payload to the receiver
            c.Shutdown(SocketShutdown.Send);

            ReceivedProxyHeader received = await s.ReceiveProxyHeaderAsync().AsTask().WaitAsync(Loopback.Timeout);
            Assert.Equal(s_tcp4, received.Header);
            Assert.True(received.Tlvs.TryGetAzureLinkId(out uint linkId));
            Assert.Equal(42u, linkId);
            Assert.Equal("PROXY UNKNOWN\r\n", Encoding.ASCII.GetString(await Loopback.ReceiveToEndAsync(s)));
        }
    }

    private static ProxyHeader Header(string kind) => kind switch
    {
        "tcp4" => s_tcp4,
        "tcp6" => s_tcp6,
        "unix" => ProxyHeader.CreateUnix("/a", "/b"),
        _ => ProxyHeader.CreateLocal(),
    };

    private static ProxyHeader AssertParsesBack(byte[] written, ProxyHeader expected, ProxyVersion version, ProxyParserOptions options = default)
    {
        Assert.Equal(OperationStatus.Done, ProxyHeaderParser.Parse(written, options, out ProxyHeader parsed, out int consumed, out ProxyHeaderError error));
        Assert.Equal(ProxyHeaderError.None, error);
        Assert.Equal(written.Length, consumed);
        Assert.Equal(version, parsed.Version);
        if (version == ProxyVersion.V1 && !(expected.HasAddresses && expected.AddressFamily is ProxyAddressFamily.InterNetwork or ProxyAddressFamily.InterNetworkV6))
        {
            Assert.Equal("PROXY UNKNOWN\r\n", Encoding.ASCII.GetString(written)); // TX-04
        }
        else
        {
            Assert.Equal(expected, parsed);
        }

        return parsed;
    }
}
