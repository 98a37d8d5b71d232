namespace ProxyProtocol;

/// <summary>The command of a PROXY header: whether it describes a relayed client or the proxy itself.</summary>
public enum ProxyCommand : byte
{
    /// <summary>
    /// The connection was made by the proxy itself (for example a health check). The receiver must use
    /// the real socket endpoints and ignore any address information (spec 2.2, SEM-01).
    /// </summary>
    Local = 0x0,

    /// <summary>The connection was relayed on behalf of another node; the header carries its addresses.</summary>
    Proxy = 0x1,
}
