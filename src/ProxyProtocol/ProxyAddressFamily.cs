namespace ProxyProtocol;

/// <summary>The address family of the original connection, the high nibble of the v2 family byte.</summary>
public enum ProxyAddressFamily : byte
{
    /// <summary>Unknown or unsupported family; no addresses are carried (v1 <c>UNKNOWN</c>).</summary>
    Unspecified = 0x0,

    /// <summary>IPv4 (v1 <c>TCP4</c>); 4-byte addresses and 2-byte ports.</summary>
    InterNetwork = 0x1,

    /// <summary>IPv6 (v1 <c>TCP6</c>); 16-byte addresses and 2-byte ports.</summary>
    InterNetworkV6 = 0x2,

    /// <summary>Unix domain sockets; two 108-byte NUL-padded paths (v2 only).</summary>
    Unix = 0x3,
}
