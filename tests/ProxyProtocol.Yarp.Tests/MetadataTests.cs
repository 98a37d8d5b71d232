using System;
using System.Collections.Generic;

namespace ProxyProtocol.Yarp.Tests;

/// <summary>Cluster metadata as written in appsettings.json: what enables headers, and what fails the load.</summary>
public sealed class MetadataTests
{
    [Theory]
    [InlineData("v2", ProxyVersion.V2)]
    [InlineData("V1", ProxyVersion.V1)]
    [InlineData(" 2 ", ProxyVersion.V2)]
    [InlineData("1", ProxyVersion.V1)]
    public void Version_key_enables_headers(string value, ProxyVersion expected)
    {
        ProxyProtocolClusterOptions? options = Resolve(new() { ["ProxyProtocol"] = value });

        Assert.NotNull(options);
        Assert.Equal(expected, options.Version);
        Assert.Equal(ProxyProtocolTlvs.None, options.Tlvs);
    }

    [Theory]
    [InlineData("off")]
    [InlineData("none")]
    [InlineData("")]
    [InlineData("false")]
    public void Off_values_and_absent_key_send_no_header(string value)
    {
        Assert.Null(Resolve(new() { ["ProxyProtocol"] = value }));
        Assert.Null(Resolve(new() { ["Other"] = "v2" }));
        Assert.Null(new ProxyProtocolForwarderOptions().Resolve("c1", null));
    }

    [Theory]
    [InlineData("alpn", ProxyProtocolTlvs.Alpn)]
    [InlineData("uniqueid, ssl ,CRC32C", ProxyProtocolTlvs.UniqueId | ProxyProtocolTlvs.Ssl | ProxyProtocolTlvs.Crc32c)]
    [InlineData("authority,unique_id", ProxyProtocolTlvs.Authority | ProxyProtocolTlvs.UniqueId)]
    [InlineData("all", ProxyProtocolTlvs.All)]
    [InlineData("none", ProxyProtocolTlvs.None)]
    public void Tlvs_key_lists_the_TLVs(string value, ProxyProtocolTlvs expected)
    {
        ProxyProtocolClusterOptions? options = Resolve(new() { ["ProxyProtocol"] = "v2", ["ProxyProtocolTlvs"] = value });

        Assert.Equal(expected, options!.Tlvs);
    }

    [Theory]
    [InlineData("v3", null, "ProxyProtocol is 'v3'")]
    [InlineData("v2", "alpn,bogus", "'bogus'")]
    [InlineData("off", "ssl", "ProxyProtocolTlvs is set but ProxyProtocol is not v2")]
    public void Wrong_values_fail_with_a_message_naming_the_cluster_and_the_value(string version, string? tlvs, string expected)
    {
        var metadata = new Dictionary<string, string> { ["ProxyProtocol"] = version };
        if (tlvs is not null)
        {
            metadata["ProxyProtocolTlvs"] = tlvs;
        }

        FormatException e = Assert.Throws<FormatException>(() => Resolve(metadata));

        Assert.Contains("Cluster 'c1'", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void V1_with_TLVs_is_refused_in_metadata_and_in_code()
    {
        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => Resolve(new() { ["ProxyProtocol"] = "v1", ["ProxyProtocolTlvs"] = "ssl" }));
        Assert.Contains("v1 has no TLVs", e.Message, StringComparison.Ordinal);

        Assert.Throws<InvalidOperationException>(() => new ProxyProtocolForwarderOptions().EnableCluster("c1", ProxyVersion.V1, ProxyProtocolTlvs.Ssl));
    }

    [Fact]
    public void Code_wins_over_metadata_and_ids_ignore_case()
    {
        var options = new ProxyProtocolForwarderOptions().EnableCluster("C1", ProxyVersion.V1);

        ProxyProtocolClusterOptions? resolved = options.Resolve("c1", new Dictionary<string, string> { ["ProxyProtocol"] = "v2" });

        Assert.Equal(ProxyVersion.V1, resolved!.Version);
    }

    [Fact]
    public void Options_refuse_values_they_cannot_send()
    {
        var options = new ProxyProtocolClusterOptions();

        Assert.Throws<ArgumentOutOfRangeException>(() => options.Version = (ProxyVersion)3);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.Tlvs = (ProxyProtocolTlvs)64);
        Assert.Equal(ProxyVersion.V2, options.Version);
    }

    private static ProxyProtocolClusterOptions? Resolve(Dictionary<string, string> metadata) => new ProxyProtocolForwarderOptions().Resolve("c1", metadata);
}
