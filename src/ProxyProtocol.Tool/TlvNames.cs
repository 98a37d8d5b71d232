namespace ProxyProtocol.Tool;

/// <summary>
/// The names <c>proxyproto</c> prints for TLV types: the spec's <c>PP2_TYPE_*</c>/<c>PP2_SUBTYPE_*</c> names
/// without the prefix, and the cloud vendors' types.
/// </summary>
internal static class TlvNames
{
    /// <summary>Names a type found among a header's top-level TLVs; <see langword="null"/> when unregistered.</summary>
    public static string? GetName(ProxyTlvType type) => type switch
    {
        ProxyTlvType.Alpn => "ALPN",
        ProxyTlvType.Authority => "AUTHORITY",
        ProxyTlvType.Crc32c => "CRC32C",
        ProxyTlvType.Noop => "NOOP",
        ProxyTlvType.UniqueId => "UNIQUE_ID",
        ProxyTlvType.Ssl => "SSL",
        ProxyTlvType.NetworkNamespace => "NETNS",
        ProxyTlvType.Gcp => "GCP",
        ProxyTlvType.Aws => "AWS",
        ProxyTlvType.Azure => "AZURE",
        _ => null,
    };

    /// <summary>Names a type found inside the SSL TLV; <see langword="null"/> when unregistered.</summary>
    public static string? GetSslSubName(ProxyTlvType type) => type switch
    {
        ProxyTlvType.SslVersion => "SSL_VERSION",
        ProxyTlvType.SslCommonName => "SSL_CN",
        ProxyTlvType.SslCipher => "SSL_CIPHER",
        ProxyTlvType.SslSignatureAlgorithm => "SSL_SIG_ALG",
        ProxyTlvType.SslKeyAlgorithm => "SSL_KEY_ALG",
        ProxyTlvType.SslGroup => "SSL_GROUP",
        ProxyTlvType.SslSignatureScheme => "SSL_SIG_SCHEME",
        ProxyTlvType.SslClientCertificate => "SSL_CLIENT_CERT",
        _ => null,
    };

    /// <summary>Whether a top-level TLV's value is meant as text (shown decoded beside its hex).</summary>
    public static bool IsText(ProxyTlvType type) =>
        type is ProxyTlvType.Alpn or ProxyTlvType.Authority or ProxyTlvType.UniqueId or ProxyTlvType.NetworkNamespace;

    /// <summary>Whether an SSL sub-TLV's value is meant as text; only the DER client certificate is not.</summary>
    public static bool IsSslSubText(ProxyTlvType type) =>
        type is >= ProxyTlvType.SslVersion and < ProxyTlvType.SslClientCertificate;
}
