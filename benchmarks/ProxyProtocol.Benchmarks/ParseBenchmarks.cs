using System;
using System.Buffers;
using BenchmarkDotNet.Attributes;

namespace ProxyProtocol.Benchmarks;

/// <summary>
/// Parsing each kind of header from a span (or a sequence), with the default options. Each method returns
/// a value that depends on the parsed fields, so the JIT cannot drop the work.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[MinColumn]
public class ParseBenchmarks
{
    private byte[] _v1Tcp4 = [];
    private byte[] _v1Tcp6 = [];
    private byte[] _v2Tcp4 = [];
    private byte[] _v2Tcp6 = [];
    private byte[] _v2Tlvs = [];
    private byte[] _v2Crc32c = [];
    private ReadOnlySequence<byte> _v2Tcp4SingleSegment;
    private ReadOnlySequence<byte> _v2Tcp4ThreeSegments;
    private ReadOnlySequence<byte> _v1Tcp4ThreeSegments;
    private ReadOnlySequence<byte> _v2TlvsFourSegments;

    [GlobalSetup]
    public void Setup()
    {
        _v1Tcp4 = SampleHeaders.V1Tcp4;
        _v1Tcp6 = SampleHeaders.V1Tcp6;
        _v2Tcp4 = SampleHeaders.V2Tcp4;
        _v2Tcp6 = SampleHeaders.V2Tcp6;
        _v2Tlvs = SampleHeaders.V2Tcp4Tlvs;
        _v2Crc32c = SampleHeaders.V2Tcp4Crc32c;
        _v2Tcp4SingleSegment = new ReadOnlySequence<byte>(_v2Tcp4);

        // Cut inside the signature and inside the address block: the slow path copies across both cuts.
        _v2Tcp4ThreeSegments = SampleHeaders.Split(_v2Tcp4, 10, 20);
        SampleHeaders.Require(!_v2Tcp4ThreeSegments.IsSingleSegment, "the sequence has several segments");

        // Cut inside both addresses: the line end is in the last segment.
        _v1Tcp4ThreeSegments = SampleHeaders.Split(_v1Tcp4, 16, 32);

        // Cut inside the fixed part, the address block, the AUTHORITY value and the AWS TLV.
        _v2TlvsFourSegments = SampleHeaders.Split(_v2Tlvs, 10, 25, 50);

        // Every benchmark must measure a successful parse of the expected header.
        SampleHeaders.Require(V1_Tcp4() == 47 + 56324, "v1 TCP4 parses");
        SampleHeaders.Require(V1_Tcp6() == 46 + 56324, "v1 TCP6 parses");
        SampleHeaders.Require(V2_Tcp4() == 28 + 56324, "v2 TCP4 parses");
        SampleHeaders.Require(V2_Tcp6() == 52 + 56324, "v2 TCP6 parses");
        SampleHeaders.Require(V2_Tcp4_Crc32c() == 35 + 56324, "v2 TCP4 with CRC32C parses");
        SampleHeaders.Require(V2_Tcp4_Sequence_SingleSegment() == 28 + 56324, "single-segment sequence parses");
        SampleHeaders.Require(V2_Tcp4_Sequence_ThreeSegments() == 28 + 56324, "three-segment sequence parses");
        SampleHeaders.Require(V1_Tcp4_Sequence_ThreeSegments() == 47 + 56324, "v1 three-segment sequence parses");
        SampleHeaders.Require(V2_Tcp4_FourTlvs() == 92 + 56324, "v2 TCP4 with four TLVs parses");
        SampleHeaders.Require(V2_Tcp4_FourTlvs_Sequence_FourSegments() == 92 + 56324, "v2 four-TLV four-segment sequence parses");
        SampleHeaders.Require(V2_Tcp4_FourTlvs_Walk() == 4 + 2 + 11 + 16 + 23 + 22, "the four TLVs are found");
        SampleHeaders.Require(V2_Tcp4_FourTlvs_ReadFour() == 2 + 11 + 16 + 22, "the four values are read");
        SampleHeaders.Require(V2_Tcp4_ThreePieces_CopiedThenParsed() == 28 + 56324, "the copied pieces parse");
    }

    [Benchmark]
    public int V1_Tcp4()
    {
        ProxyHeaderParser.Parse(_v1Tcp4, out ProxyHeader header, out int consumed, out _);
        return consumed + header.SourcePort;
    }

    [Benchmark]
    public int V1_Tcp6()
    {
        ProxyHeaderParser.Parse(_v1Tcp6, out ProxyHeader header, out int consumed, out _);
        return consumed + header.SourcePort;
    }

    [Benchmark]
    public int V2_Tcp4()
    {
        ProxyHeaderParser.Parse(_v2Tcp4, out ProxyHeader header, out int consumed, out _);
        return consumed + header.SourcePort;
    }

    [Benchmark]
    public int V2_Tcp6()
    {
        ProxyHeaderParser.Parse(_v2Tcp6, out ProxyHeader header, out int consumed, out _);
        return consumed + header.SourcePort;
    }

    /// <summary>Parses the v2 header with four TLVs only (the span counterpart of the four-segment row).</summary>
    /// <returns>The header length plus the source port.</returns>
    [Benchmark]
    public int V2_Tcp4_FourTlvs()
    {
        ProxyHeaderParser.Parse(_v2Tlvs, out ProxyHeader header, out int consumed, out _);
        return consumed + header.SourcePort;
    }

    /// <summary>
    /// Parses a v2 header carrying ALPN, AUTHORITY, a 16-byte UNIQUE_ID and an AWS VPC endpoint id, walks every
    /// TLV, and reads the AWS id through its typed accessor.
    /// </summary>
    /// <returns>The TLV count plus the lengths of the four values and of the AWS id.</returns>
    [Benchmark]
    public int V2_Tcp4_FourTlvs_Walk()
    {
        byte[] bytes = _v2Tlvs;
        ProxyHeaderParser.Parse(bytes, out ProxyHeader header, out _, out _);
        ProxyTlvs tlvs = header.GetTlvs(bytes);
        int sum = 0;
        foreach (ProxyTlv tlv in tlvs)
        {
            sum += 1 + tlv.Value.Length;
        }

        tlvs.TryGetAwsVpcEndpointId(out ReadOnlySpan<byte> awsId);
        return sum + awsId.Length;
    }

    /// <summary>
    /// What the C floor's TLV loop does, for a like-for-like ratio: parses the same header and reads ALPN,
    /// AUTHORITY, UNIQUE_ID and the AWS VPC endpoint id (subtype 0x01) in one pass over the TLVs.
    /// </summary>
    /// <returns>The lengths of the four values.</returns>
    [Benchmark]
    public int V2_Tcp4_FourTlvs_ReadFour()
    {
        byte[] bytes = _v2Tlvs;
        ProxyHeaderParser.Parse(bytes, out ProxyHeader header, out _, out _);
        ReadOnlySpan<byte> alpn = default, authority = default, uniqueId = default, awsId = default;
        foreach (ProxyTlv tlv in header.GetTlvs(bytes))
        {
            switch (tlv.Type)
            {
                case ProxyTlvType.Alpn: alpn = tlv.Value; break;
                case ProxyTlvType.Authority: authority = tlv.Value; break;
                case ProxyTlvType.UniqueId: uniqueId = tlv.Value; break; // the parser checked its length (UID-02)
                case ProxyTlvType.Aws when tlv.Value.Length >= 1 && tlv.Value[0] == 0x01: awsId = tlv.Value.Slice(1); break;
            }
        }

        return alpn.Length + authority.Length + uniqueId.Length + awsId.Length;
    }

    /// <summary>
    /// The copy the sequence overload makes, without the sequence: the three pieces of the three-segment row,
    /// copied into one stack buffer and parsed there. With <see cref="V2_Tcp4"/> and the sequence rows it
    /// splits the multi-segment cost into copying and walking the segments.
    /// </summary>
    /// <returns>The header length plus the source port.</returns>
    [Benchmark]
    public int V2_Tcp4_ThreePieces_CopiedThenParsed()
    {
        ReadOnlySpan<byte> bytes = _v2Tcp4;
        Span<byte> buffer = stackalloc byte[128];
        bytes.Slice(0, 10).CopyTo(buffer);
        bytes.Slice(10, 10).CopyTo(buffer.Slice(10));
        bytes.Slice(20).CopyTo(buffer.Slice(20));
        ProxyHeaderParser.Parse(buffer.Slice(0, bytes.Length), out ProxyHeader header, out int consumed, out _);
        return consumed + header.SourcePort;
    }

    [Benchmark]
    public int V2_Tcp4_Crc32c()
    {
        ProxyHeaderParser.Parse(_v2Crc32c, out ProxyHeader header, out int consumed, out _);
        return consumed + header.SourcePort;
    }

    [Benchmark]
    public int V2_Tcp4_Sequence_SingleSegment()
    {
        ProxyHeaderParser.Parse(_v2Tcp4SingleSegment, out ProxyHeader header, out int consumed, out _);
        return consumed + header.SourcePort;
    }

    [Benchmark]
    public int V2_Tcp4_Sequence_ThreeSegments()
    {
        ProxyHeaderParser.Parse(_v2Tcp4ThreeSegments, out ProxyHeader header, out int consumed, out _);
        return consumed + header.SourcePort;
    }

    [Benchmark]
    public int V1_Tcp4_Sequence_ThreeSegments()
    {
        ProxyHeaderParser.Parse(_v1Tcp4ThreeSegments, out ProxyHeader header, out int consumed, out _);
        return consumed + header.SourcePort;
    }

    [Benchmark]
    public int V2_Tcp4_FourTlvs_Sequence_FourSegments()
    {
        ProxyHeaderParser.Parse(_v2TlvsFourSegments, out ProxyHeader header, out int consumed, out _);
        return consumed + header.SourcePort;
    }
}
