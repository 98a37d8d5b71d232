using System;
using System.Collections.Generic;

namespace ProxyProtocol.Yarp;

/// <summary>
/// The cluster metadata keys that enable PROXY headers from configuration, and their parser.
/// </summary>
/// <remarks>
/// <code>
/// "Clusters": {
///   "backend": {
///     "Metadata": { "ProxyProtocol": "v2", "ProxyProtocolTlvs": "uniqueid, ssl, crc32c" },
///     "Destinations": { "d1": { "Address": "http://127.0.0.1:8080/" } }
///   }
/// }
/// </code>
/// Values are case-insensitive. A wrong value fails the configuration load with a message naming the cluster.
/// </remarks>
public static class ProxyProtocolMetadata
{
    /// <summary>
    /// <c>ProxyProtocol</c>: <c>v1</c> or <c>v2</c> to send headers; <c>off</c>, <c>none</c> or an empty value (or
    /// no key) to send none.
    /// </summary>
    public const string VersionKey = "ProxyProtocol";

    /// <summary>
    /// <c>ProxyProtocolTlvs</c>: a comma-separated list of <c>alpn</c>, <c>authority</c>, <c>uniqueid</c>,
    /// <c>ssl</c>, <c>crc32c</c>, or <c>all</c>, or <c>none</c> (the default). v2 only.
    /// </summary>
    public const string TlvsKey = "ProxyProtocolTlvs";

    /// <summary>Reads a cluster's settings; <see langword="null"/> when it sends no headers.</summary>
    /// <exception cref="FormatException">A value is not one of those listed on <see cref="VersionKey"/> and <see cref="TlvsKey"/>.</exception>
    internal static ProxyProtocolClusterOptions? Parse(string clusterId, IReadOnlyDictionary<string, string>? metadata)
    {
        if (metadata is null)
        {
            return null;
        }

        metadata.TryGetValue(TlvsKey, out string? tlvText);
        if (!metadata.TryGetValue(VersionKey, out string? versionText) || IsOff(versionText))
        {
            if (!string.IsNullOrWhiteSpace(tlvText) && !IsNone(tlvText))
            {
                throw new FormatException($"Cluster '{clusterId}': metadata {TlvsKey} is set but {VersionKey} is not v2.");
            }

            return null;
        }

        ProxyVersion version = versionText.Trim().ToUpperInvariant() switch
        {
            "V1" or "1" => ProxyVersion.V1,
            "V2" or "2" => ProxyVersion.V2,
            _ => throw new FormatException($"Cluster '{clusterId}': metadata {VersionKey} is '{versionText}'; expected v1, v2 or off."),
        };

        return new ProxyProtocolClusterOptions { Version = version, Tlvs = ParseTlvs(clusterId, tlvText) };
    }

    private static ProxyProtocolTlvs ParseTlvs(string clusterId, string? text)
    {
        ProxyProtocolTlvs tlvs = ProxyProtocolTlvs.None;
        if (text is null)
        {
            return tlvs;
        }

        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            tlvs |= part.ToUpperInvariant() switch
            {
                "ALPN" => ProxyProtocolTlvs.Alpn,
                "AUTHORITY" => ProxyProtocolTlvs.Authority,
                "UNIQUEID" or "UNIQUE_ID" => ProxyProtocolTlvs.UniqueId,
                "SSL" => ProxyProtocolTlvs.Ssl,
                "CRC32C" => ProxyProtocolTlvs.Crc32c,
                "ALL" => ProxyProtocolTlvs.All,
                "NONE" => ProxyProtocolTlvs.None,
                _ => throw new FormatException($"Cluster '{clusterId}': metadata {TlvsKey} has '{part}'; expected alpn, authority, uniqueid, ssl, crc32c, all or none."),
            };
        }

        return tlvs;
    }

    private static bool IsOff(string value) => string.IsNullOrWhiteSpace(value) || IsNone(value) || value.Trim().Equals("off", StringComparison.OrdinalIgnoreCase) || value.Trim().Equals("false", StringComparison.OrdinalIgnoreCase);

    private static bool IsNone(string value) => value.Trim().Equals("none", StringComparison.OrdinalIgnoreCase);
}
