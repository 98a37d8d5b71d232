using System;
using System.Buffers.Binary;
using ProxyProtocol.Internal;

namespace ProxyProtocol;

/// <summary>
/// The SSL TLV (0x20): <c>client(1) verify(4, big-endian) sub-TLVs...</c> (spec 2.2.5). Sub-TLVs nest one
/// level only; an SSL TLV inside it is just another opaque sub-TLV (SSL-05).
/// </summary>
public readonly ref struct ProxySslTlv
{
    private readonly ReadOnlySpan<byte> _value;

    internal ProxySslTlv(ReadOnlySpan<byte> value) => _value = value;

    /// <summary>The client flags: whether the client used TLS and presented a certificate (SSL-02).</summary>
    public ProxySslClientFlags Client => _value.IsEmpty ? ProxySslClientFlags.None : (ProxySslClientFlags)_value[0];

    /// <summary>The verify result: 0 when the client presented a certificate that verified, non-zero otherwise (SSL-03).</summary>
    public uint Verify => _value.Length < WireFormat.SslFixedLength ? 0 : BinaryPrimitives.ReadUInt32BigEndian(_value.Slice(1));

    /// <summary>
    /// Whether the client presented a certificate on this connection or its session and it verified.
    /// </summary>
    /// <remarks>HAProxy leaves <see cref="Verify"/> at 0 when no certificate was presented at all, so the
    /// verify field alone does not mean the client authenticated (SSL-03).</remarks>
    public bool IsClientCertificateVerified =>
        (Client & (ProxySslClientFlags.CertificateConnection | ProxySslClientFlags.CertificateSession)) != 0 && Verify == 0 && _value.Length >= WireFormat.SslFixedLength;

    /// <summary>The sub-TLVs after the 5 fixed bytes.</summary>
    public ProxyTlvs SubTlvs => _value.Length < WireFormat.SslFixedLength ? default : new ProxyTlvs(_value.Slice(WireFormat.SslFixedLength));

    /// <summary>Gets SSL_VERSION (0x21), for example <c>TLSv1.3</c>.</summary>
    /// <param name="version">The US-ASCII bytes.</param>
    /// <returns><see langword="true"/> when present.</returns>
    public bool TryGetVersion(out ReadOnlySpan<byte> version) => SubTlvs.TryFind(ProxyTlvType.SslVersion, out version);

    /// <summary>Gets SSL_CN (0x22), the client certificate subject's Common Name.</summary>
    /// <param name="commonName">The UTF-8 bytes.</param>
    /// <returns><see langword="true"/> when present.</returns>
    public bool TryGetCommonName(out ReadOnlySpan<byte> commonName) => SubTlvs.TryFind(ProxyTlvType.SslCommonName, out commonName);

    /// <summary>Gets SSL_CIPHER (0x23), for example <c>ECDHE-RSA-AES128-GCM-SHA256</c>.</summary>
    /// <param name="cipher">The US-ASCII bytes.</param>
    /// <returns><see langword="true"/> when present.</returns>
    public bool TryGetCipher(out ReadOnlySpan<byte> cipher) => SubTlvs.TryFind(ProxyTlvType.SslCipher, out cipher);

    /// <summary>Gets SSL_SIG_ALG (0x24), the algorithm that signed the frontend certificate.</summary>
    /// <param name="algorithm">The US-ASCII bytes.</param>
    /// <returns><see langword="true"/> when present.</returns>
    public bool TryGetSignatureAlgorithm(out ReadOnlySpan<byte> algorithm) => SubTlvs.TryFind(ProxyTlvType.SslSignatureAlgorithm, out algorithm);

    /// <summary>Gets SSL_KEY_ALG (0x25), the frontend certificate's key algorithm.</summary>
    /// <param name="algorithm">The US-ASCII bytes.</param>
    /// <returns><see langword="true"/> when present.</returns>
    public bool TryGetKeyAlgorithm(out ReadOnlySpan<byte> algorithm) => SubTlvs.TryFind(ProxyTlvType.SslKeyAlgorithm, out algorithm);

    /// <summary>Gets SSL_GROUP (0x26), the key-exchange group.</summary>
    /// <param name="group">The US-ASCII bytes.</param>
    /// <returns><see langword="true"/> when present.</returns>
    public bool TryGetGroup(out ReadOnlySpan<byte> group) => SubTlvs.TryFind(ProxyTlvType.SslGroup, out group);

    /// <summary>Gets SSL_SIG_SCHEME (0x27), the handshake signature scheme.</summary>
    /// <param name="scheme">The US-ASCII bytes.</param>
    /// <returns><see langword="true"/> when present.</returns>
    public bool TryGetSignatureScheme(out ReadOnlySpan<byte> scheme) => SubTlvs.TryFind(ProxyTlvType.SslSignatureScheme, out scheme);

    /// <summary>Gets SSL_CLIENT_CERT (0x28), the client certificate in ASN.1 DER.</summary>
    /// <param name="certificate">The DER bytes.</param>
    /// <returns><see langword="true"/> when present.</returns>
    public bool TryGetClientCertificate(out ReadOnlySpan<byte> certificate) => SubTlvs.TryFind(ProxyTlvType.SslClientCertificate, out certificate);
}
