using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Text;
using FsCheck.Xunit;
using ProxyProtocol.Tests.Infrastructure;

namespace ProxyProtocol.Tests.Properties;

/// <summary>Write-then-parse over generated headers of every kind (FsCheck).</summary>
public class RoundTripProperties
{
    internal static ProxyParserOptions LargeHeaders { get; } = new() { MaxHeaderLength = ProxyParserOptions.MaxMaxHeaderLength };

    // V1-02..V1-07, V2-04..V2-08, SEM-01..04, TLV-03..06, SSL-01/02/05, CRC-02/03, TX-03/04/05, UDP-02:
    // any header written (v1, or v2 by the builder or the writer, with any TLV list, SSL sub-TLVs, CRC32C
    // and NOOP alignment) parses back to the same header and the same TLVs, from a span and from sequences.
    [Property(Arbitrary = new[] { typeof(ProxyArbitraries) }, MaxTest = 300)]
    public void Write_then_parse_gives_back_the_header_and_its_TLVs(HeaderCase c)
    {
        byte[] written = c.Write();
        Random random = new(c.Seed);

        ParseOutcome outcome = BufferShapes.ParseWhole(written, LargeHeaders);
        Assert.True(outcome.Status == OperationStatus.Done, $"{outcome} for {Hex.Format(written)}");
        BufferShapes.ParseSplit(written, random.Next(written.Length + 1), LargeHeaders);
        BufferShapes.Parse(written, BufferShape.BytePerSegment, LargeHeaders);
        BufferShapes.Parse(written, BufferShape.TrailingData, LargeHeaders);

        Assert.Equal(written.Length, outcome.BytesConsumed);
        Assert.Equal(c.Version, outcome.Header.Version);
        Assert.Equal(c.ExpectedHeader, outcome.Header);
        if (c.Version == ProxyVersion.V1)
        {
            AssertV1Text(outcome.Header, written);
            Assert.True(outcome.Tlvs.IsEmpty);
        }
        else
        {
            AssertTlvs(c, outcome, written);
        }
    }

    // V1-05, TX-03, QUIRK-03a: the TCP6 text is what IPAddress reads back, lowercase, v4-mapped addresses as
    // ::ffff:a.b.c.d, and otherwise RFC 5952 section 4 text, which is .NET's. .NET (and RFC 5952 section 5,
    // as a recommendation) also writes IPv4-compatible ::a.b.c.d and IPv4-translated ::ffff:0:a.b.c.d with a
    // dotted tail, and prints ::ffff:0.0.0.0 as ::ffff:0:0; the writer keeps those in hex groups.
    private static void AssertV1Text(in ProxyHeader header, byte[] written)
    {
        string[] fields = Encoding.ASCII.GetString(written).TrimEnd('\r', '\n').Split(' ');
        if (header.AddressFamily != ProxyAddressFamily.InterNetworkV6)
        {
            return;
        }

        foreach ((string text, IPAddress address) in new[] { (fields[2], header.GetSourceIPAddress()!), (fields[3], header.GetDestinationIPAddress()!) })
        {
            Assert.Equal(address, IPAddress.Parse(text));
            Assert.Equal(text.ToLowerInvariant(), text);
            byte[] bytes = address.GetAddressBytes();
            bool embeddedIPv4Prefix = bytes.AsSpan(0, 8).IndexOfAnyExcept((byte)0) < 0 &&
                (bytes.AsSpan(8, 4).IndexOfAnyExcept((byte)0) < 0 || (bytes[8] == 0xFF && bytes[9] == 0xFF && bytes[10] == 0 && bytes[11] == 0));
            if (address.IsIPv4MappedToIPv6)
            {
                Assert.Equal("::ffff:" + address.MapToIPv4(), text);
            }
            else if (!embeddedIPv4Prefix)
            {
                Assert.Equal(address.ToString(), text);
            }
        }
    }

    private static void AssertTlvs(HeaderCase c, ParseOutcome outcome, byte[] written)
    {
        IReadOnlyList<(ProxyTlvType Type, byte[] Value)> expected = c.ExpectedTlvs(written.Length);
        List<(ProxyTlvType Type, byte[] Value, int ValueOffset)> actual = [];
        int offset = outcome.Header.TlvOffset;
        ProxyTlvs.Enumerator enumerator = outcome.Tlvs.GetEnumerator();
        while (enumerator.MoveNext())
        {
            actual.Add((enumerator.Current.Type, enumerator.Current.Value.ToArray(), offset + 3));
            offset += 3 + enumerator.Current.Value.Length;
        }

        Assert.False(enumerator.IsMalformed);
        Assert.Equal(written.Length, offset == 0 ? written.Length : offset);
        Assert.Equal(expected.Count, actual.Count);
        int blockLength = ProxyHeaderWriter.GetV2Length(c.Header) - 16;
        Assert.Equal(expected.Count == 0 ? 0 : 16 + blockLength, outcome.Header.TlvOffset);
        Assert.Equal(written.Length - 16 - blockLength, outcome.Header.TlvLength);

        bool crcSeen = false;
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Type, actual[i].Type);
            if (expected[i].Type == ProxyTlvType.Crc32c && !crcSeen)
            {
                // CRC-02, CRC-03: the first CRC32C holds the reference CRC of the header with it zeroed, big-endian.
                crcSeen = true;
                byte[] zeroed = (byte[])written.Clone();
                Array.Clear(zeroed, actual[i].ValueOffset, 4);
                Assert.Equal(Crc32cReference.Compute(zeroed), BinaryPrimitives.ReadUInt32BigEndian(actual[i].Value));
                continue;
            }

            Assert.Equal(expected[i].Value, actual[i].Value);
        }

        AssertAccessors(c, outcome.Tlvs, actual);
    }

    // The typed accessors return the first TLV of their kind that is well formed, exactly as modelled here.
    private static void AssertAccessors(HeaderCase c, ProxyTlvs tlvs, List<(ProxyTlvType Type, byte[] Value, int ValueOffset)> actual)
    {
        AssertFirst(actual, ProxyTlvType.Alpn, tlvs.TryGetAlpn(out ReadOnlySpan<byte> alpn), alpn);
        AssertFirst(actual, ProxyTlvType.Authority, tlvs.TryGetAuthority(out ReadOnlySpan<byte> authority), authority);
        AssertFirst(actual, ProxyTlvType.UniqueId, tlvs.TryGetUniqueId(out ReadOnlySpan<byte> uniqueId), uniqueId);
        AssertFirst(actual, ProxyTlvType.NetworkNamespace, tlvs.TryGetNetworkNamespace(out ReadOnlySpan<byte> netns), netns);
        Assert.Equal(c.HasCrc, tlvs.TryGetCrc32c(out _));

        byte[]? aws = actual.Where(t => t.Type == ProxyTlvType.Aws && t.Value.Length >= 1 && t.Value[0] == 0x01 && t.Value.Skip(1).All(b => char.IsAsciiLetterOrDigit((char)b) || b == '-')).Select(t => t.Value[1..]).FirstOrDefault();
        Assert.Equal(aws is not null, tlvs.TryGetAwsVpcEndpointId(out ReadOnlySpan<byte> awsId));
        Assert.Equal(aws ?? [], awsId.ToArray());

        byte[]? azure = actual.Where(t => t.Type == ProxyTlvType.Azure && t.Value.Length == 5 && t.Value[0] == 0x01).Select(t => t.Value).FirstOrDefault();
        Assert.Equal(azure is not null, tlvs.TryGetAzureLinkId(out uint linkId));
        Assert.Equal(azure is null ? 0 : BinaryPrimitives.ReadUInt32LittleEndian(azure.AsSpan(1)), linkId);

        byte[]? gcp = actual.Where(t => t.Type == ProxyTlvType.Gcp && t.Value.Length == 8).Select(t => t.Value).FirstOrDefault();
        Assert.Equal(gcp is not null, tlvs.TryGetGcpPscConnectionId(out ulong connectionId));
        Assert.Equal(gcp is null ? 0 : BinaryPrimitives.ReadUInt64BigEndian(gcp), connectionId);

        SslTlv? ssl = c.Tlvs.OfType<SslTlv>().FirstOrDefault();
        bool sslIsFirst = ssl is not null && actual.First(t => t.Type == ProxyTlvType.Ssl).Value.SequenceEqual(ssl.Expected.Value);
        Assert.Equal(actual.Any(t => t.Type == ProxyTlvType.Ssl), tlvs.TryGetSsl(out ProxySslTlv parsedSsl));
        if (ssl is not null && sslIsFirst)
        {
            Assert.Equal(ssl.Client, parsedSsl.Client);
            Assert.Equal(ssl.Verify, parsedSsl.Verify);
            Assert.Equal(
                (ssl.Client & (ProxySslClientFlags.CertificateConnection | ProxySslClientFlags.CertificateSession)) != 0 && ssl.Verify == 0,
                parsedSsl.IsClientCertificateVerified);
            List<(ProxyTlvType, byte[])> subTlvs = [];
            foreach (ProxyTlv sub in parsedSsl.SubTlvs)
            {
                subTlvs.Add((sub.Type, sub.Value.ToArray()));
            }

            Assert.Equal(ssl.SubTlvs.Count, subTlvs.Count);
            for (int i = 0; i < subTlvs.Count; i++)
            {
                Assert.Equal(ssl.SubTlvs[i].Type, subTlvs[i].Item1);
                Assert.Equal(ssl.SubTlvs[i].Value, subTlvs[i].Item2);
            }

            byte[]? version = ssl.SubTlvs.Where(s => s.Type == ProxyTlvType.SslVersion).Select(s => s.Value).FirstOrDefault();
            Assert.Equal(version is not null, parsedSsl.TryGetVersion(out ReadOnlySpan<byte> parsedVersion));
            Assert.Equal(version ?? [], parsedVersion.ToArray());
            byte[]? certificate = ssl.SubTlvs.Where(s => s.Type == ProxyTlvType.SslClientCertificate).Select(s => s.Value).FirstOrDefault();
            Assert.Equal(certificate is not null, parsedSsl.TryGetClientCertificate(out ReadOnlySpan<byte> parsedCertificate));
            Assert.Equal(certificate ?? [], parsedCertificate.ToArray());
        }
    }

    private static void AssertFirst(List<(ProxyTlvType Type, byte[] Value, int ValueOffset)> actual, ProxyTlvType type, bool found, ReadOnlySpan<byte> value)
    {
        byte[]? first = actual.Where(t => t.Type == type).Select(t => t.Value).FirstOrDefault();
        Assert.Equal(first is not null, found);
        Assert.Equal(first ?? [], value.ToArray());
    }
}
