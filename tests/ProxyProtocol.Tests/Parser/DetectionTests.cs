using System;
using System.Buffers;
using ProxyProtocol.Tests.Infrastructure;
using ProxyProtocol.Tests.Vectors;

namespace ProxyProtocol.Tests.Parser;

/// <summary>Detection and framing (checklist 1.1, DET).</summary>
public class DetectionTests
{
    private static readonly byte[] s_v2Prefix = Hex.Parse("0d0a0d0a000d0a515549540a20");

    // DET-01: the 12-byte signature (with its NUL at offset 4) plus version nibble 2 in byte 13 is v2;
    // the parser never stops at the NUL.
    [Theory]
    [ShapedVectors(TestVectors.GoldenV2Tcp4, TestVectors.GoldenV2Local)]
    public void DET_01_signature_with_embedded_nul_is_v2(ShapedInput input)
    {
        ParseOutcome outcome = input.Parse();

        Assert.Equal(0, outcome.Input[4]);
        Assert.Equal(ProxyVersion.V2, outcome.Header.Version);
    }

    // DET-01: a changed signature byte is not v2.
    [Theory]
    [ShapedVectors("det01-signature-last-byte", "det01-signature-nul-replaced", "det01-cr-then-garbage")]
    public void DET_01_wrong_signature_is_rejected(ShapedInput input) =>
        Assert.Equal(ProxyHeaderError.InvalidSignature, input.Parse().Error);

    // DET-01: DetectVersion needs the 13 bytes up to the version nibble for v2.
    [Fact]
    public void DET_01_DetectVersion_needs_13_bytes_for_v2()
    {
        for (int length = 0; length < 13; length++)
        {
            Assert.Equal(OperationStatus.NeedMoreData, ProxyHeaderParser.DetectVersion(s_v2Prefix.AsSpan(0, length), out _));
            Assert.Equal(OperationStatus.NeedMoreData, ProxyHeaderParser.DetectVersion(Sequences.BytePerSegment(s_v2Prefix.AsMemory(0, length)), out _));
        }

        Assert.Equal(OperationStatus.Done, ProxyHeaderParser.DetectVersion(s_v2Prefix, out ProxyVersion version));
        Assert.Equal(ProxyVersion.V2, version);
        Assert.Equal(OperationStatus.Done, ProxyHeaderParser.DetectVersion(Sequences.BytePerSegment(s_v2Prefix), out version));
        Assert.Equal(ProxyVersion.V2, version);

        byte[] version1 = (byte[])s_v2Prefix.Clone();
        version1[12] = 0x11;
        Assert.Equal(OperationStatus.InvalidData, ProxyHeaderParser.DetectVersion(version1, out _));
        Assert.Equal(OperationStatus.InvalidData, ProxyHeaderParser.DetectVersion(Sequences.Split(version1, 5), out _));
    }

    // DET-02: "PROXY " (six bytes, with the space, as HAProxy and nginx require) starts v1.
    [Fact]
    public void DET_02_DetectVersion_needs_PROXY_and_a_space_for_v1()
    {
        byte[] prefix = Hex.Ascii("PROXY ");
        for (int length = 0; length < prefix.Length; length++)
        {
            Assert.Equal(OperationStatus.NeedMoreData, ProxyHeaderParser.DetectVersion(prefix.AsSpan(0, length), out _));
        }

        Assert.Equal(OperationStatus.Done, ProxyHeaderParser.DetectVersion(prefix, out ProxyVersion version));
        Assert.Equal(ProxyVersion.V1, version);
        Assert.Equal(OperationStatus.Done, ProxyHeaderParser.DetectVersion(Sequences.BytePerSegment(prefix), out version));
        Assert.Equal(ProxyVersion.V1, version);
        Assert.Equal(OperationStatus.InvalidData, ProxyHeaderParser.DetectVersion(Hex.Ascii("PROXY\t"), out _));
        Assert.Equal(OperationStatus.InvalidData, ProxyHeaderParser.DetectVersion(Hex.Ascii("PROXZ"), out _));
    }

    // DET-02, V1-01: "PROXY" must be uppercase and followed by exactly one space.
    [Theory]
    [ShapedVectors("det02-lowercase-proxy", "v1-01-no-space-after-proxy", "v1-01-tab-after-proxy")]
    public void DET_02_v1_prefix_must_be_exact(ShapedInput input) =>
        Assert.Equal(ProxyHeaderError.InvalidSignature, input.Parse().Error);

    // DET-03: anything else is not a header and is rejected at once (never passed through).
    [Theory]
    [ShapedVectors("det03-http-request", "det03-tls-client-hello", "det03-ssh-banner")]
    public void DET_03_other_protocols_are_rejected(ShapedInput input)
    {
        ParseOutcome outcome = input.Parse();

        Assert.Equal(OperationStatus.InvalidData, outcome.Status);
        Assert.Equal(ProxyHeaderError.InvalidSignature, outcome.Error);
        Assert.Equal(0, outcome.BytesConsumed);
    }

    // DET-03, DET-04: the first byte alone decides: anything but 'P' or CR is rejected from one byte,
    // and DetectVersion says InvalidData too; the parser never guesses that no header is present.
    [Fact]
    public void DET_04_first_byte_other_than_P_or_CR_is_rejected_from_one_byte()
    {
        for (int b = 0; b < 256; b++)
        {
            OperationStatus status = ProxyHeaderParser.Parse([(byte)b], out _, out int consumed, out ProxyHeaderError error);
            OperationStatus detected = ProxyHeaderParser.DetectVersion([(byte)b], out _);
            if (b is 'P' or 0x0D)
            {
                Assert.Equal(OperationStatus.NeedMoreData, status);
                Assert.Equal(OperationStatus.NeedMoreData, detected);
            }
            else
            {
                Assert.Equal(OperationStatus.InvalidData, status);
                Assert.Equal(ProxyHeaderError.InvalidSignature, error);
                Assert.Equal(0, consumed);
                Assert.Equal(OperationStatus.InvalidData, detected);
            }
        }
    }

    // DET-05: by default a receiver accepts both versions; AllowedVersions can restrict it.
    [Fact]
    public void DET_05_default_options_accept_v1_and_v2()
    {
        Assert.Equal(ProxyVersions.All, ProxyParserOptions.Default.AllowedVersions);
        Assert.True(ProxyHeaderParser.TryParse(TestVectors.Get(TestVectors.SpecV1Tcp4Max).Bytes, out ProxyHeader v1, out _));
        Assert.True(ProxyHeaderParser.TryParse(TestVectors.Get(TestVectors.GoldenV2Tcp4).Bytes, out ProxyHeader v2, out _));
        Assert.Equal(ProxyVersion.V1, v1.Version);
        Assert.Equal(ProxyVersion.V2, v2.Version);
    }

    // DET-05: a version left out of AllowedVersions is rejected as soon as it is recognised.
    [Theory]
    [ShapedVectors("det05-v1-not-allowed", "det05-v2-not-allowed")]
    public void DET_05_disallowed_version_is_rejected(ShapedInput input) =>
        Assert.Equal(ProxyHeaderError.VersionNotAllowed, input.Parse().Error);

    // DET-07: nothing is consumed before the header is complete, so application data is never taken
    // for part of it; a complete header consumes exactly itself.
    [Theory]
    [ShapedVectors(TestVectors.SpecV1Tcp4WithRequest)]
    public void DET_07_application_data_stays_after_the_header(ShapedInput input)
    {
        ParseOutcome outcome = input.Parse();

        Assert.Equal(47, outcome.BytesConsumed);
        Assert.Equal("GET / HTTP/1.1\r\nHost: 192.168.0.11\r\n\r\n", System.Text.Encoding.ASCII.GetString(outcome.Remainder));
    }
}
