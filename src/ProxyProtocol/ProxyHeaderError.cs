namespace ProxyProtocol;

/// <summary>
/// The precise reason a PROXY header was rejected. Every value other than <see cref="None"/> goes with
/// <see cref="System.Buffers.OperationStatus.InvalidData"/>: no bytes appended later could make the input valid.
/// </summary>
public enum ProxyHeaderError
{
    /// <summary>No error: the header is valid, or more data is needed to decide.</summary>
    None = 0,

    /// <summary>
    /// The input ended before the header was complete (V2-09). Only methods that know no more bytes will
    /// come report it: the throwing parsers and the I/O adapters when the peer closes mid-header.
    /// </summary>
    IncompleteHeader,

    /// <summary>The input starts with neither the v1 <c>"PROXY "</c> prefix nor the v2 signature (DET-03).</summary>
    InvalidSignature,

    /// <summary>The header is well formed but its version is not in <see cref="ProxyParserOptions.AllowedVersions"/>.</summary>
    VersionNotAllowed,

    /// <summary>v1: no CRLF within the first 107 bytes (V1-09).</summary>
    LineTooLong,

    /// <summary>v1: a CR not followed by LF, or an LF not preceded by CR (V1-08).</summary>
    InvalidLineEnding,

    /// <summary>v1: the protocol word is not exactly <c>TCP4</c>, <c>TCP6</c> or <c>UNKNOWN</c> (V1-02).</summary>
    InvalidProtocol,

    /// <summary>v1: a missing field, an extra field, or a separator other than exactly one space (V1-03).</summary>
    InvalidFieldSeparator,

    /// <summary>v1: an address of a <c>TCP4</c> line is not a strict dotted quad (V1-04).</summary>
    InvalidIPv4Address,

    /// <summary>v1: an address of a <c>TCP6</c> line is not valid RFC 4291 IPv6 text (V1-05).</summary>
    InvalidIPv6Address,

    /// <summary>v1: an address is of the other family than the one named by the protocol word (V1-06).</summary>
    AddressFamilyMismatch,

    /// <summary>v1: a port is not a decimal 0-65535 without sign or leading zeros (V1-07).</summary>
    InvalidPort,

    /// <summary>v2: the version nibble is not 2 (V2-01).</summary>
    UnsupportedVersion,

    /// <summary>v2: the command nibble is neither LOCAL (0) nor PROXY (1) (V2-02).</summary>
    InvalidCommand,

    /// <summary>v2: the address family nibble is above 3 (V2-03).</summary>
    InvalidAddressFamily,

    /// <summary>v2: the transport nibble is above 2 (V2-03).</summary>
    InvalidTransport,

    /// <summary>v2: family and transport are each known but not one of the combinations the spec allows (V2-04).</summary>
    InvalidFamilyTransportCombination,

    /// <summary>v2: the length field is smaller than the address block of the announced family (V2-07).</summary>
    LengthTooShortForFamily,

    /// <summary>v2: <c>16 + len</c> is above <see cref="ProxyParserOptions.MaxHeaderLength"/>.</summary>
    HeaderTooLong,

    /// <summary>v2: fewer than 3 bytes are left for a TLV header inside the header length (TLV-01).</summary>
    TlvTruncated,

    /// <summary>v2: a TLV value runs past the end of the header (TLV-02).</summary>
    TlvOverrun,

    /// <summary>v2: the CRC32C TLV value is not exactly 4 bytes (CRC-05).</summary>
    InvalidCrc32cLength,

    /// <summary>v2: the CRC32C carried by the header does not match the header's bytes (CRC-04).</summary>
    Crc32cMismatch,

    /// <summary>v2: the SSL TLV is shorter than its 5-byte client and verify fields (SSL-01).</summary>
    InvalidSslTlv,

    /// <summary>v2: an SSL sub-TLV is truncated or runs past the SSL TLV value (SSL-06).</summary>
    SslSubTlvOverrun,

    /// <summary>v2: the UNIQUE_ID TLV is longer than 128 bytes (spec 2.2.5).</summary>
    UniqueIdTooLong,
}
