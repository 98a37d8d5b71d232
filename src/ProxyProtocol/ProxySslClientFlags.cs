using System;

namespace ProxyProtocol;

/// <summary>The <c>client</c> bit field of the SSL TLV (spec 2.2.5, SSL-02).</summary>
[Flags]
public enum ProxySslClientFlags : byte
{
    /// <summary>No flag.</summary>
    None = 0,

    /// <summary>PP2_CLIENT_SSL: the client connected over TLS.</summary>
    Ssl = 0x01,

    /// <summary>PP2_CLIENT_CERT_CONN: the client presented a certificate on this connection.</summary>
    CertificateConnection = 0x02,

    /// <summary>PP2_CLIENT_CERT_SESS: the client presented a certificate at least once in this TLS session.</summary>
    CertificateSession = 0x04,
}
