using System;

namespace ProxyProtocol;

/// <summary>One TLV of a v2 header: its type and a view of its value in the parsed bytes.</summary>
public readonly ref struct ProxyTlv
{
    /// <summary>Creates a TLV view.</summary>
    /// <param name="type">The type byte.</param>
    /// <param name="value">The value bytes.</param>
    public ProxyTlv(ProxyTlvType type, ReadOnlySpan<byte> value)
    {
        Type = type;
        Value = value;
    }

    /// <summary>The type byte; any value may appear, not only the named ones.</summary>
    public ProxyTlvType Type { get; }

    /// <summary>The value, without the 3-byte type and length prefix.</summary>
    public ReadOnlySpan<byte> Value { get; }
}
