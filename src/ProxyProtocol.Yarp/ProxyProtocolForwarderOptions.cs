using System;
using System.Collections.Generic;

namespace ProxyProtocol.Yarp;

/// <summary>Options of <c>AddProxyProtocol()</c>: clusters enabled in code.</summary>
/// <remarks>
/// A cluster is enabled by an entry here or by its metadata (<see cref="ProxyProtocolMetadata"/>); an entry
/// here wins over the metadata of the same cluster.
/// </remarks>
public sealed class ProxyProtocolForwarderOptions
{
    /// <summary>The clusters that send PROXY headers, by cluster id (compared without regard to case, as YARP does).</summary>
    public IDictionary<string, ProxyProtocolClusterOptions> Clusters { get; } = new Dictionary<string, ProxyProtocolClusterOptions>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Enables PROXY headers for a cluster in code.</summary>
    /// <param name="clusterId">The cluster id.</param>
    /// <param name="version">The header version; v2 by default.</param>
    /// <param name="tlvs">The TLVs of a v2 header; none by default.</param>
    /// <returns>These options, to chain calls.</returns>
    /// <exception cref="ArgumentException"><paramref name="clusterId"/> is null or empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="version"/> is not V1 or V2, or <paramref name="tlvs"/> has unknown flags.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="tlvs"/> is not <see cref="ProxyProtocolTlvs.None"/> with v1.</exception>
    public ProxyProtocolForwarderOptions EnableCluster(string clusterId, ProxyVersion version = ProxyVersion.V2, ProxyProtocolTlvs tlvs = ProxyProtocolTlvs.None)
    {
        ArgumentException.ThrowIfNullOrEmpty(clusterId);
        var options = new ProxyProtocolClusterOptions { Version = version, Tlvs = tlvs };
        options.Validate(clusterId);
        Clusters[clusterId] = options;
        return this;
    }

    /// <summary>The settings of a cluster: its entry in <see cref="Clusters"/>, else its metadata; <see langword="null"/> when disabled.</summary>
    internal ProxyProtocolClusterOptions? Resolve(string clusterId, IReadOnlyDictionary<string, string>? metadata)
    {
        ProxyProtocolClusterOptions? options = Clusters.TryGetValue(clusterId, out ProxyProtocolClusterOptions? configured)
            ? configured
            : ProxyProtocolMetadata.Parse(clusterId, metadata);
        options?.Validate(clusterId);
        return options;
    }
}
