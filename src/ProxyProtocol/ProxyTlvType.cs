namespace ProxyProtocol;

/// <summary>Registered and vendor TLV types of PROXY v2 (spec 2.2.1 to 2.2.8, and cloud vendors' documentation).</summary>
/// <remarks>Any byte value is a valid type on the wire; unknown types are carried and skipped, never rejected (TLV-04).</remarks>
public enum ProxyTlvType : byte
{
    /// <summary>0x01: the application protocol negotiated with the client (TLS ALPN id, for example <c>h2</c>).</summary>
    Alpn = 0x01,

    /// <summary>0x02: the host name the client asked for, in UTF-8 (with TLS, the SNI).</summary>
    Authority = 0x02,

    /// <summary>0x03: a big-endian CRC-32C of the whole header, computed with this field zeroed.</summary>
    Crc32c = 0x03,

    /// <summary>0x04: padding to ignore; any length including zero.</summary>
    Noop = 0x04,

    /// <summary>0x05: an opaque connection id of up to 128 bytes.</summary>
    UniqueId = 0x05,

    /// <summary>0x20: TLS information: a client flags byte, a verify result, then sub-TLVs.</summary>
    Ssl = 0x20,

    /// <summary>0x21 (SSL sub-TLV): the TLS version in US-ASCII, for example <c>TLSv1.3</c>.</summary>
    SslVersion = 0x21,

    /// <summary>0x22 (SSL sub-TLV): the client certificate subject's Common Name in UTF-8.</summary>
    SslCommonName = 0x22,

    /// <summary>0x23 (SSL sub-TLV): the cipher suite in US-ASCII, for example <c>ECDHE-RSA-AES128-GCM-SHA256</c>.</summary>
    SslCipher = 0x23,

    /// <summary>0x24 (SSL sub-TLV): the algorithm that signed the frontend certificate, for example <c>RSA-SHA256</c>.</summary>
    SslSignatureAlgorithm = 0x24,

    /// <summary>0x25 (SSL sub-TLV): the frontend certificate's key algorithm, for example <c>RSA2048</c>.</summary>
    SslKeyAlgorithm = 0x25,

    /// <summary>0x26 (SSL sub-TLV): the key-exchange group, for example <c>secp256r1</c>.</summary>
    SslGroup = 0x26,

    /// <summary>0x27 (SSL sub-TLV): the handshake signature scheme, for example <c>rsa_pss_rsae_sha256</c>.</summary>
    SslSignatureScheme = 0x27,

    /// <summary>0x28 (SSL sub-TLV): the client certificate in ASN.1 DER.</summary>
    SslClientCertificate = 0x28,

    /// <summary>0x30: the network namespace name in US-ASCII.</summary>
    NetworkNamespace = 0x30,

    /// <summary>0xE0: Google Cloud Private Service Connect: the 8-byte big-endian connection id.</summary>
    Gcp = 0xE0,

    /// <summary>0xEA: AWS: a subtype byte, then its value; subtype 0x01 is the VPC endpoint id.</summary>
    Aws = 0xEA,

    /// <summary>0xEE: Azure: a subtype byte, then its value; subtype 0x01 is the Private Link LINKID.</summary>
    Azure = 0xEE,
}
