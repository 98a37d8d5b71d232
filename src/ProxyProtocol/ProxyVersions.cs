using System;

namespace ProxyProtocol;

/// <summary>A set of PROXY protocol versions, used to say which versions a receiver accepts.</summary>
[Flags]
public enum ProxyVersions
{
    /// <summary>No version.</summary>
    None = 0,

    /// <summary>The v1 text header.</summary>
    V1 = 1,

    /// <summary>The v2 binary header.</summary>
    V2 = 2,

    /// <summary>Both versions, the default: the spec says v2 receivers should also accept v1 (DET-05).</summary>
    All = V1 | V2,
}
