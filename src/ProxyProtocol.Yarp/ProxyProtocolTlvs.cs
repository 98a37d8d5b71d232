using System;

namespace ProxyProtocol.Yarp;

/// <summary>
/// The optional TLVs a v2 header to a destination carries. Each describes the inbound client connection, like
/// the addresses; v1 headers have no TLVs.
/// </summary>
/// <remarks>
/// In configuration: cluster metadata <c>"ProxyProtocolTlvs": "alpn, authority, uniqueid, ssl, crc32c"</c>
/// (<see cref="ProxyProtocolMetadata.TlvsKey"/>), or <c>all</c>, or <c>none</c>.
/// </remarks>
[Flags]
public enum ProxyProtocolTlvs
{
    /// <summary>No TLVs: the header holds the addresses only (the default).</summary>
    None = 0,

    /// <summary>
    /// ALPN (0x01), the application protocol the client negotiated: taken from the inbound header when the
    /// connection came with one that has it, else from the TLS handshake Kestrel did; absent for cleartext clients.
    /// </summary>
    Alpn = 1,

    /// <summary>
    /// AUTHORITY (0x02), the host name the client asked for: the inbound header's, else the TLS SNI, else the
    /// host of the request that opened the destination connection.
    /// </summary>
    Authority = 2,

    /// <summary>
    /// UNIQUE_ID (0x05): the inbound header's, so a chain keeps one id per client connection, else the
    /// server's connection id (<c>HttpContext.Connection.Id</c>), to match the destination's logs with YARP's.
    /// </summary>
    UniqueId = 4,

    /// <summary>
    /// SSL (0x20) with the TLS version, cipher and client certificate common name: the inbound header's when
    /// it has one, else built from Kestrel's TLS handshake; absent for cleartext clients.
    /// </summary>
    Ssl = 8,

    /// <summary>CRC32C (0x03) over the whole header, for destinations that verify it.</summary>
    Crc32c = 16,

    /// <summary>Every TLV above.</summary>
    All = Alpn | Authority | UniqueId | Ssl | Crc32c,
}
