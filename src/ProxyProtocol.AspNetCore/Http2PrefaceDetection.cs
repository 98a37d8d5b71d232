namespace ProxyProtocol.AspNetCore;

/// <summary>
/// Whether <c>UseProxyProtocol()</c> looks at the first bytes after the header to choose HTTP/2 (the connection
/// preface) or HTTP/1.1 on a cleartext endpoint that allows both.
/// </summary>
/// <seealso cref="ProxyProtocolOptions.DetectHttp2Preface"/>
public enum Http2PrefaceDetection
{
    /// <summary>
    /// Look where Kestrel's HTTP layer follows <c>UseProxyProtocol()</c>, which is decided when Kestrel binds the
    /// endpoint: yes for Kestrel's own connection middleware and for middleware added with
    /// <c>ListenOptions.Use(...)</c>; no for <c>UseConnectionHandler&lt;T&gt;()</c> and <c>Run(...)</c>, whose
    /// protocol may speak first. The default.
    /// </summary>
    Auto = 0,

    /// <summary>Always look on a cleartext endpoint that allows HTTP/1.1 and HTTP/2.</summary>
    Enabled = 1,

    /// <summary>
    /// Never look: the connection is handed on as soon as the header is read, and Kestrel serves HTTP/1.1 on an
    /// endpoint that allows both. Use it for a protocol in which the server speaks first.
    /// </summary>
    Disabled = 2,
}
