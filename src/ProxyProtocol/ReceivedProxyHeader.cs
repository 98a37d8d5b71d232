using System;

namespace ProxyProtocol;

/// <summary>
/// A header read from a connection by one of the I/O adapters, with its own copy of the TLV bytes, so it
/// can outlive the buffer it was read from (pipe memory is released once the header is consumed).
/// </summary>
/// <remarks>Only the TLV region is copied, once; a header without TLVs owns no array at all.</remarks>
public readonly struct ReceivedProxyHeader
{
    /// <summary>Pairs a parsed header with its owned TLV bytes.</summary>
    /// <param name="header">The parsed header.</param>
    /// <param name="tlvBytes">The header's TLV region, owned by this value.</param>
    public ReceivedProxyHeader(ProxyHeader header, ReadOnlyMemory<byte> tlvBytes)
    {
        Header = header;
        TlvBytes = tlvBytes;
    }

    /// <summary>The parsed header: version, command, family, transport, addresses and ports.</summary>
    public ProxyHeader Header { get; }

    /// <summary>The encoded TLVs of a v2 header; empty for v1 and for v2 without TLVs.</summary>
    public ReadOnlyMemory<byte> TlvBytes { get; }

    /// <summary>The TLVs, ready to enumerate or query with the typed accessors.</summary>
    public ProxyTlvs Tlvs => new(TlvBytes.Span);

    /// <summary>Copies the TLV region out of parsed bytes and pairs it with the header.</summary>
    /// <param name="header">The parsed header.</param>
    /// <param name="headerBytes">The bytes the header was parsed from, starting at its first byte.</param>
    /// <returns>The owned header.</returns>
    public static ReceivedProxyHeader Create(in ProxyHeader header, ReadOnlySpan<byte> headerBytes) =>
        new(header, header.TlvLength == 0 ? ReadOnlyMemory<byte>.Empty : headerBytes.Slice(header.TlvOffset, header.TlvLength).ToArray());

    /// <inheritdoc/>
    public override string ToString() => Header.ToString();
}
