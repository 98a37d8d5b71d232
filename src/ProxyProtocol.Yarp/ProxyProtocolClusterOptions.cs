using System;

namespace ProxyProtocol.Yarp;

/// <summary>How a cluster sends PROXY headers to its destinations: the version and, for v2, the TLVs.</summary>
/// <remarks>
/// Set it in code with <see cref="ProxyProtocolForwarderOptions.Clusters"/>, or in the cluster's metadata
/// (<see cref="ProxyProtocolMetadata"/>). Each new destination connection starts with one header describing the
/// inbound client connection, and carries requests of that client connection only.
/// </remarks>
public sealed class ProxyProtocolClusterOptions
{
    private ProxyVersion _version = ProxyVersion.V2;
    private ProxyProtocolTlvs _tlvs;

    /// <summary>The header version: <see cref="ProxyVersion.V2"/> (the default) or <see cref="ProxyVersion.V1"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not V1 or V2.</exception>
    public ProxyVersion Version
    {
        get => _version;
        set
        {
            if (value is not (ProxyVersion.V1 or ProxyVersion.V2))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "The PROXY protocol version is V1 or V2.");
            }

            _version = value;
        }
    }

    /// <summary>The TLVs of a v2 header; <see cref="ProxyProtocolTlvs.None"/> by default. A v1 cluster with TLVs is refused when it is loaded.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value has flags outside <see cref="ProxyProtocolTlvs.All"/>.</exception>
    public ProxyProtocolTlvs Tlvs
    {
        get => _tlvs;
        set
        {
            if ((value & ~ProxyProtocolTlvs.All) != 0)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "Unknown TLV flags.");
            }

            _tlvs = value;
        }
    }

    /// <summary>Throws when the settings cannot be sent: TLVs with v1.</summary>
    internal void Validate(string clusterId)
    {
        if (_version == ProxyVersion.V1 && _tlvs != ProxyProtocolTlvs.None)
        {
            throw new InvalidOperationException($"Cluster '{clusterId}': PROXY protocol v1 has no TLVs; use v2 or remove {ProxyProtocolMetadata.TlvsKey}.");
        }
    }

    internal bool SameAs(ProxyProtocolClusterOptions? other) => other is not null && other._version == _version && other._tlvs == _tlvs;
}
