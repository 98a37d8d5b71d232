namespace ProxyProtocol.AspNetCore;

/// <summary>What <c>UseProxyProtocol()</c> does with a connection whose source is not a trusted proxy.</summary>
/// <seealso cref="ProxyProtocolOptions.TrustedProxies"/>
public enum UntrustedSourceAction
{
    /// <summary>
    /// Close the connection at once, without reading or writing anything (RX-05). The default.
    /// </summary>
    Reject = 0,

    /// <summary>
    /// Serve the connection with the socket's own endpoints, as if the endpoint did not use the PROXY protocol,
    /// while still never letting a header reach the application: when the first bytes are a header signature,
    /// the header is read (it must be complete and valid), then discarded; otherwise nothing is consumed. No
    /// <see cref="IProxyProtocolFeature"/> is set. Use it for a port that serves both a balancer and direct
    /// internal clients.
    /// </summary>
    IgnoreHeader = 1,
}
