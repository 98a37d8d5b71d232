using System;
using System.Buffers;
using BenchmarkDotNet.Attributes;

namespace ProxyProtocol.Benchmarks;

/// <summary>Writing headers into a span: v1 text, v2 binary, and v2 with TLVs and CRC32C through the builder.</summary>
[MemoryDiagnoser]
[MedianColumn]
[MinColumn]
public class WriteBenchmarks
{
    private readonly byte[] _destination = new byte[256];
    private ProxyHeader _tcp4;

    [GlobalSetup]
    public void Setup()
    {
        _tcp4 = SampleHeaders.Tcp4;

        // Each benchmark must write exactly the bytes the parse benchmarks read.
        SampleHeaders.Require(V1_Tcp4() == SampleHeaders.V1Tcp4.Length, "v1 length");
        SampleHeaders.Require(_destination.AsSpan(0, SampleHeaders.V1Tcp4.Length).SequenceEqual(SampleHeaders.V1Tcp4), "v1 bytes");
        SampleHeaders.Require(V2_Tcp4() == SampleHeaders.V2Tcp4.Length, "v2 length");
        SampleHeaders.Require(_destination.AsSpan(0, SampleHeaders.V2Tcp4.Length).SequenceEqual(SampleHeaders.V2Tcp4), "v2 bytes");
        SampleHeaders.Require(V2_Tcp4_FourTlvs_Builder() == SampleHeaders.V2Tcp4Tlvs.Length, "builder length");
        SampleHeaders.Require(_destination.AsSpan(0, SampleHeaders.V2Tcp4Tlvs.Length).SequenceEqual(SampleHeaders.V2Tcp4Tlvs), "builder bytes");
        int written = V2_Tcp4_FourTlvs_Crc32c_Builder();
        SampleHeaders.Require(
            ProxyHeaderParser.Parse(_destination.AsSpan(0, written), out ProxyHeader parsed, out int consumed, out _) == OperationStatus.Done &&
            consumed == written && parsed == _tcp4 && parsed.TlvLength == written - 28,
            "the builder's header parses back, CRC32C verified");
    }

    [Benchmark]
    public int V1_Tcp4()
    {
        ProxyHeaderWriter.WriteV1(_tcp4, _destination, out int written);
        return written;
    }

    [Benchmark]
    public int V2_Tcp4()
    {
        ProxyHeaderWriter.WriteV2(_tcp4, _destination, out int written);
        return written;
    }

    /// <summary>The same four TLVs as the parse benchmark, without a CRC32C: the difference to the next one is the checksum.</summary>
    [Benchmark]
    public int V2_Tcp4_FourTlvs_Builder()
    {
        ProxyV2HeaderBuilder builder = new(_destination, _tcp4);
        SampleHeaders.AddSampleTlvs(ref builder);
        builder.Complete(out int written);
        return written;
    }

    /// <summary>The same four TLVs as the parse benchmark, plus a CRC32C computed over the finished header.</summary>
    [Benchmark]
    public int V2_Tcp4_FourTlvs_Crc32c_Builder()
    {
        ProxyV2HeaderBuilder builder = new(_destination, _tcp4);
        SampleHeaders.AddSampleTlvs(ref builder);
        builder.AddCrc32c();
        builder.Complete(out int written);
        return written;
    }
}
