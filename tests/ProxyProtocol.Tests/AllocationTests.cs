using System;
using System.Buffers;
using System.Net;
using ProxyProtocol.Tests.Infrastructure;
using ProxyProtocol.Tests.Vectors;

namespace ProxyProtocol.Tests;

/// <summary>
/// Parse and write paths allocate nothing: measured with <see cref="GC.GetAllocatedBytesForCurrentThread"/>
/// around many calls, after a warm-up run of the very same code.
/// </summary>
public class AllocationTests
{
    private const int Iterations = 50;

    private static readonly byte[] s_v1 = TestVectors.Get(TestVectors.SpecV1Tcp6Max).Bytes;
    private static readonly byte[] s_v1Unknown = TestVectors.Get(TestVectors.SpecV1UnknownMax).Bytes;
    private static readonly byte[] s_v2Tls = TestVectors.Get(TestVectors.HaproxyTlsClientCertSniTcp6).Bytes;
    private static readonly byte[] s_v2Vendor = TestVectors.Get(TestVectors.GoldenV2Aws).Bytes;

    // Over the 512-byte stack copy of the multi-segment path: parsed through a pooled buffer.
    private static readonly byte[] s_v2Large = BuildLargeHeader();

    private static readonly ReadOnlySequence<byte> s_v1PerByte = Sequences.BytePerSegment(s_v1);
    private static readonly ReadOnlySequence<byte> s_v2Split = Sequences.Split(s_v2Tls, 5, 17, 100);
    private static readonly ReadOnlySequence<byte> s_v2LargeSplit = Sequences.Split(s_v2Large, 3, 600, 1500);
    private static readonly ReadOnlySequence<byte> s_v2Single = new(s_v2Tls);

    // Headers over several segments that fit the multi-segment path's inline stack copy.
    private static readonly ReadOnlySequence<byte> s_v2Tcp4Split = Sequences.Split(TestVectors.Get(TestVectors.GoldenV2Tcp4).Bytes, 10, 20);
    private static readonly ReadOnlySequence<byte> s_v1Split = Sequences.Split(s_v1, 16, 32, 100);

    private static readonly ProxyHeader s_ipv4 = ProxyHeader.CreateProxy(new IPEndPoint(IPAddress.Parse("192.168.0.1"), 56324), new IPEndPoint(IPAddress.Parse("192.168.0.11"), 443));
    private static readonly ProxyHeader s_ipv6 = ProxyHeader.CreateProxy(new IPEndPoint(IPAddress.Parse("2001:db8::1"), 1), new IPEndPoint(IPAddress.Parse("192.0.2.1"), 2));
    private static readonly ProxyHeader s_unix = ProxyHeader.CreateUnix("/run/a.sock", "/run/b.sock");
    private static readonly IPEndPoint s_source = new(IPAddress.Parse("10.0.0.1"), 1);
    private static readonly IPEndPoint s_destination = new(IPAddress.Parse("2001:db8::2"), 2);
    private static readonly byte[] s_tlvs = Hex.Concat(TestVectors.Tlv(0x01, "h2"), Hex.Parse("03 00 04 00 00 00 00"));

    [Fact]
    public void Parsing_spans_and_sequences_allocates_nothing()
    {
        long checksum = ParseAll();
        long before = GC.GetAllocatedBytesForCurrentThread();
        checksum += ParseAll();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(2 * Iterations * (104 + 107 + 255 + 54 + s_v2Large.Length + 104 + 255 + 255 + s_v2Large.Length + 28 + 104 + 8), checksum);
    }

    // A Unix header keeps a fingerprint of its paths, not a copy: parsing it and reading the path bytes back
    // from the parsed span allocate nothing either.
    [Fact]
    public void Parsing_a_Unix_header_and_reading_its_path_bytes_allocates_nothing()
    {
        long checksum = ParseUnix();
        long before = GC.GetAllocatedBytesForCurrentThread();
        checksum += ParseUnix();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(2 * Iterations * (232 + 232 + "/run/client.sock".Length), checksum);
    }

    [Fact]
    public void Reading_TLVs_allocates_nothing()
    {
        long checksum = ReadTlvs();
        long before = GC.GetAllocatedBytesForCurrentThread();
        checksum += ReadTlvs();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.True(checksum > 0);
    }

    [Fact]
    public void Writing_allocates_nothing()
    {
        byte[] buffer = new byte[1024];
        ArrayBufferWriter<byte> writer = new(4096);
        long checksum = WriteAll(buffer, writer);
        long before = GC.GetAllocatedBytesForCurrentThread();
        checksum += WriteAll(buffer, writer);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.True(checksum > 0);
        Assert.True(ProxyHeaderParser.TryParse(buffer, out _, out _)); // the last header built is valid
    }

    private static long ParseAll()
    {
        long sum = 0;
        for (int i = 0; i < Iterations; i++)
        {
            sum += Parse(s_v1);
            sum += Parse(s_v1Unknown);
            sum += Parse(s_v2Tls);
            sum += Parse(s_v2Vendor);
            sum += Parse(s_v2Large);
            sum += Parse(s_v1PerByte);
            sum += Parse(s_v2Split);
            sum += Parse(s_v2Single);
            sum += Parse(s_v2LargeSplit);
            sum += Parse(s_v2Tcp4Split);
            sum += Parse(s_v1Split);
            sum += ProxyHeaderParser.DetectVersion(s_v1PerByte, out ProxyVersion version) == OperationStatus.Done && version == ProxyVersion.V1 ? 1 : 0;
            sum += ProxyHeaderParser.DetectVersion(s_v2Tls, out version) == OperationStatus.Done && version == ProxyVersion.V2 ? 1 : 0;
            sum += ProxyHeaderParser.TryParse(s_v2Tls, out _, out int consumed) ? consumed - 255 + 1 : 0;
            sum += ProxyHeaderParser.Parse(s_v2Tls.AsSpan(0, 100), out _, out _, out _) == OperationStatus.NeedMoreData ? 1 : 0;
            sum += ProxyHeaderParser.Parse("GET /"u8, out _, out _, out _) == OperationStatus.InvalidData ? 1 : 0;
            sum += ProxyHeader.Parse(s_v2Vendor, out consumed).Length - consumed + 1;
            sum += ProxyHeaderParser.ParseV1(s_v1, default, out _, out _, out _) == OperationStatus.Done ? 1 : 0;
            sum += ProxyHeaderParser.ParseV2(s_v2Tls, default, out _, out _, out _) == OperationStatus.Done ? 1 : 0;
        }

        return sum;
    }

    private static readonly byte[] s_v2Unix = TestVectors.Get(TestVectors.V2UnixStream).Bytes;
    private static readonly ReadOnlySequence<byte> s_v2UnixSplit = Sequences.Split(s_v2Unix, 20, 130);

    private static long ParseUnix()
    {
        long sum = 0;
        for (int i = 0; i < Iterations; i++)
        {
            ProxyHeaderParser.Parse(s_v2Unix, out ProxyHeader header, out int consumed, out _);
            sum += consumed + Parse(s_v2UnixSplit);
            ReadOnlySpan<byte> path = header.GetSourceAddress(s_v2Unix);
            sum += path.IndexOf((byte)0);
        }

        return sum;
    }

    private static int Parse(ReadOnlySpan<byte> input) =>
        ProxyHeaderParser.Parse(input, out ProxyHeader header, out int consumed, out _) == OperationStatus.Done ? header.Length : -consumed - 1000;

    private static int Parse(in ReadOnlySequence<byte> input) =>
        ProxyHeaderParser.Parse(input, out ProxyHeader header, out int consumed, out _) == OperationStatus.Done ? header.Length : -consumed - 1000;

    private static long ReadTlvs()
    {
        long sum = 0;
        ProxyHeaderParser.TryParse(s_v2Tls, out ProxyHeader tls, out _);
        ProxyHeaderParser.TryParse(s_v2Large, new ProxyParserOptions { MaxHeaderLength = 65551 }, out ProxyHeader large, out _);
        ProxyHeaderParser.TryParse(s_v2Vendor, out ProxyHeader vendor, out _);
        for (int i = 0; i < Iterations; i++)
        {
            ProxyTlvs tlvs = tls.GetTlvs(s_v2Tls);
            foreach (ProxyTlv tlv in tlvs)
            {
                sum += (int)tlv.Type + tlv.Value.Length;
            }

            sum += tlvs.TryGetAlpn(out ReadOnlySpan<byte> value) ? value.Length : 0;
            sum += tlvs.TryGetAuthority(out value) ? value.Length : 0;
            sum += tlvs.TryGetUniqueId(out value) ? value.Length : 0;
            sum += tlvs.TryGetNetworkNamespace(out value) ? value.Length : 1;
            sum += tlvs.TryGetCrc32c(out uint crc) ? (crc & 0xFF) : 0;
            sum += tlvs.TryFind((ProxyTlvType)0x99, out _) ? 0 : 1;
            if (tlvs.TryGetSsl(out ProxySslTlv ssl))
            {
                sum += (int)ssl.Client + ssl.Verify + (ssl.IsClientCertificateVerified ? 1 : 0);
                sum += ssl.TryGetVersion(out value) ? value.Length : 0;
                sum += ssl.TryGetCommonName(out value) ? value.Length : 0;
                sum += ssl.TryGetCipher(out value) ? value.Length : 0;
                sum += ssl.TryGetSignatureAlgorithm(out value) ? value.Length : 0;
                sum += ssl.TryGetKeyAlgorithm(out value) ? value.Length : 0;
                sum += ssl.TryGetGroup(out value) ? value.Length : 1;
                sum += ssl.TryGetSignatureScheme(out value) ? value.Length : 1;
                sum += ssl.TryGetClientCertificate(out value) ? value.Length : 1;
                foreach (ProxyTlv sub in ssl.SubTlvs)
                {
                    sum += sub.Value.Length;
                }
            }

            ProxyTlvs vendorTlvs = vendor.GetTlvs(s_v2Vendor);
            sum += vendorTlvs.TryGetAwsVpcEndpointId(out value) ? value.Length : 0;
            sum += vendorTlvs.TryGetAzureLinkId(out uint linkId) ? linkId : 1;
            sum += vendorTlvs.TryGetGcpPscConnectionId(out ulong connectionId) ? (long)connectionId : 1;
            sum += large.GetTlvs(s_v2Large).TryGetCrc32c(out crc) ? 1 : 0;
            sum += tls.SourceAddress.Length + tls.DestinationPort + (tls.HasAddresses ? 1 : 0) + (tls == large ? 0 : 1) + (tls.GetHashCode() & 1);
        }

        return sum;
    }

    private static long WriteAll(byte[] buffer, ArrayBufferWriter<byte> writer)
    {
        long sum = 0;
        for (int i = 0; i < Iterations; i++)
        {
            ProxyHeader created = ProxyHeader.CreateProxy(s_source, s_destination);
            sum += ProxyHeaderWriter.GetV1Length(created) + ProxyHeaderWriter.GetV2Length(created, 7);
            sum += ProxyHeaderWriter.WriteV1(s_ipv4, buffer, out int written) == OperationStatus.Done ? written : 0;
            sum += ProxyHeaderWriter.WriteV1(created, buffer, out written) == OperationStatus.Done ? written : 0;
            sum += ProxyHeaderWriter.WriteV1(ProxyHeader.CreateLocal(), buffer.AsSpan(0, 20), out written) == OperationStatus.Done ? written : 0;
            sum += ProxyHeaderWriter.WriteV1(s_ipv6, buffer.AsSpan(0, 10), out written) == OperationStatus.DestinationTooSmall ? 1 : 0;
            sum += ProxyHeaderWriter.WriteV2(s_ipv6, buffer, out written) == OperationStatus.Done ? written : 0;
            sum += ProxyHeaderWriter.WriteV2(s_unix, s_tlvs, buffer, out written) == OperationStatus.Done ? written : 0;

            writer.ResetWrittenCount();
            sum += ProxyHeaderWriter.WriteV1(s_ipv6, writer);
            sum += ProxyHeaderWriter.WriteV2(s_ipv4, writer, s_tlvs);

            ProxyV2HeaderBuilder builder = new(buffer, s_ipv6);
            builder.AddAlpn("h2"u8);
            builder.AddAuthority("example.com");
            builder.AddUniqueId("0123456789abcdef"u8);
            builder.AddNetworkNamespace("blue"u8);
            builder.BeginSsl(ProxySslClientFlags.Ssl | ProxySslClientFlags.CertificateConnection, 0);
            builder.AddSslVersion("TLSv1.3"u8);
            builder.AddSslCommonName("client"u8);
            builder.AddSslCipher("TLS_AES_128_GCM_SHA256"u8);
            builder.EndSsl();
            builder.AddAwsVpcEndpointId("vpce-0123"u8);
            builder.AddAzureLinkId(7);
            builder.AddGcpPscConnectionId(9);
            builder.AddCrc32c();
            sum += builder.Complete(16, out written) == OperationStatus.Done ? written : 0;
        }

        return sum;
    }

    private static byte[] BuildLargeHeader()
    {
        byte[] buffer = new byte[4096];
        ProxyV2HeaderBuilder builder = new(buffer, ProxyHeader.CreateProxy(new IPEndPoint(IPAddress.IPv6Loopback, 1), new IPEndPoint(IPAddress.IPv6Loopback, 2)));
        builder.AddCrc32c();
        builder.BeginSsl(ProxySslClientFlags.Ssl, 0);
        builder.AddSslClientCertificate(new byte[1500]);
        builder.EndSsl();
        builder.AddNoop(300);
        Assert.Equal(OperationStatus.Done, builder.Complete(out int written));
        return buffer.AsSpan(0, written).ToArray();
    }
}
