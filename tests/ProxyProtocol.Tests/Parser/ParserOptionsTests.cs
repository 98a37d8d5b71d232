using System;
using System.Buffers;
using ProxyProtocol.Tests.Infrastructure;
using ProxyProtocol.Tests.Vectors;

namespace ProxyProtocol.Tests.Parser;

/// <summary><see cref="ProxyParserOptions"/>: defaults, validation in the setters, equality, and each option's effect.</summary>
public class ParserOptionsTests
{
    [Fact]
    public void Default_is_the_recommended_configuration()
    {
        ProxyParserOptions options = default;

        Assert.Equal(ProxyParserOptions.Default, options);
        Assert.Equal(4096, options.MaxHeaderLength);
        Assert.Equal(ProxyParserOptions.DefaultMaxHeaderLength, options.MaxHeaderLength);
        Assert.Equal(ProxyVersions.All, options.AllowedVersions);
        Assert.True(options.VerifyCrc32c);
        Assert.False(options.AllowIPv4InTcp6);
        Assert.Equal(16, ProxyParserOptions.MinMaxHeaderLength);
        Assert.Equal(65551, ProxyParserOptions.MaxMaxHeaderLength);
    }

    [Theory]
    [InlineData(int.MinValue)]
    [InlineData(-1)]
    [InlineData(0)]
    [InlineData(15)]
    [InlineData(65552)]
    [InlineData(int.MaxValue)]
    public void MaxHeaderLength_outside_16_to_65551_throws(int value)
    {
        ArgumentOutOfRangeException exception = Assert.Throws<ArgumentOutOfRangeException>(() => new ProxyParserOptions { MaxHeaderLength = value });
        Assert.Equal(value, exception.ActualValue);
        Assert.Throws<ArgumentOutOfRangeException>(() => ProxyParserOptions.Default with { MaxHeaderLength = value });
    }

    [Theory]
    [InlineData(16)]
    [InlineData(4096)]
    [InlineData(65551)]
    public void MaxHeaderLength_inside_the_range_is_kept(int value) =>
        Assert.Equal(value, (ProxyParserOptions.Default with { MaxHeaderLength = value }).MaxHeaderLength);

    [Theory]
    [InlineData(ProxyVersions.None)]
    [InlineData((ProxyVersions)4)]
    [InlineData((ProxyVersions)7)]
    [InlineData((ProxyVersions)(-1))]
    public void AllowedVersions_with_no_version_or_unknown_bits_throws(ProxyVersions value) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProxyParserOptions { AllowedVersions = value });

    [Theory]
    [InlineData(ProxyVersions.V1)]
    [InlineData(ProxyVersions.V2)]
    [InlineData(ProxyVersions.All)]
    public void AllowedVersions_is_kept(ProxyVersions value) =>
        Assert.Equal(value, new ProxyParserOptions { AllowedVersions = value }.AllowedVersions);

    [Fact]
    public void Equality_compares_every_option()
    {
        ProxyParserOptions a = new() { MaxHeaderLength = 100, AllowedVersions = ProxyVersions.V2, VerifyCrc32c = false, AllowIPv4InTcp6 = true };
        ProxyParserOptions b = new() { MaxHeaderLength = 100, AllowedVersions = ProxyVersions.V2, VerifyCrc32c = false, AllowIPv4InTcp6 = true };

        Assert.True(a == b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.True(a.Equals((object)b));
        Assert.False(a.Equals("options"));
        Assert.True(a != (a with { MaxHeaderLength = 101 }));
        Assert.True(a != (a with { AllowedVersions = ProxyVersions.All }));
        Assert.True(a != (a with { VerifyCrc32c = true }));
        Assert.True(a != (a with { AllowIPv4InTcp6 = false }));

        // Setting a default explicitly gives the default value.
        Assert.Equal(ProxyParserOptions.Default, new ProxyParserOptions { MaxHeaderLength = 4096, AllowedVersions = ProxyVersions.All, VerifyCrc32c = true, AllowIPv4InTcp6 = false });
    }

    // DET-05: AllowedVersions turns each version off independently.
    [Fact]
    public void AllowedVersions_rejects_only_the_left_out_version()
    {
        byte[] v1 = TestVectors.Get(TestVectors.SpecV1Tcp4Max).Bytes;
        byte[] v2 = TestVectors.Get(TestVectors.GoldenV2Tcp4).Bytes;
        ProxyParserOptions v1Only = new() { AllowedVersions = ProxyVersions.V1 };
        ProxyParserOptions v2Only = new() { AllowedVersions = ProxyVersions.V2 };

        Assert.True(ProxyHeaderParser.TryParse(v1, v1Only, out _, out _));
        Assert.True(ProxyHeaderParser.TryParse(v2, v2Only, out _, out _));
        Assert.Equal(ProxyHeaderError.VersionNotAllowed, BufferShapes.ParseAllShapes(v1, v2Only).Error);
        Assert.Equal(ProxyHeaderError.VersionNotAllowed, BufferShapes.ParseAllShapes(v2, v1Only).Error);

        // A wrong version nibble is still that error, whatever is allowed.
        Assert.Equal(ProxyHeaderError.UnsupportedVersion, BufferShapes.ParseAllShapes(TestVectors.V2(0x11, 0x11, TestVectors.InetBlock), v1Only).Error);
    }

    // V2-05: MaxHeaderLength bounds 16 + len; the minimum still admits the 16-byte LOCAL header.
    [Fact]
    public void MaxHeaderLength_bounds_v2_headers()
    {
        ProxyParserOptions smallest = new() { MaxHeaderLength = 16 };

        Assert.Equal(OperationStatus.Done, BufferShapes.ParseAllShapes(TestVectors.Get(TestVectors.GoldenV2Local).Bytes, smallest).Status);
        Assert.Equal(ProxyHeaderError.HeaderTooLong, BufferShapes.ParseAllShapes(TestVectors.Get(TestVectors.GoldenV2Tcp4).Bytes, smallest).Error);
        Assert.Equal(OperationStatus.Done, BufferShapes.ParseAllShapes(TestVectors.Get(TestVectors.GoldenV2Tcp4).Bytes, smallest with { MaxHeaderLength = 28 }).Status);
    }

    // QUIRK-03b: AllowIPv4InTcp6 on and off.
    [Fact]
    public void AllowIPv4InTcp6_switches_bare_IPv4_in_TCP6()
    {
        byte[] line = Hex.Ascii("PROXY TCP6 192.0.2.1 192.0.2.2 1 2\r\n");

        Assert.Equal(ProxyHeaderError.AddressFamilyMismatch, BufferShapes.ParseAllShapes(line, default).Error);
        ParseOutcome allowed = BufferShapes.ParseAllShapes(line, new ProxyParserOptions { AllowIPv4InTcp6 = true });
        Assert.Equal(OperationStatus.Done, allowed.Status);
        Assert.Equal(ProxyAddressFamily.InterNetworkV6, allowed.Header.AddressFamily);
        Assert.Equal("[::ffff:192.0.2.2]:2", allowed.Header.GetDestinationEndPoint()!.ToString());

        // The option does not let IPv6 into TCP4 lines.
        Assert.Equal(ProxyHeaderError.AddressFamilyMismatch, BufferShapes.ParseAllShapes(Hex.Ascii("PROXY TCP4 ::1 ::2 1 2\r\n"), new ProxyParserOptions { AllowIPv4InTcp6 = true }).Error);
    }

    // CRC-04: VerifyCrc32c off skips only the comparison.
    [Fact]
    public void VerifyCrc32c_off_skips_only_the_comparison()
    {
        ProxyParserOptions noCrc = new() { VerifyCrc32c = false };
        byte[] wrong = (byte[])TestVectors.Get(TestVectors.GoldenV2Tcp4Crc).Bytes.Clone();
        wrong[^1] ^= 0xFF;

        Assert.Equal(ProxyHeaderError.Crc32cMismatch, BufferShapes.ParseAllShapes(wrong, default).Error);
        Assert.Equal(OperationStatus.Done, BufferShapes.ParseAllShapes(wrong, noCrc).Status);
        Assert.Equal(ProxyHeaderError.InvalidCrc32cLength, BufferShapes.ParseAllShapes(TestVectors.Get("crc05-length-3").Bytes, noCrc).Error);
    }
}
