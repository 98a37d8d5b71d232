namespace ProxyProtocol;

/// <summary>The transport protocol of the original connection, the low nibble of the v2 family byte.</summary>
public enum ProxyTransport : byte
{
    /// <summary>Unknown or unspecified transport.</summary>
    Unspecified = 0x0,

    /// <summary>A stream protocol: TCP, or <c>SOCK_STREAM</c> for Unix sockets.</summary>
    Stream = 0x1,

    /// <summary>A datagram protocol: UDP, or <c>SOCK_DGRAM</c> for Unix sockets (v2 only).</summary>
    Datagram = 0x2,
}
