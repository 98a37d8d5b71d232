using System;
using System.Runtime.CompilerServices;

namespace ProxyProtocol.Internal;

/// <summary>Byte layouts of both header versions, from HAProxy's doc/proxy-protocol.txt.</summary>
internal static class WireFormat
{
    // ---- v1 (spec 2.1) --------------------------------------------------------------------------
    //
    //   "PROXY" SP ( "TCP4" | "TCP6" | "UNKNOWN" ) SP src SP dst SP sport SP dport CRLF
    //
    // The longest line a receiver must accept is 107 bytes including CRLF (V1-09).

    /// <summary>The v1 line start, including the single space that follows "PROXY" (V1-01).</summary>
    public static ReadOnlySpan<byte> V1Prefix => "PROXY "u8;

    /// <summary>Maximum v1 line length, CRLF included (V1-09).</summary>
    public const int V1MaxLength = 107;

    // ---- v2 (spec 2.2) --------------------------------------------------------------------------
    //
    //    0                   1                   2                   3
    //    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    //   +-------------------------------+-------------------------------+
    //   |  0D 0A 0D 0A 00 0D 0A 51 55 49 54 0A  (12-byte signature)     |
    //   +---------------+---------------+-------------------------------+
    //   |  ver  |  cmd  |  fam  | proto |          len (big-endian)     |
    //   +---------------+---------------+-------------------------------+
    //   |  address block (0, 12, 36 or 216 bytes) | TLVs ...            |
    //   +-----------------------------------------------------------------
    //
    // The total header length is always 16 + len (V2-05).

    /// <summary>The 12-byte v2 signature <c>\r\n\r\n\0\r\nQUIT\n</c>; it contains a NUL (DET-01).</summary>
    public static ReadOnlySpan<byte> V2Signature => [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    /// <summary>Length of the fixed part: signature, ver_cmd, fam, len.</summary>
    public const int V2FixedLength = 16;

    /// <summary>Offset of the version/command byte.</summary>
    public const int V2VersionCommandOffset = 12;

    /// <summary>Offset of the family/transport byte.</summary>
    public const int V2FamilyOffset = 13;

    /// <summary>Offset of the big-endian length.</summary>
    public const int V2LengthOffset = 14;

    /// <summary>Largest possible v2 header: 16 + 65535 (V2-05).</summary>
    public const int V2MaxLength = V2FixedLength + ushort.MaxValue;

    // ver_cmd byte (offset 12):   7 6 5 4 | 3 2 1 0
    //                           version | command       version must be 0x2 (V2-01)
    public const byte V2Version = 0x20;
    public const byte VersionMask = 0xF0;
    public const byte CommandMask = 0x0F;

    // fam byte (offset 13):       7 6 5 4 | 3 2 1 0
    //                            family | transport
    public const byte FamilyMask = 0xF0;
    public const byte TransportMask = 0x0F;

    // Address block sizes by family (V2-04):
    //   INET : src(4)  dst(4)  sport(2) dport(2) = 12
    //   INET6: src(16) dst(16) sport(2) dport(2) = 36
    //   UNIX : src(108) dst(108)                 = 216
    public const int InetBlockLength = 12;
    public const int Inet6BlockLength = 36;
    public const int UnixPathLength = 108;
    public const int UnixBlockLength = 2 * UnixPathLength;

    // TLV framing (spec 2.2.7):  type(1) length_hi(1) length_lo(1) value(length)
    public const int TlvHeaderLength = 3;

    // SSL TLV value (spec 2.2.5): client(1) verify(4, big-endian) sub-TLVs...
    public const int SslFixedLength = 5;

    /// <summary>UNIQUE_ID values may be up to 128 bytes (spec 2.2.5).</summary>
    public const int UniqueIdMaxLength = 128;

    /// <summary>Returns the v2 address block size for a family, 0 for UNSPEC.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int GetAddressBlockLength(ProxyAddressFamily family) => family switch
    {
        ProxyAddressFamily.InterNetwork => InetBlockLength,
        ProxyAddressFamily.InterNetworkV6 => Inet6BlockLength,
        ProxyAddressFamily.Unix => UnixBlockLength,
        _ => 0,
    };
}
