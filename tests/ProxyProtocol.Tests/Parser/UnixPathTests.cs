using System;
using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Threading.Tasks;
using ProxyProtocol.Tests.Infrastructure;
using ProxyProtocol.Tests.Vectors;

namespace ProxyProtocol.Tests.Parser;

/// <summary>
/// A Unix header parsed from a span keeps a fingerprint of its paths, not the 216 bytes: the paths are read
/// from the parsed bytes, and bytes that are not those (a buffer reused for the next connection) are refused.
/// </summary>
public class UnixPathTests
{
    private static readonly byte[] s_first = TestVectors.V2(0x21, 0x31, TestVectors.UnixPath("/run/client-a.sock"), TestVectors.UnixPath("/run/server.sock"));

    // Same length, same destination; only the source path differs, in one byte.
    private static readonly byte[] s_second = TestVectors.V2(0x21, 0x31, TestVectors.UnixPath("/run/client-b.sock"), TestVectors.UnixPath("/run/server.sock"));

    [Fact]
    public void ProxyHeader_is_at_most_64_bytes()
    {
        // The budget: it is zeroed by every parse and copied into every async state machine and feature.
        Assert.True(Unsafe.SizeOf<ProxyHeader>() <= 64, $"ProxyHeader is {Unsafe.SizeOf<ProxyHeader>()} bytes");
    }

    [Fact]
    public void Paths_are_read_from_the_parsed_bytes()
    {
        ProxyHeader header = ProxyHeader.Parse(s_first, out _);

        Assert.Equal("/run/client-a.sock", header.GetSourceUnixPath(s_first));
        Assert.Equal("/run/server.sock", header.GetDestinationUnixPath(s_first));
        Assert.Equal("/run/client-a.sock", header.GetSourceEndPoint(s_first)!.ToString());
        Assert.Equal("/run/server.sock", header.GetDestinationEndPoint(s_first)!.ToString());
        Assert.Equal(TestVectors.UnixPath("/run/client-a.sock"), header.GetSourceAddress(s_first).ToArray());

        // An equal copy of the bytes elsewhere is as good as the original.
        byte[] copy = (byte[])s_first.Clone();
        Assert.Equal("/run/client-a.sock", header.GetSourceUnixPath(copy));
    }

    [Fact]
    public void A_reused_buffer_cannot_give_another_connections_path()
    {
        byte[] buffer = (byte[])s_first.Clone();
        ProxyHeader header = ProxyHeader.Parse(buffer, out _);

        // The next connection's header lands in the same buffer.
        s_second.CopyTo(buffer, 0);

        Assert.Throws<ArgumentException>(() => header.GetSourceUnixPath(buffer));
        Assert.Throws<ArgumentException>(() => header.GetDestinationUnixPath(buffer));
        Assert.Throws<ArgumentException>(() => header.GetSourceEndPoint(buffer));
        Assert.Throws<ArgumentException>(() => header.GetSourceAddress(buffer).ToArray());
        Assert.Throws<ArgumentException>(() => ReceivedProxyHeader.Create(header, buffer));

        // The second header, parsed from the same bytes, reads its own path.
        Assert.Equal("/run/client-b.sock", ProxyHeader.Parse(buffer, out _).GetSourceUnixPath(buffer));
    }

    [Theory]
    [InlineData(16)]       // first byte of the source path
    [InlineData(16 + 30)]  // in the source path's NUL padding
    [InlineData(16 + 108)] // first byte of the destination path
    [InlineData(231)]      // last byte of the block
    public void Any_changed_byte_of_the_address_block_is_refused(int index)
    {
        byte[] buffer = (byte[])s_first.Clone();
        ProxyHeader header = ProxyHeader.Parse(buffer, out _);

        buffer[index] ^= 0x01;

        Assert.Throws<ArgumentException>(() => header.GetSourceUnixPath(buffer));
    }

    [Fact]
    public void Bytes_shorter_than_the_address_block_are_refused()
    {
        ProxyHeader header = ProxyHeader.Parse(s_first, out _);

        Assert.Throws<ArgumentException>(() => header.GetSourceUnixPath(s_first.AsSpan(0, 231)));
        Assert.Throws<ArgumentException>(() => header.GetSourceUnixPath(default));
    }

    [Fact]
    public void Without_the_bytes_a_parsed_Unix_header_says_what_to_pass()
    {
        ProxyHeader header = ProxyHeader.Parse(s_first, out _);

        InvalidOperationException error = Assert.Throws<InvalidOperationException>(() => header.GetSourceEndPoint());
        Assert.Contains("GetSourceEndPoint(headerBytes)", error.Message);
        Assert.Throws<InvalidOperationException>(() => header.GetSourceUnixPath());
        Assert.Throws<InvalidOperationException>(() => header.SourceAddress.ToArray());
        Assert.Throws<InvalidOperationException>(() => ProxyHeaderWriter.WriteV2(header, default, new byte[300], out _));

        // What needs no path still works: the header describes itself and is not an IP header.
        Assert.Equal("PROXY UNIX-STREAM (paths in the parsed bytes) (v2)", header.ToString());
        Assert.Null(header.GetSourceIPAddress());
        Assert.True(header.HasAddresses);
    }

    [Fact]
    public void ReceivedProxyHeader_keeps_the_paths_after_the_buffer_is_reused()
    {
        byte[] tlv = TestVectors.Tlv(0x04, "x"); // NOOP
        byte[] buffer = TestVectors.V2(0x21, 0x31, TestVectors.UnixPath("/run/client-a.sock"), TestVectors.UnixPath("/run/server.sock"), tlv);
        ProxyHeader parsed = ProxyHeader.Parse(buffer, out _);
        ReceivedProxyHeader received = ReceivedProxyHeader.Create(parsed, buffer);

        Array.Clear(buffer);

        Assert.Equal("/run/client-a.sock", received.Header.GetSourceUnixPath());
        Assert.Equal("/run/server.sock", received.Header.GetDestinationEndPoint()!.ToString());
        Assert.Equal(tlv, received.TlvBytes.ToArray());
        Assert.Equal(parsed, received.Header);
        Assert.Equal("PROXY UNIX-STREAM /run/client-a.sock -> /run/server.sock (v2)", received.ToString());

        // The owned header writes back the bytes it was parsed from.
        byte[] written = new byte[buffer.Length];
        Assert.Equal(OperationStatus.Done, ProxyHeaderWriter.WriteV2(received.Header, received.TlvBytes.Span, written, out int length));
        Assert.Equal(TestVectors.V2(0x21, 0x31, TestVectors.UnixPath("/run/client-a.sock"), TestVectors.UnixPath("/run/server.sock"), tlv), written.AsSpan(0, length).ToArray());
    }

    [Fact]
    public void ReceivedProxyHeader_constructor_refuses_a_header_without_its_paths()
    {
        ProxyHeader parsed = ProxyHeader.Parse(s_first, out _);

        ArgumentException error = Assert.Throws<ArgumentException>(() => new ReceivedProxyHeader(parsed, ReadOnlyMemory<byte>.Empty));
        Assert.Contains("Create(header, headerBytes)", error.Message);

        // A factory-made Unix header owns its paths.
        ReceivedProxyHeader made = new(ProxyHeader.CreateUnix("/a", "/b"), ReadOnlyMemory<byte>.Empty);
        Assert.Equal("/a", made.Header.GetSourceUnixPath());
    }

    [Fact]
    public async Task The_adapters_give_a_Unix_header_that_owns_its_paths()
    {
        // Split so that the header spans segments of the pipe's buffer.
        Pipe pipe = new(new PipeOptions(minimumSegmentSize: 64, pauseWriterThreshold: 0));
        for (int offset = 0; offset < s_first.Length; offset += 50)
        {
            await pipe.Writer.WriteAsync(s_first.AsMemory(offset, Math.Min(50, s_first.Length - offset)));
        }

        await pipe.Writer.WriteAsync("after"u8.ToArray());
        ReceivedProxyHeader received = await pipe.Reader.ReadProxyHeaderAsync();

        Assert.Equal("/run/client-a.sock", received.Header.GetSourceUnixPath());
        ReadResult rest = await pipe.Reader.ReadAsync();
        Assert.Equal("after"u8.ToArray(), rest.Buffer.ToArray());
    }

    [Fact]
    public void Headers_with_the_same_paths_are_equal_owned_or_not()
    {
        ProxyHeader parsed = ProxyHeader.Parse(s_first, out _);
        ProxyHeader made = ProxyHeader.CreateUnix("/run/client-a.sock", "/run/server.sock");
        ProxyHeader other = ProxyHeader.Parse(s_second, out _);

        Assert.Equal(made, parsed);
        Assert.Equal(made.GetHashCode(), parsed.GetHashCode());
        Assert.NotEqual(other, parsed);
        Assert.IsType<UnixDomainSocketEndPoint>(made.GetSourceEndPoint());
    }
}
