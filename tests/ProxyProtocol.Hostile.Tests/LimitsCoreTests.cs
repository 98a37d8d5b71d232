using System;
using System.Buffers;
using System.Linq;
using System.Net;
using System.Threading.Tasks;
using ProxyProtocol.Hostile.Tests.Infrastructure;

namespace ProxyProtocol.Hostile.Tests;

/// <summary>
/// The limits every adapter relies on, at the source: the core parser decides from the first 16 bytes that a v2
/// header is too long, from at most 106 bytes that a v1 line has no end, walks tens of thousands of TLVs without
/// recursing and without allocating.
/// </summary>
public class LimitsCoreTests
{
    private static readonly ProxyParserOptions s_largest = new() { MaxHeaderLength = 65551 };

    [Theory]
    [InlineData(4081)]   // 16 + 4081 = 4097: one byte over the default maximum
    [InlineData(10_000)]
    [InlineData(65535)]  // the largest length the field can hold (mod_remoteip's CVE-2019-10097 was a v2 length overflow)
    public void V2_length_over_the_maximum_is_rejected_from_the_16_byte_fixed_part_alone(int length)
    {
        byte[] fixedPart = RawHeaders.V2Fixed(RawHeaders.ProxyCommand, RawHeaders.TcpOverIPv4, (ushort)length);

        // V2-05: the length is known after 16 bytes; the body is never waited for.
        Assert.Equal(OperationStatus.InvalidData, ProxyHeaderParser.Parse(fixedPart, out _, out int consumed, out ProxyHeaderError error));
        Assert.Equal(ProxyHeaderError.HeaderTooLong, error);
        Assert.Equal(0, consumed);
    }

    [Fact]
    public void V2_length_at_the_maximum_waits_for_its_body()
    {
        byte[] fixedPart = RawHeaders.V2Fixed(RawHeaders.ProxyCommand, RawHeaders.TcpOverIPv4, 4096 - 16);

        Assert.Equal(OperationStatus.NeedMoreData, ProxyHeaderParser.Parse(fixedPart, out _, out _, out _));
    }

    [Fact]
    public void V1_line_without_crlf_is_rejected_once_no_crlf_can_fit_in_107_bytes()
    {
        // V1-09 (go-proxyproto's CVE-2021-23351 read v1 lines without bound): the CR can be at index 105 at the
        // latest, so 105 bytes without one may still end well, and 106 cannot.
        byte[] line = RawHeaders.V1WithoutLineEnd(300);

        Assert.Equal(OperationStatus.NeedMoreData, ProxyHeaderParser.Parse(line.AsSpan(0, 105), out _, out _, out _));
        Assert.Equal(OperationStatus.InvalidData, ProxyHeaderParser.Parse(line.AsSpan(0, 106), out _, out _, out ProxyHeaderError error));
        Assert.Equal(ProxyHeaderError.LineTooLong, error);
        Assert.Equal(OperationStatus.InvalidData, ProxyHeaderParser.Parse(line, out _, out _, out error));
        Assert.Equal(ProxyHeaderError.LineTooLong, error);
    }

    [Fact]
    public void Thousand_noops_within_the_default_maximum_are_a_valid_header()
    {
        byte[] header = RawHeaders.NoopFlood(1000, 4242);
        Assert.True(header.Length <= ProxyParserOptions.Default.MaxHeaderLength);

        // TLV-05, TLV-06: zero-length values and repeated types are legal.
        Assert.Equal(OperationStatus.Done, ProxyHeaderParser.Parse(header, out ProxyHeader parsed, out int consumed, out _));
        Assert.Equal(header.Length, consumed);
        Assert.Equal(1000, CountTlvs(parsed.GetTlvs(header)));
    }

    [Fact]
    public async Task Largest_header_of_zero_length_tlvs_parses_in_bounded_time()
    {
        byte[] header = RawHeaders.NoopFlood(RawHeaders.MaxNoopCount, 4242);
        Assert.Equal(65551, header.Length);

        // Not a timing claim: only that 21,841 TLVs end, well before a generous bound.
        (OperationStatus status, int tlvs) = await Task.Run(() =>
        {
            OperationStatus status = ProxyHeaderParser.Parse(header, s_largest, out ProxyHeader parsed, out _, out _);
            return (status, CountTlvs(parsed.GetTlvs(header)));
        }).WaitAsync(Wire.Timeout);

        Assert.Equal(OperationStatus.Done, status);
        Assert.Equal(RawHeaders.MaxNoopCount, tlvs);
        Assert.Equal(OperationStatus.InvalidData, ProxyHeaderParser.Parse(header, out _, out _, out ProxyHeaderError error));
        Assert.Equal(ProxyHeaderError.HeaderTooLong, error); // and the default options never look past 16 bytes of it
    }

    [Theory]
    [InlineData(4096)]
    [InlineData(65551)]
    public void Nested_ssl_tlvs_are_parsed_one_level_deep(int maxHeaderLength)
    {
        // SSL-05 (Netty's GHSA-h2qv-fj59-j46j leaked memory on nested SSL TLVs): thousands of SSL TLVs inside each
        // other, every length consistent. The parser checks the outer SSL's sub-TLV framing only; what the first
        // sub-TLV holds is opaque bytes, never parsed again, so depth costs no stack and no time.
        int depth = RawHeaders.NestedSslDepthFor(maxHeaderLength - 16 - 12);
        byte[] header = RawHeaders.V2WithTlvs(RawHeaders.NestedSsl(depth));
        Assert.True(header.Length <= maxHeaderLength && header.Length > maxHeaderLength - 8, $"{header.Length}");

        Assert.Equal(OperationStatus.Done, ProxyHeaderParser.Parse(header, new ProxyParserOptions { MaxHeaderLength = maxHeaderLength }, out ProxyHeader parsed, out _, out _));
        Assert.True(parsed.GetTlvs(header).TryGetSsl(out ProxySslTlv ssl));
        Assert.Equal([ProxyTlvType.Ssl], ToTypes(ssl.SubTlvs));
        Assert.False(ssl.TryGetVersion(out _)); // the SSL_VERSION at the bottom is not reached through the nesting
    }

    [Fact]
    public void Parsing_a_65_KB_header_allocates_nothing()
    {
        byte[] noops = RawHeaders.NoopFlood(RawHeaders.MaxNoopCount, 4242);
        byte[] nested = RawHeaders.V2WithTlvs(RawHeaders.NestedSsl(RawHeaders.NestedSslDepthFor(65551 - 16 - 12)));
        byte[] withCrc = NoopsWithCrc();
        ReadOnlySequence<byte> split = Segments.Split(noops, 4096); // as a PipeReader holds it: copied to a pooled array
        byte[] tooLong = RawHeaders.V2Fixed(RawHeaders.ProxyCommand, RawHeaders.TcpOverIPv4, 65535);

        for (int round = 0; round < 2; round++)
        {
            // The first round warms up (JIT, the array pool); the second must allocate nothing at all. Nothing but
            // the library runs in between (xunit's assertions allocate), so the results are checked afterwards.
            long before = GC.GetAllocatedBytesForCurrentThread();
            int noopTlvs = ParseAndWalk(noops);
            int nestedTlvs = ParseAndWalk(nested);
            int crcTlvs = ParseAndWalk(withCrc);
            OperationStatus sequence = ProxyHeaderParser.Parse(split, s_largest, out ProxyHeader fromSequence, out _, out _);
            OperationStatus rejected = ProxyHeaderParser.Parse(tooLong, out _, out _, out _);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

            Assert.Equal(RawHeaders.MaxNoopCount, noopTlvs);
            Assert.Equal(2, nestedTlvs); // the SSL TLV and its one sub-TLV
            Assert.Equal(RawHeaders.MaxNoopCount - 2, crcTlvs);
            Assert.Equal(OperationStatus.Done, sequence);
            Assert.Equal(noops.Length, fromSequence.Length);
            Assert.Equal(OperationStatus.InvalidData, rejected);
            if (round == 1)
            {
                Assert.Equal(0, allocated);
            }
        }
    }

    /// <summary>
    /// Parses with the largest maximum and walks every TLV and SSL sub-TLV; returns how many it saw, or -1 when the
    /// header did not parse whole.
    /// </summary>
    private static int ParseAndWalk(byte[] header)
    {
        if (ProxyHeaderParser.Parse(header, s_largest, out ProxyHeader parsed, out int consumed, out _) != OperationStatus.Done || consumed != header.Length)
        {
            return -1;
        }

        ProxyTlvs tlvs = parsed.GetTlvs(header);
        int count = CountTlvs(tlvs);
        if (tlvs.TryGetSsl(out ProxySslTlv ssl))
        {
            count += CountTlvs(ssl.SubTlvs);
        }

        return count;
    }

    /// <summary>21,838 zero-length NOOPs and a CRC32C TLV over the whole 65 KB (CRC-04: verified by default).</summary>
    private static byte[] NoopsWithCrc()
    {
        byte[] buffer = new byte[65551];
        var builder = new ProxyV2HeaderBuilder(buffer, ProxyHeader.CreateProxy(new IPEndPoint(IPAddress.Loopback, 1), new IPEndPoint(IPAddress.Loopback, 2)));
        for (int i = 0; i < RawHeaders.MaxNoopCount - 3; i++)
        {
            builder.AddNoop(0);
        }

        builder.AddCrc32c();
        return RawHeaders.Complete(buffer, ref builder);
    }

    private static int CountTlvs(ProxyTlvs tlvs)
    {
        int count = 0;
        foreach (ProxyTlv tlv in tlvs)
        {
            count++;
        }

        return count;
    }

    private static ProxyTlvType[] ToTypes(ProxyTlvs tlvs)
    {
        var types = new System.Collections.Generic.List<ProxyTlvType>();
        foreach (ProxyTlv tlv in tlvs)
        {
            types.Add(tlv.Type);
        }

        return types.ToArray();
    }
}
