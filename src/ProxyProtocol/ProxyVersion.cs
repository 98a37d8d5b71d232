namespace ProxyProtocol;

/// <summary>The version of a PROXY protocol header.</summary>
public enum ProxyVersion : byte
{
    /// <summary>The human-readable text header (<c>PROXY TCP4 ...\r\n</c>), spec section 2.1.</summary>
    V1 = 1,

    /// <summary>The binary header that starts with the 12-byte signature, spec section 2.2.</summary>
    V2 = 2,
}
