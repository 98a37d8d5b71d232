using System;
using System.Text;

namespace ProxyProtocol.AspNetCore;

/// <summary>
/// The SSL TLV (0x20) of a header, decoded: whether the client used TLS to reach the proxy, with which version
/// and cipher, and whether it presented a certificate that verified (spec 2.2.5).
/// </summary>
public sealed class ProxySslInfo
{
    internal ProxySslInfo(ReadOnlyMemory<byte> tlvBytes, ProxySslTlv ssl)
    {
        Client = ssl.Client;
        Verify = ssl.Verify;
        IsClientCertificateVerified = ssl.IsClientCertificateVerified;
        Version = Decode(ssl.TryGetVersion(out ReadOnlySpan<byte> value), value);
        CommonName = Decode(ssl.TryGetCommonName(out value), value);
        Cipher = Decode(ssl.TryGetCipher(out value), value);
        SignatureAlgorithm = Decode(ssl.TryGetSignatureAlgorithm(out value), value);
        KeyAlgorithm = Decode(ssl.TryGetKeyAlgorithm(out value), value);
        Group = Decode(ssl.TryGetGroup(out value), value);
        SignatureScheme = Decode(ssl.TryGetSignatureScheme(out value), value);
        if (ssl.TryGetClientCertificate(out value) && tlvBytes.Span.Overlaps(value, out int offset))
        {
            // A slice of the header's TLV copy: the certificate is not copied again.
            ClientCertificate = tlvBytes.Slice(offset, value.Length);
        }
    }

    /// <summary>The client flags: TLS used, certificate presented on the connection or the session (SSL-02).</summary>
    public ProxySslClientFlags Client { get; }

    /// <summary>The verify result: 0 when the client's certificate verified, non-zero otherwise (SSL-03).</summary>
    public uint Verify { get; }

    /// <summary>Whether the client presented a certificate and it verified.</summary>
    public bool IsClientCertificateVerified { get; }

    /// <summary>SSL_VERSION (0x21), for example <c>TLSv1.3</c>; <see langword="null"/> when absent.</summary>
    public string? Version { get; }

    /// <summary>SSL_CN (0x22), the common name of the client certificate's subject; <see langword="null"/> when absent.</summary>
    public string? CommonName { get; }

    /// <summary>SSL_CIPHER (0x23), for example <c>ECDHE-RSA-AES128-GCM-SHA256</c>; <see langword="null"/> when absent.</summary>
    public string? Cipher { get; }

    /// <summary>SSL_SIG_ALG (0x24), the client certificate's signature algorithm; <see langword="null"/> when absent.</summary>
    public string? SignatureAlgorithm { get; }

    /// <summary>SSL_KEY_ALG (0x25), the client certificate's key algorithm; <see langword="null"/> when absent.</summary>
    public string? KeyAlgorithm { get; }

    /// <summary>SSL_GROUP (0x26), the key exchange group, for example <c>X25519</c>; <see langword="null"/> when absent.</summary>
    public string? Group { get; }

    /// <summary>SSL_SIG_SCHEME (0x27), the TLS signature scheme; <see langword="null"/> when absent.</summary>
    public string? SignatureScheme { get; }

    /// <summary>SSL_CLIENT_CERT (0x28), the client's certificate in DER form; empty when absent.</summary>
    public ReadOnlyMemory<byte> ClientCertificate { get; }

    private static string? Decode(bool present, ReadOnlySpan<byte> value) => present ? Encoding.UTF8.GetString(value) : null;
}
