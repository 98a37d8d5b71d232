using System;
using System.Buffers;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Text;

namespace ProxyProtocol.Tests.Adapters;

/// <summary>Headers of every shape the adapters must carry, each followed by the same tricky payload.</summary>
internal static class HeaderVectors
{
    /// <summary>
    /// Application bytes after the header. They start with CRLF and contain "PROXY" and a NUL, so a reader
    /// that looks past the header, or parses twice, gets them wrong.
    /// </summary>
    public static readonly byte[] Payload = [.. "\r\nPROXY TCP4 1.1.1.1 2.2.2.2 1 2\r\n"u8, 0x00, 0x0D, 0x0A, .. "220 end"u8];

    private static readonly Dictionary<string, byte[]> s_headers = new()
    {
        ["v1-tcp4"] = Ascii("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n"),
        ["v1-tcp4-shortest"] = Ascii("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n"),
        ["v1-tcp6"] = Ascii("PROXY TCP6 2001:db8::1 2001:db8:ffff::abcd 65535 1\r\n"),
        ["v1-tcp6-shortest"] = Ascii("PROXY TCP6 :: :: 1 2\r\n"),
        ["v1-tcp6-longest"] = Ascii("PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n"),
        ["v1-unknown"] = Ascii("PROXY UNKNOWN\r\n"),
        ["v1-unknown-with-fields"] = Ascii("PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n"),
        ["v2-ipv4"] = V2(ProxyHeader.CreateProxy(Ep("192.168.0.1", 56324), Ep("192.168.0.11", 443)), withTlvs: false),
        ["v2-ipv6-tlvs-crc"] = V2(ProxyHeader.CreateProxy(Ep("2001:db8::1", 1234), Ep("2001:db8::2", 443)), withTlvs: true),
        ["v2-ipv4-udp"] = V2(ProxyHeader.CreateProxy(Ep("10.0.0.1", 53), Ep("10.0.0.2", 5353), ProxyTransport.Datagram), withTlvs: false),
        ["v2-unix"] = V2(ProxyHeader.CreateUnix("/run/src.sock", "/run/dst.sock"), withTlvs: false),
        ["v2-local"] = V2(ProxyHeader.CreateLocal(), withTlvs: false),
        ["v2-large-tlvs"] = V2Large(),
    };

    /// <summary>Every vector's name.</summary>
    public static IEnumerable<string> Names => s_headers.Keys;

    /// <summary>The vectors the (slower) loopback tests run: both versions, both families, TLVs.</summary>
    public static readonly string[] SocketNames = ["v1-tcp4", "v1-tcp6", "v1-unknown", "v2-ipv4", "v2-ipv6-tlvs-crc"];

    public static TheoryData<string> All => new(Names);

    public static TheoryData<string> ForSockets => new(SocketNames);

    public static byte[] Header(string name) => s_headers[name];

    public static byte[] HeaderAndPayload(string name) => [.. s_headers[name], .. Payload];

    /// <summary>The header as the core parser sees it, to compare adapter results with.</summary>
    public static ProxyHeader Expected(string name)
    {
        byte[] bytes = s_headers[name];
        Assert.Equal(OperationStatus.Done, ProxyHeaderParser.Parse(bytes, out ProxyHeader header, out int consumed, out ProxyHeaderError error));
        Assert.Equal(ProxyHeaderError.None, error);
        Assert.Equal(bytes.Length, consumed);
        return header;
    }

    /// <summary>Checks an adapter's result against the vector: connection info, version, length and TLV bytes.</summary>
    public static void AssertMatches(string name, in ReceivedProxyHeader received)
    {
        byte[] bytes = s_headers[name];
        ProxyHeader expected = Expected(name);
        Assert.Equal(expected, received.Header);
        Assert.Equal(expected.Version, received.Header.Version);
        Assert.Equal(bytes.Length, received.Header.Length);
        Assert.Equal(bytes.AsSpan(expected.TlvOffset, expected.TlvLength).ToArray(), received.TlvBytes.ToArray());
    }

    public static IPEndPoint Ep(string address, int port) => new(IPAddress.Parse(address), port);

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    private static byte[] V2(ProxyHeader header, bool withTlvs)
    {
        byte[] buffer = new byte[1024];
        var builder = new ProxyV2HeaderBuilder(buffer, header);
        if (withTlvs)
        {
            builder.AddAlpn("h2"u8);
            builder.AddAuthority("example.com");
            builder.BeginSsl(ProxySslClientFlags.Ssl, 0);
            builder.AddSslVersion("TLSv1.3"u8);
            builder.EndSsl();
            builder.AddUniqueId("conn-0001"u8);
            builder.AddCrc32c();
        }

        Assert.Equal(OperationStatus.Done, builder.Complete(out int length));
        return buffer.AsSpan(0, length).ToArray();
    }

    private static byte[] V2Large()
    {
        // Larger than the adapters' first buffers (256 and 512 bytes): exercises growing them.
        byte[] buffer = new byte[4096];
        var builder = new ProxyV2HeaderBuilder(buffer, ProxyHeader.CreateProxy(Ep("2001:db8::7", 7), Ep("2001:db8::8", 8)));
        builder.AddTlv((ProxyTlvType)0xE5, Enumerable.Range(0, 1500).Select(i => (byte)i).ToArray());
        builder.AddCrc32c();
        Assert.Equal(OperationStatus.Done, builder.Complete(out int length));
        return buffer.AsSpan(0, length).ToArray();
    }
}
