using System;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Tasks;

namespace ProxyProtocol.Tests.Adapters;

/// <summary>ProxyDatagram and the UDP socket extensions: a v2 header in every datagram (UDP-01, UDP-02).</summary>
public class DatagramTests
{
    private static readonly byte[] s_payload = "DNS?\0\r\nPROXY "u8.ToArray();

    [Theory]
    [InlineData("v2-ipv4-udp")]
    [InlineData("v2-ipv6-tlvs-crc")]
    [InlineData("v2-local")]
    [InlineData("v2-large-tlvs")]
    public void Parse_finds_the_payload_offset(string name)
    {
        byte[] header = HeaderVectors.Header(name);
        byte[] datagram = [.. header, .. s_payload];
        Assert.True(ProxyDatagram.TryParse(datagram, out ProxyHeader parsed, out int payloadOffset));
        Assert.Equal(HeaderVectors.Expected(name), parsed);
        Assert.Equal(header.Length, payloadOffset);
        Assert.Equal(s_payload, datagram[payloadOffset..]);

        // A header alone, with an empty payload, is a valid datagram too.
        Assert.Equal(header.Length, ProxyDatagram.Parse(header, out int offset).Length);
        Assert.Equal(header.Length, offset);
    }

    [Theory]
    [InlineData("v1-tcp4", ProxyHeaderError.VersionNotAllowed)]          // UDP-02: v1 has no UDP form
    [InlineData("v1-unknown", ProxyHeaderError.VersionNotAllowed)]
    [InlineData("garbage", ProxyHeaderError.InvalidSignature)]
    [InlineData("truncated", ProxyHeaderError.IncompleteHeader)]        // UDP-01: nothing more will come
    [InlineData("empty", ProxyHeaderError.IncompleteHeader)]
    [InlineData("bad-crc", ProxyHeaderError.Crc32cMismatch)]
    public void Bad_datagrams_get_a_precise_error(string kind, ProxyHeaderError expected)
    {
        byte[] datagram = Datagram(kind);
        Assert.False(ProxyDatagram.TryParse(datagram, ProxyParserOptions.Default, out _, out _, out ProxyHeaderError error));
        Assert.Equal(expected, error);
        var thrown = Assert.Throws<ProxyProtocolException>(() => ProxyDatagram.Parse(datagram, out _));
        Assert.Equal(expected, thrown.Error);
    }

    [Fact]
    public void Write_puts_header_and_payload_in_one_datagram()
    {
        ProxyHeader header = ProxyHeader.CreateProxy(HeaderVectors.Ep("198.51.100.7", 5000), HeaderVectors.Ep("203.0.113.9", 53), ProxyTransport.Datagram);
        byte[] tlvs = [(byte)ProxyTlvType.Authority, 0, 3, .. "dns"u8];
        int length = ProxyDatagram.GetLength(header, tlvs.Length, s_payload.Length);
        byte[] datagram = new byte[length];

        Assert.Equal(System.Buffers.OperationStatus.DestinationTooSmall, ProxyDatagram.Write(header, tlvs, s_payload, datagram.AsSpan(0, length - 1), out int written));
        Assert.Equal(0, written);
        Assert.Equal(System.Buffers.OperationStatus.Done, ProxyDatagram.Write(header, tlvs, s_payload, datagram, out written));
        Assert.Equal(length, written);

        ProxyHeader parsed = ProxyDatagram.Parse(datagram, out int payloadOffset);
        Assert.Equal(header, parsed);
        Assert.Equal(ProxyTransport.Datagram, parsed.Transport);
        Assert.Equal(s_payload, datagram[payloadOffset..]);
        Assert.True(parsed.GetTlvs(datagram).TryGetAuthority(out ReadOnlySpan<byte> authority));
        Assert.Equal("dns", Encoding.ASCII.GetString(authority));
    }

    [Fact]
    public void Parse_and_write_allocate_nothing()
    {
        ProxyHeader header = ProxyHeader.CreateProxy(HeaderVectors.Ep("2001:db8::1", 1), HeaderVectors.Ep("2001:db8::2", 2), ProxyTransport.Datagram);
        byte[] datagram = new byte[256];
        int parsedLength = 0;
        for (int i = 0; i < 2; i++)
        {
            // First pass warms up; the second is measured.
            long before = GC.GetAllocatedBytesForCurrentThread();
            ProxyDatagram.Write(header, default, s_payload, datagram, out int written);
            ProxyDatagram.TryParse(datagram.AsSpan(0, written), out ProxyHeader parsed, out int offset);
            parsedLength = parsed.Length + offset;
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (i == 1)
            {
                Assert.Equal(0, allocated);
            }
        }

        Assert.Equal(2 * (16 + 36), parsedLength);
    }

    [Theory]
    [MemberData(nameof(Loopback.Addresses), MemberType = typeof(Loopback))]
    public async Task Datagrams_over_loopback_are_parsed_one_by_one(string address)
    {
        // UDP-01: each datagram carries its own header; a bad one in the middle does not disturb the next.
        IPAddress loopback = IPAddress.Parse(address);
        using var receiver = new Socket(loopback.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        receiver.Bind(new IPEndPoint(loopback, 0));
        using var sender = new Socket(loopback.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        sender.Bind(new IPEndPoint(loopback, 0));
        EndPoint target = receiver.LocalEndPoint!;

        ProxyHeader first = ProxyHeader.CreateProxy(HeaderVectors.Ep("192.0.2.1", 1111), HeaderVectors.Ep("192.0.2.2", 53), ProxyTransport.Datagram);
        ProxyHeader second = ProxyHeader.CreateProxy(HeaderVectors.Ep("2001:db8::9", 2222), HeaderVectors.Ep("2001:db8::a", 53), ProxyTransport.Datagram);
        byte[] tlvs = [(byte)ProxyTlvType.UniqueId, 0, 2, (byte)'i', (byte)'d'];

        Assert.Equal(16 + 12 + 1, await sender.SendProxyDatagramAsync(first, "1"u8, target));
        await sender.SendToAsync(Encoding.ASCII.GetBytes("PROXY TCP4 1.1.1.1 2.2.2.2 1 2\r\nx"), target);
        await sender.SendProxyDatagramAsync(second, "second payload"u8, target, tlvs);

        byte[] buffer = new byte[65536];
        EndPoint any = new IPEndPoint(address == "::1" ? IPAddress.IPv6Any : IPAddress.Any, 0);

        ProxyDatagramReceiveResult one = await receiver.ReceiveProxyDatagramAsync(buffer, any).AsTask().WaitAsync(Loopback.Timeout);
        Assert.True(one.IsValid);
        Assert.Equal(first, one.Header);
        Assert.Equal(16 + 12, one.PayloadOffset);
        Assert.Equal("1", Encoding.ASCII.GetString(one.GetPayload(buffer).Span));
        Assert.Equal(sender.LocalEndPoint, one.RemoteEndPoint);

        ProxyDatagramReceiveResult two = await receiver.ReceiveProxyDatagramAsync(buffer, any).AsTask().WaitAsync(Loopback.Timeout);
        Assert.False(two.IsValid);
        Assert.Equal(ProxyHeaderError.VersionNotAllowed, two.Error);
        Assert.Equal(0, two.PayloadLength);

        ProxyDatagramReceiveResult three = await receiver.ReceiveProxyDatagramAsync(buffer, any).AsTask().WaitAsync(Loopback.Timeout);
        Assert.True(three.IsValid);
        Assert.Equal(second, three.Header);
        Assert.Equal(16 + 36 + tlvs.Length, three.PayloadOffset);
        Assert.Equal("second payload", Encoding.ASCII.GetString(three.GetPayload(buffer).Span));
        Assert.True(three.GetTlvs(buffer).TryGetUniqueId(out ReadOnlySpan<byte> id));
        Assert.Equal("id", Encoding.ASCII.GetString(id));
    }

    private static byte[] Datagram(string kind) => kind switch
    {
        "garbage" => "hello"u8.ToArray(),
        "truncated" => HeaderVectors.Header("v2-ipv4-udp")[..20],
        "empty" => [],
        "bad-crc" => Corrupt(HeaderVectors.Header("v2-ipv6-tlvs-crc")),
        _ => [.. HeaderVectors.Header(kind), .. s_payload],
    };

    private static byte[] Corrupt(byte[] header)
    {
        byte[] copy = [.. header, .. s_payload];
        copy[16] ^= 0xFF; // first byte of the source address: covered by the CRC, not by any length
        return copy;
    }
}
