using System;
using System.Net;
using System.Text;
using ProxyProtocol.Tests.Infrastructure;
using ProxyProtocol.Tests.Vectors;

namespace ProxyProtocol.Tests.Parser;

/// <summary>The spec's example headers and the checklist's golden vectors (checklist 1.12).</summary>
public class GoldenVectorTests
{
    private static readonly IPEndPoint s_specSource = new(IPAddress.Parse("192.168.0.1"), 56324);
    private static readonly IPEndPoint s_specDestination = new(IPAddress.Parse("192.168.0.11"), 443);

    // 1.12: the v1 example and the 28-byte v2 TCP4 vector describe the same connection.
    [Theory]
    [ShapedVectors(TestVectors.SpecV1Tcp4WithRequest, TestVectors.GoldenV2Tcp4)]
    public void Spec_example_connection_in_both_versions(ShapedInput input)
    {
        ProxyHeader header = input.Parse().Header;

        Assert.Equal(s_specSource, header.GetSourceEndPoint());
        Assert.Equal(s_specDestination, header.GetDestinationEndPoint());
        Assert.Equal(ProxyHeader.CreateProxy(s_specSource, s_specDestination), header);
        Assert.Equal(header.Version == ProxyVersion.V1 ? 47 : 28, header.Length);
    }

    // 1.12, CRC-03: the same connection with a CRC32C TLV (35 bytes, crc 0x1c1ae9c6 big-endian).
    [Theory]
    [ShapedVectors(TestVectors.GoldenV2Tcp4Crc)]
    public void Golden_TCP4_with_CRC32C(ShapedInput input)
    {
        ParseOutcome outcome = input.Parse();

        Assert.Equal(35, outcome.BytesConsumed);
        Assert.Equal(ProxyHeader.CreateProxy(s_specSource, s_specDestination), outcome.Header);
        Assert.True(outcome.Tlvs.TryGetCrc32c(out uint crc));
        Assert.Equal(0x1c1ae9c6u, crc);
    }

    // 1.12, TX-02: LOCAL/UNSPEC, 16 bytes.
    [Theory]
    [ShapedVectors(TestVectors.GoldenV2Local)]
    public void Golden_LOCAL(ShapedInput input)
    {
        ParseOutcome outcome = input.Parse();

        Assert.Equal(16, outcome.BytesConsumed);
        Assert.Equal(ProxyHeader.CreateLocal(), outcome.Header);
        Assert.Equal("LOCAL UNSPEC (v2)", outcome.Header.ToString());
    }

    // 1.12: TCP6 2001:db8::1:52953 -> 2001:db8::2:25, 52 bytes.
    [Theory]
    [ShapedVectors(TestVectors.GoldenV2Tcp6)]
    public void Golden_TCP6(ShapedInput input)
    {
        ParseOutcome outcome = input.Parse();

        Assert.Equal(52, outcome.BytesConsumed);
        Assert.Equal("PROXY TCP6 [2001:db8::1]:52953 -> [2001:db8::2]:25 (v2)", outcome.Header.ToString());
    }

    // 1.12: the AWS TLV "ea 00 17 01 vpce-08d2bf15fac5001c9" after the spec's TCP4 block.
    [Theory]
    [ShapedVectors(TestVectors.GoldenV2Aws)]
    public void Golden_AWS_TLV(ShapedInput input)
    {
        ParseOutcome outcome = input.Parse();

        Assert.Equal(54, outcome.BytesConsumed);
        Assert.Equal(Hex.Parse("ea0017 01"), outcome.Tlvs.Bytes.Slice(0, 4).ToArray());
        Assert.True(outcome.Tlvs.TryGetAwsVpcEndpointId(out ReadOnlySpan<byte> id));
        Assert.Equal("vpce-08d2bf15fac5001c9", Encoding.ASCII.GetString(id));
    }

    // 1.12: the Azure TLV "ee 00 05 01 33 00 00 26", LINKID 0x26000033 little-endian.
    [Theory]
    [ShapedVectors(TestVectors.GoldenV2Azure)]
    public void Golden_Azure_TLV(ShapedInput input)
    {
        ParseOutcome outcome = input.Parse();

        Assert.Equal(36, outcome.BytesConsumed);
        Assert.Equal(Hex.Parse("ee 00 05 01 33 00 00 26"), outcome.Tlvs.Bytes.ToArray());
        Assert.True(outcome.Tlvs.TryGetAzureLinkId(out uint linkId));
        Assert.Equal(0x26000033u, linkId);
    }

    // 1.12: the v2 detection prefix is 13 bytes.
    [Fact]
    public void Detection_prefix_is_13_bytes()
    {
        byte[] prefix = Hex.Parse("0D 0A 0D 0A 00 0D 0A 51 55 49 54 0A 20");

        Assert.Equal(System.Buffers.OperationStatus.Done, ProxyHeaderParser.DetectVersion(prefix, out ProxyVersion version));
        Assert.Equal(ProxyVersion.V2, version);
        Assert.Equal(System.Buffers.OperationStatus.NeedMoreData, ProxyHeaderParser.DetectVersion(prefix.AsSpan(0, 12), out _));
    }
}
