using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using ProxyProtocol.Tests.Infrastructure;

namespace ProxyProtocol.Tests.Properties;

/// <summary>A header case whose TLVs always include a CRC32C TLV.</summary>
public sealed class CrcProtectedCase(HeaderCase value)
{
    public HeaderCase Value => value;

    public override string ToString() => value.ToString();
}

/// <summary>Bytes that start like a header (or are a valid header with a few bytes changed), then go anywhere.</summary>
public sealed class HeaderLikeInput(byte[] bytes, string origin)
{
    public byte[] Bytes => bytes;

    public override string ToString() => $"{origin}: {Hex.Format(bytes)}";
}

/// <summary>The FsCheck arbitraries of the property tests: <c>[Property(Arbitrary = new[] { typeof(ProxyArbitraries) })]</c>.</summary>
public static class ProxyArbitraries
{
    public static Arbitrary<HeaderCase> HeaderCases() => Arb.From(Generators.HeaderCase);

    public static Arbitrary<CrcProtectedCase> CrcProtectedCases() => Arb.From(Generators.CrcProtectedCase);

    public static Arbitrary<HeaderLikeInput> HeaderLikeInputs() => Arb.From(Generators.HeaderLikeInput);
}

/// <summary>Custom generators for headers, TLVs and header-like garbage.</summary>
internal static class Generators
{
    public static readonly Gen<byte> Byte = Gen.Choose(0, 255).Select(i => (byte)i);

    public static readonly Gen<int> Seed = Gen.Choose(0, int.MaxValue);

    private static readonly Gen<ushort> s_port = Gen.Frequency(
        (1, Gen.Elements<ushort>(0, 1, 80, 443, 65535)),
        (3, Gen.Choose(0, 65535).Select(i => (ushort)i)));

    private static readonly Gen<byte[]> s_ipv4 = Gen.Frequency(
        (4, Gen.ArrayOf(Byte, 4)),
        (1, Gen.Elements(new byte[4], [255, 255, 255, 255], [127, 0, 0, 1], [10, 0, 0, 1])));

    // Groups biased to zero so "::" compression is exercised, including ties and runs at both ends.
    private static readonly Gen<int> s_group = Gen.Frequency(
        (5, Gen.Constant(0)),
        (1, Gen.Constant(0xFFFF)),
        (2, Gen.Choose(1, 0xF)),
        (3, Gen.Choose(0, 0xFFFF)));

    private static readonly Gen<byte[]> s_ipv6 = Gen.Frequency(
        (6, Gen.ArrayOf(s_group, 8).Select(groups => groups.SelectMany(g => new[] { (byte)(g >> 8), (byte)g }).ToArray())),
        (1, s_ipv4.Select(v4 => Hex.Concat(new byte[10], [0xFF, 0xFF], v4))), // v4-mapped
        (1, Gen.Elements(new byte[16], IPAddress.IPv6Loopback.GetAddressBytes())));

    private static readonly Gen<ProxyTransport> s_transport = Gen.Elements(ProxyTransport.Stream, ProxyTransport.Datagram);

    private static readonly Gen<ProxyHeader> s_ipHeader =
        from sourceIsV6 in Gen.Frequency((1, Gen.Constant(false)), (1, Gen.Constant(true)))
        from destinationIsV6 in Gen.Frequency((3, Gen.Constant(sourceIsV6)), (1, Gen.Constant(!sourceIsV6)))
        from source in sourceIsV6 ? s_ipv6 : s_ipv4
        from destination in destinationIsV6 ? s_ipv6 : s_ipv4
        from sourcePort in s_port
        from destinationPort in s_port
        from transport in Gen.Frequency((3, Gen.Constant(ProxyTransport.Stream)), (1, Gen.Constant(ProxyTransport.Datagram)))
        select ProxyHeader.CreateProxy(new IPEndPoint(new IPAddress(source), sourcePort), new IPEndPoint(new IPAddress(destination), destinationPort), transport);

    private static readonly Gen<ProxyHeader> s_unixHeader =
        from source in Bytes(0, 108)
        from destination in Bytes(0, 108)
        from transport in s_transport
        select ProxyHeader.CreateUnix(source, destination, transport);

    // LOCAL with an address block, as AWS NLB health checks send (SEM-02); only the internal constructor makes one.
    private static readonly Gen<ProxyHeader> s_localWithAddresses =
        from family in Gen.Elements(ProxyAddressFamily.InterNetwork, ProxyAddressFamily.InterNetworkV6, ProxyAddressFamily.Unix)
        from transport in s_transport
        from source in Gen.ArrayOf(Byte, ProxyHeader.GetAddressSlotLength(family))
        from destination in Gen.ArrayOf(Byte, ProxyHeader.GetAddressSlotLength(family))
        from sourcePort in s_port
        from destinationPort in s_port
        let ports = family != ProxyAddressFamily.Unix
        select new ProxyHeader(ProxyVersion.V2, ProxyCommand.Local, family, transport, source, destination,
            ports ? sourcePort : (ushort)0, ports ? destinationPort : (ushort)0, 0, 0, 0);

    private static readonly Gen<ProxyHeader> s_v2Header = Gen.Frequency(
        (6, s_ipHeader),
        (2, s_unixHeader),
        (1, Gen.Fresh(ProxyHeader.CreateLocal)),
        (1, Gen.Fresh(ProxyHeader.CreateUnknown)),
        (1, s_localWithAddresses));

    private static readonly Gen<ProxyTlvType> s_plainType = Gen.Frequency(
        (4, Gen.Elements(ProxyTlvType.Alpn, ProxyTlvType.Authority, ProxyTlvType.UniqueId, ProxyTlvType.NetworkNamespace, ProxyTlvType.Noop)),
        (1, Gen.Elements(ProxyTlvType.Aws, ProxyTlvType.Azure, ProxyTlvType.Gcp)),
        (3, Byte.Where(b => b is not ((byte)ProxyTlvType.Crc32c or (byte)ProxyTlvType.Ssl)).Select(b => (ProxyTlvType)b)));

    private static readonly Gen<byte[]> s_value = Gen.Frequency(
        (8, Bytes(0, 24)),
        (1, Bytes(100, 700))); // over the 512-byte stack copy of multi-segment parsing

    private static readonly Gen<TlvCase> s_plainTlv =
        from type in s_plainType
        from value in type == ProxyTlvType.UniqueId ? Bytes(0, 128) : s_value
        select (TlvCase)new PlainTlv(type, value);

    private static readonly Gen<string> s_hostName = Gen.Elements("example.com", "bücher.example", "xn--bcher-kva.example", "localhost", "", "a.b.c.d.e.f.g.h.example");

    private static readonly Gen<string> s_endpointId =
        from length in Gen.Choose(0, 30)
        from chars in Gen.ArrayOf(Gen.Elements("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-".ToCharArray()), length)
        select new string(chars);

    private static readonly Gen<uint> s_uint = from high in Gen.Choose(0, 0xFFFF) from low in Gen.Choose(0, 0xFFFF) select ((uint)high << 16) | (uint)low;

    private static readonly Gen<ulong> s_ulong = from high in s_uint from low in s_uint select ((ulong)high << 32) | low;

    private static readonly Gen<(ProxyTlvType, byte[])> s_subTlv =
        from type in Gen.Frequency(
            (4, Gen.Choose(0x21, 0x28).Select(b => (ProxyTlvType)b)),
            (1, Byte.Select(b => (ProxyTlvType)b)))
        from value in Bytes(0, 30)
        select (type, value);

    private static readonly Gen<TlvCase> s_sslTlv =
        from client in Gen.Frequency((3, Gen.Choose(0, 7)), (1, Gen.Choose(0, 255)))
        from verify in Gen.Frequency((3, Gen.Constant(0u)), (1, s_uint))
        from count in Gen.Choose(0, 5)
        from subTlvs in Gen.ListOf(s_subTlv, count)
        select (TlvCase)new SslTlv((ProxySslClientFlags)client, verify, subTlvs.ToArray());

    private static readonly Gen<TlvCase> s_tlv = Gen.Frequency(
        (6, s_plainTlv),
        (2, s_sslTlv),
        (1, s_hostName.Select(h => (TlvCase)new AuthorityStringTlv(h))),
        (1, Gen.Choose(0, 10).Select(n => (TlvCase)new NoopTlv(n))),
        (1, s_endpointId.Select(id => (TlvCase)new AwsTlv(id))),
        (1, s_uint.Select(id => (TlvCase)new AzureTlv(id))),
        (1, s_ulong.Select(id => (TlvCase)new GcpTlv(id))));

    private static readonly Gen<int> s_alignment = Gen.Elements(0, 0, 0, 1, 2, 3, 4, 8, 16, 32);

    public static readonly Gen<HeaderCase> V2Case =
        from header in s_v2Header
        from count in Gen.Choose(0, 6)
        from tlvs in Gen.ListOf(s_tlv, count)
        from withCrc in Gen.Frequency((2, Gen.Constant(false)), (1, Gen.Constant(true)))
        from crcPosition in Gen.Choose(0, count)
        from alignment in s_alignment
        from useBuilder in Gen.Elements(true, false)
        from seed in Seed
        select new HeaderCase(ProxyVersion.V2, header, WithCrc(tlvs, withCrc, crcPosition), alignment, useBuilder, seed);

    public static readonly Gen<HeaderCase> V1Case =
        from header in Gen.Frequency((6, s_ipHeader.Select(h => h.Transport == ProxyTransport.Stream ? h : ProxyHeader.CreateProxy(
            (IPEndPoint)h.GetSourceEndPoint()!, (IPEndPoint)h.GetDestinationEndPoint()!))), (1, s_v2Header))
        from seed in Seed
        select new HeaderCase(ProxyVersion.V1, header, [], 0, false, seed);

    public static readonly Gen<HeaderCase> HeaderCase = Gen.Frequency((2, V2Case), (1, V1Case));

    public static readonly Gen<CrcProtectedCase> CrcProtectedCase =
        from header in s_v2Header
        from count in Gen.Choose(0, 5)
        from tlvs in Gen.ListOf(s_tlv, count)
        from crcPosition in Gen.Choose(0, count)
        from alignment in s_alignment
        from useBuilder in Gen.Elements(true, false)
        from seed in Seed
        select new CrcProtectedCase(new HeaderCase(ProxyVersion.V2, header, WithCrc(tlvs, true, crcPosition), alignment, useBuilder, seed));

    // ---- header-like garbage ------------------------------------------------------------------------

    private static readonly Gen<byte[]> s_v1Alphabet =
        from length in Gen.Choose(0, 130)
        from chars in Gen.ArrayOf(Gen.Frequency(
            (6, Gen.Elements("0123456789".ToCharArray())),
            (3, Gen.Elements(".:".ToCharArray())),
            (2, Gen.Elements("abcdefABCDEF".ToCharArray())),
            (2, Gen.Constant(' ')),
            (1, Gen.Elements('\r', '\n', '\t', '\0', '+', '-', '%', '[', 'x'))), length)
        select Encoding.ASCII.GetBytes(chars);

    private static readonly Gen<byte[]> s_v1Prefix = Gen.Elements(
        "P", "PROXY", "PROXY ", "PROXY TCP4 ", "PROXY TCP6 ", "PROXY UNKNOWN", "PROXY UNKNOWN ", "PROXY TCP4 192.168.0.1 ",
        "PROXY TCP6 ::1 ", "PROXY TCP4 1.2.3.4 5.6.7.8 ", "PROXY TCP6 2001:db8::1 ::1 80 ").Select(Encoding.ASCII.GetBytes);

    // A TLV whose length field sometimes lies by a few bytes.
    private static readonly Gen<byte[]> s_tlvLike =
        from type in Gen.Elements<byte>(0x01, 0x02, 0x03, 0x04, 0x05, 0x20, 0x21, 0xEA, 0xEE, 0xE0, 0xFF)
        from length in Gen.Choose(0, 12)
        from value in Gen.ArrayOf(Byte, length)
        from lie in Gen.Frequency((5, Gen.Constant(0)), (1, Gen.Choose(-3, 3)))
        select Hex.Concat([type, 0, (byte)Math.Max(0, length + lie)], value);

    private static readonly Gen<byte[]> s_tlvRun =
        from count in Gen.Choose(0, 5)
        from items in Gen.ListOf(s_tlvLike, count)
        select Hex.Concat([.. items]);

    // A v2 fixed part with a valid version, any command, family and transport nibble mostly valid,
    // and a length that usually fits the generated body, so TLV validation is reached.
    private static readonly Gen<byte[]> s_v2Structured =
        from command in Gen.Frequency((6, Gen.Elements<byte>(0x20, 0x21)), (1, Byte))
        from family in Gen.Frequency((6, Gen.Elements<byte>(0x00, 0x11, 0x12, 0x21, 0x22, 0x31, 0x32)), (1, Byte))
        from block in Gen.Elements(0, 12, 36, 216)
        from tlvs in Gen.Frequency((2, Bytes(0, 60)), (3, s_tlvRun))
        from lengthLie in Gen.Frequency((6, Gen.Constant(0)), (1, Gen.Choose(-20, 20)), (1, Gen.Choose(0, 0xFFFF)))
        from addresses in Gen.ArrayOf(Byte, block)
        let body = Hex.Concat(addresses, tlvs)
        let length = Math.Clamp(lengthLie > 20 ? lengthLie : body.Length + lengthLie, 0, 0xFFFF)
        select Hex.Concat(Vectors.TestVectors.Signature, [command, family, (byte)(length >> 8), (byte)length], body);

    private static readonly Gen<HeaderLikeInput> s_mutatedHeader =
        from c in HeaderCase
        from changes in Gen.Choose(1, 3)
        from positions in Gen.ArrayOf(Gen.Choose(0, int.MaxValue), changes)
        from values in Gen.ArrayOf(Byte, changes)
        from cut in Gen.Frequency((2, Gen.Constant(-1)), (1, Gen.Choose(0, int.MaxValue)))
        from tail in Bytes(0, 20)
        select Mutate(c.Write(), positions, values, cut, tail);

    // Accepted v1 lines: a written TCP4/TCP6/UNKNOWN line (with application data after it, sometimes), and the
    // long UNKNOWN form with any printable text before the CRLF (V1-10, QUIRK-01).
    private static readonly Gen<HeaderLikeInput> s_acceptedV1 = Gen.Frequency(
        (2, from c in V1Case from tail in Bytes(0, 20) select new HeaderLikeInput(Hex.Concat(c.Write(), tail), "v1 written")),
        (1, from length in Gen.Choose(0, 90)
            from chars in Gen.ArrayOf(Gen.Choose(0x20, 0x7E).Select(c => (char)c), length)
            from tail in Bytes(0, 10)
            select new HeaderLikeInput(Hex.Concat(Encoding.ASCII.GetBytes("PROXY UNKNOWN" + (length == 0 ? "" : " " + new string(chars)) + "\r\n"), tail), "v1 UNKNOWN long form")));

    public static readonly Gen<HeaderLikeInput> HeaderLikeInput = Gen.Frequency(
        (2, s_acceptedV1),
        (2, from prefix in s_v1Prefix from rest in s_v1Alphabet select new HeaderLikeInput(Hex.Concat(prefix, rest), "v1 prefix")),
        (1, from prefix in s_v1Prefix from rest in Bytes(0, 120) select new HeaderLikeInput(Hex.Concat(prefix, rest), "v1 prefix, random")),
        (3, s_v2Structured.Select(b => new HeaderLikeInput(b, "v2 structured"))),
        (1, from rest in Bytes(0, 60) select new HeaderLikeInput(Hex.Concat(Vectors.TestVectors.Signature, rest), "v2 signature, random")),
        (3, s_mutatedHeader),
        (1, Bytes(0, 64).Select(b => new HeaderLikeInput(b, "random"))));

    public static Gen<byte[]> Bytes(int min, int max) =>
        from length in Gen.Choose(min, max)
        from bytes in Gen.ArrayOf(Byte, length)
        select bytes;

    private static List<TlvCase> WithCrc(IEnumerable<TlvCase> tlvs, bool withCrc, int position)
    {
        List<TlvCase> list = tlvs.ToList();
        if (withCrc)
        {
            list.Insert(Math.Min(position, list.Count), new CrcTlv());
        }

        return list;
    }

    private static HeaderLikeInput Mutate(byte[] header, int[] positions, byte[] values, int cut, byte[] tail)
    {
        byte[] bytes = (byte[])header.Clone();
        for (int i = 0; i < positions.Length; i++)
        {
            bytes[positions[i] % bytes.Length] = values[i];
        }

        if (cut >= 0)
        {
            bytes = bytes.AsSpan(0, cut % (bytes.Length + 1)).ToArray();
        }

        return new HeaderLikeInput(Hex.Concat(bytes, tail), "mutated header");
    }
}
