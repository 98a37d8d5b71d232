using System;
using System.Buffers;
using System.Net;
using System.Text;

namespace ProxyProtocol.Benchmarks;

/// <summary>
/// The headers every benchmark uses: the spec's example connection 192.168.0.1:56324 -> 192.168.0.11:443
/// (and 2001:db8::1 -> 2001:db8::2 for IPv6), in each wire form.
/// </summary>
public static class SampleHeaders
{
    public static readonly IPEndPoint Source4 = new(IPAddress.Parse("192.168.0.1"), 56324);
    public static readonly IPEndPoint Destination4 = new(IPAddress.Parse("192.168.0.11"), 443);
    public static readonly IPEndPoint Source6 = new(IPAddress.Parse("2001:db8::1"), 56324);
    public static readonly IPEndPoint Destination6 = new(IPAddress.Parse("2001:db8::2"), 443);

    /// <summary>The 16-byte UNIQUE_ID value used by the TLV header.</summary>
    public static readonly byte[] UniqueId = Convert.FromHexString("000102030405060708090a0b0c0d0e0f");

    public static ReadOnlySpan<byte> AwsVpcEndpointId => "vpce-0123456789abcdef0"u8;

    public static byte[] V1Tcp4 { get; } = Encoding.ASCII.GetBytes("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n");

    public static byte[] V1Tcp6 { get; } = Encoding.ASCII.GetBytes("PROXY TCP6 2001:db8::1 2001:db8::2 56324 443\r\n");

    public static ProxyHeader Tcp4 { get; } = ProxyHeader.CreateProxy(Source4, Destination4);

    public static ProxyHeader Tcp6 { get; } = ProxyHeader.CreateProxy(Source6, Destination6);

    /// <summary>v2 PROXY TCP4, no TLVs: 28 bytes.</summary>
    public static byte[] V2Tcp4 { get; } = Build(Tcp4, tlvs: false, crc: false);

    /// <summary>v2 PROXY TCP6, no TLVs: 52 bytes.</summary>
    public static byte[] V2Tcp6 { get; } = Build(Tcp6, tlvs: false, crc: false);

    /// <summary>v2 PROXY TCP4 with ALPN, AUTHORITY, UNIQUE_ID and an AWS VPC endpoint id.</summary>
    public static byte[] V2Tcp4Tlvs { get; } = Build(Tcp4, tlvs: true, crc: false);

    /// <summary>v2 PROXY TCP4 with a CRC32C TLV only: 35 bytes.</summary>
    public static byte[] V2Tcp4Crc32c { get; } = Build(Tcp4, tlvs: false, crc: true);

    /// <summary>Writes the four TLVs of <see cref="V2Tcp4Tlvs"/>, as the write benchmark does.</summary>
    public static void AddSampleTlvs(ref ProxyV2HeaderBuilder builder)
    {
        builder.AddAlpn("h2"u8);
        builder.AddAuthority("example.com"u8);
        builder.AddUniqueId(UniqueId);
        builder.AddAwsVpcEndpointId(AwsVpcEndpointId);
    }

    /// <summary>Splits bytes into a sequence of segments cut at the given offsets.</summary>
    public static ReadOnlySequence<byte> Split(byte[] bytes, params int[] cuts)
    {
        Segment first = new(bytes.AsMemory(0, cuts[0]), 0);
        Segment last = first;
        for (int i = 0; i < cuts.Length; i++)
        {
            int end = i + 1 < cuts.Length ? cuts[i + 1] : bytes.Length;
            last = last.Append(bytes.AsMemory(cuts[i], end - cuts[i]));
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>Checks a condition in setup, so that a benchmark never measures a failing path.</summary>
    public static void Require(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException("Benchmark setup check failed: " + what);
        }
    }

    private static byte[] Build(ProxyHeader header, bool tlvs, bool crc)
    {
        byte[] buffer = new byte[512];
        ProxyV2HeaderBuilder builder = new(buffer, header);
        if (tlvs)
        {
            AddSampleTlvs(ref builder);
        }

        if (crc)
        {
            builder.AddCrc32c();
        }

        Require(builder.Complete(out int length) == OperationStatus.Done, "sample v2 header fits");
        return buffer.AsSpan(0, length).ToArray();
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            Segment next = new(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
