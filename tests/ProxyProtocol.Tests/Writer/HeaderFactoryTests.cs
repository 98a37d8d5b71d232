using System;
using System.Net;
using System.Net.Sockets;
using ProxyProtocol.Tests.Vectors;

namespace ProxyProtocol.Tests.Writer;

/// <summary>The <see cref="ProxyHeader"/> factories, equality and description.</summary>
public class HeaderFactoryTests
{
    [Fact]
    public void CreateProxy_keeps_addresses_and_ports()
    {
        ProxyHeader header = ProxyHeader.CreateProxy(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 1234), new IPEndPoint(IPAddress.Parse("198.51.100.2"), 443));

        Assert.Equal(ProxyVersion.V2, header.Version);
        Assert.Equal(ProxyCommand.Proxy, header.Command);
        Assert.Equal(ProxyAddressFamily.InterNetwork, header.AddressFamily);
        Assert.Equal(ProxyTransport.Stream, header.Transport);
        Assert.Equal(0, header.Length);
        Assert.Equal([192, 0, 2, 1], header.SourceAddress.ToArray());
        Assert.Equal(1234, header.SourcePort);
        Assert.Equal(IPAddress.Parse("198.51.100.2"), header.GetDestinationIPAddress());
        Assert.Equal("PROXY TCP4 192.0.2.1:1234 -> 198.51.100.2:443 (v2)", header.ToString());
    }

    // TX-03: mixed families give IPv6 with the IPv4 side v4-mapped; IPv6 scope ids cannot be carried.
    [Fact]
    public void TX_03_CreateProxy_maps_IPv4_into_IPv6_for_mixed_families()
    {
        IPAddress scoped = IPAddress.Parse("fe80::1%3");
        ProxyHeader header = ProxyHeader.CreateProxy(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 1), new IPEndPoint(scoped, 2), ProxyTransport.Datagram);

        Assert.Equal(ProxyAddressFamily.InterNetworkV6, header.AddressFamily);
        Assert.Equal(ProxyTransport.Datagram, header.Transport);
        Assert.Equal(IPAddress.Parse("::ffff:192.0.2.1"), header.GetSourceIPAddress());
        Assert.Equal(IPAddress.Parse("fe80::1"), header.GetDestinationIPAddress());
        Assert.Equal(0, header.GetDestinationIPAddress()!.ScopeId);
        Assert.Equal("PROXY UDP6 [::ffff:192.0.2.1]:1 -> [fe80::1]:2 (v2)", header.ToString());
    }

    [Fact]
    public void CreateProxy_rejects_bad_arguments()
    {
        IPEndPoint endPoint = new(IPAddress.Loopback, 1);

        Assert.Throws<ArgumentNullException>(() => ProxyHeader.CreateProxy(null!, endPoint));
        Assert.Throws<ArgumentNullException>(() => ProxyHeader.CreateProxy(endPoint, null!));
        Assert.Throws<ArgumentException>(() => ProxyHeader.CreateProxy(endPoint, endPoint, ProxyTransport.Unspecified));
        Assert.Throws<ArgumentException>(() => ProxyHeader.CreateProxy(endPoint, endPoint, (ProxyTransport)3));
    }

    // V2-06: Unix paths up to 108 bytes, given as UTF-8 bytes or as strings.
    [Fact]
    public void CreateUnix_accepts_paths_up_to_108_bytes()
    {
        string longest = new('p', 108);
        ProxyHeader header = ProxyHeader.CreateUnix(longest, "/run/ü.sock", ProxyTransport.Datagram);

        Assert.Equal(ProxyAddressFamily.Unix, header.AddressFamily);
        Assert.Equal(ProxyTransport.Datagram, header.Transport);
        Assert.Equal(longest, header.GetSourceEndPoint()!.ToString());
        Assert.Equal("/run/ü.sock", header.GetDestinationEndPoint()!.ToString());
        Assert.Equal("PROXY UNIX-DGRAM " + longest + " -> /run/ü.sock (v2)", header.ToString());
        Assert.Equal(header, ProxyHeader.CreateUnix(System.Text.Encoding.UTF8.GetBytes(longest), System.Text.Encoding.UTF8.GetBytes("/run/ü.sock"), ProxyTransport.Datagram));
    }

    [Fact]
    public void CreateUnix_rejects_bad_arguments()
    {
        Assert.Throws<ArgumentException>(() => ProxyHeader.CreateUnix(new string('p', 109), "b"));
        Assert.Throws<ArgumentException>(() => ProxyHeader.CreateUnix("a", new string('ü', 55))); // 110 bytes in UTF-8
        Assert.Throws<ArgumentException>(() => ProxyHeader.CreateUnix(new byte[109], new byte[1]));
        Assert.Throws<ArgumentException>(() => ProxyHeader.CreateUnix(new byte[1], new byte[109]));
        Assert.Throws<ArgumentException>(() => ProxyHeader.CreateUnix("a", "b", ProxyTransport.Unspecified));
        Assert.Throws<ArgumentNullException>(() => ProxyHeader.CreateUnix(null!, "b"));
        Assert.Throws<ArgumentNullException>(() => ProxyHeader.CreateUnix("a", null!));
    }

    // V2-06: an abstract socket's name starts with NUL on the wire, although UnixDomainSocketEndPoint
    // shows it as "@name"; it survives a write and a parse.
    [Fact]
    public void Create_keeps_the_leading_NUL_of_an_abstract_Unix_socket()
    {
        UnixDomainSocketEndPoint client = new("\0client");
        UnixDomainSocketEndPoint server = new("/run/server.sock");
        ProxyHeader header = ProxyHeader.Create(client, server);

        Assert.Equal("@client", client.ToString());
        Assert.Equal(TestVectors.UnixPath("\0client"), header.SourceAddress.ToArray());
        Assert.Equal(TestVectors.UnixPath("/run/server.sock"), header.DestinationAddress.ToArray());

        byte[] written = WriterV2Tests.WriteV2(header);
        ProxyHeader parsed = ProxyHeader.Parse(written, out _);
        Assert.Equal(header, parsed);
        Assert.Equal(client, parsed.GetSourceEndPoint(written));
        Assert.Equal(server, parsed.GetDestinationEndPoint(written));
    }

    // TX-04: Create picks the header kind from the endpoint types; non-IP, non-Unix endpoints give LOCAL.
    [Fact]
    public void TX_04_Create_picks_the_header_from_the_endpoints()
    {
        IPEndPoint ip = new(IPAddress.Loopback, 80);
        UnixDomainSocketEndPoint unix = new("/run/x.sock");

        Assert.Equal(ProxyHeader.CreateProxy(ip, ip), ProxyHeader.Create(ip, ip));
        Assert.Equal(ProxyHeader.CreateUnix("/run/x.sock", "/run/x.sock"), ProxyHeader.Create(unix, unix));
        Assert.Equal(ProxyHeader.CreateLocal(), ProxyHeader.Create(ip, unix));
        Assert.Equal(ProxyHeader.CreateLocal(), ProxyHeader.Create(new DnsEndPoint("example.com", 80), ip));
        Assert.Equal(ProxyHeader.CreateLocal(), ProxyHeader.Create(null, ip));
        Assert.Equal(ProxyTransport.Datagram, ProxyHeader.Create(ip, ip, ProxyTransport.Datagram).Transport);
    }

    // Equality is about the connection, not the wire form: the same connection from v1, v2, and a factory.
    [Fact]
    public void Equality_ignores_version_length_and_TLVs()
    {
        ProxyHeader v1 = ProxyHeader.Parse(TestVectors.Get(TestVectors.SpecV1Tcp4WithRequest).Bytes, out _);
        ProxyHeader v2 = ProxyHeader.Parse(TestVectors.Get(TestVectors.GoldenV2Tcp4Crc).Bytes, out _);
        ProxyHeader created = ProxyHeader.CreateProxy(new IPEndPoint(IPAddress.Parse("192.168.0.1"), 56324), new IPEndPoint(IPAddress.Parse("192.168.0.11"), 443));

        Assert.True(v1 == v2);
        Assert.True(v2.Equals(created));
        Assert.True(v1.Equals((object)created));
        Assert.False(v1.Equals("header"));
        Assert.Equal(v1.GetHashCode(), v2.GetHashCode());
        Assert.Equal(v1.GetHashCode(), created.GetHashCode());
        Assert.NotEqual(v1.Version, v2.Version);
        Assert.NotEqual(v1.Length, v2.Length);

        ProxyHeader otherPort = ProxyHeader.CreateProxy(new IPEndPoint(IPAddress.Parse("192.168.0.1"), 56325), new IPEndPoint(IPAddress.Parse("192.168.0.11"), 443));
        Assert.True(v1 != otherPort);
        Assert.NotEqual(ProxyHeader.CreateLocal(), ProxyHeader.CreateUnknown());
        Assert.Equal(default, ProxyHeader.CreateLocal());
    }

    // SEM-01: the same addresses under LOCAL and PROXY are different headers, and only PROXY has endpoints.
    [Fact]
    public void SEM_01_LOCAL_with_addresses_differs_from_PROXY()
    {
        ProxyHeader local = ProxyHeader.Parse(TestVectors.Get(TestVectors.V2LocalWithInetBlock).Bytes, out _);
        ProxyHeader proxy = ProxyHeader.Parse(TestVectors.V2(0x21, 0x11, local.SourceAddress.ToArray(), local.DestinationAddress.ToArray(), [0x12, 0x34, 0x00, 0x50]), out _);

        Assert.NotEqual(local, proxy);
        Assert.False(local.HasAddresses);
        Assert.True(proxy.HasAddresses);
        Assert.Null(local.GetDestinationEndPoint());
        Assert.Equal("10.0.0.2:80", proxy.GetDestinationEndPoint()!.ToString());
    }
}
