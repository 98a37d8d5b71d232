using System;
using System.Buffers;
using ProxyProtocol.Internal;

namespace ProxyProtocol;

/// <summary>
/// A header read from a connection by one of the I/O adapters, with its own copy of the bytes it still
/// needs, so it can outlive the buffer it was read from (pipe memory is released once the header is consumed).
/// </summary>
/// <remarks>
/// Only the TLV region and, for a Unix header, the two paths are copied, once, into one array; an IP header
/// without TLVs owns no array at all. <see cref="Header"/> then works without the original bytes.
/// </remarks>
public readonly struct ReceivedProxyHeader
{
    /// <summary>Pairs a header with its owned TLV bytes.</summary>
    /// <param name="header">The header: an IP, LOCAL or UNSPEC header, or a Unix header that owns its paths
    /// (made by a factory, or already a <see cref="ReceivedProxyHeader"/>'s).</param>
    /// <param name="tlvBytes">The header's TLV region, owned by this value.</param>
    /// <exception cref="ArgumentException"><paramref name="header"/> is a Unix header parsed from bytes it does
    /// not keep: use <see cref="Create(in ProxyHeader, ReadOnlySpan{byte})"/>, which copies the paths.</exception>
    public ReceivedProxyHeader(ProxyHeader header, ReadOnlyMemory<byte> tlvBytes)
    {
        if (header.NeedsUnixBlock)
        {
            throw new ArgumentException("A Unix header parsed from a span does not hold its paths; create the ReceivedProxyHeader with Create(header, headerBytes).", nameof(header));
        }

        Header = header;
        TlvBytes = tlvBytes;
    }

    /// <summary>The parsed header: version, command, family, transport, addresses and ports.</summary>
    public ProxyHeader Header { get; }

    /// <summary>The encoded TLVs of a v2 header; empty for v1 and for v2 without TLVs.</summary>
    public ReadOnlyMemory<byte> TlvBytes { get; }

    /// <summary>The TLVs, ready to enumerate or query with the typed accessors.</summary>
    public ProxyTlvs Tlvs => new(TlvBytes.Span);

    /// <summary>Copies what the header still needs out of the parsed bytes (the TLV region, Unix paths) and pairs it with the header.</summary>
    /// <param name="header">The parsed header.</param>
    /// <param name="headerBytes">The bytes the header was parsed from, starting at its first byte.</param>
    /// <returns>The owned header.</returns>
    /// <exception cref="ArgumentException"><paramref name="headerBytes"/> is shorter than the header, or not the
    /// bytes a Unix header was parsed from.</exception>
    public static ReceivedProxyHeader Create(in ProxyHeader header, ReadOnlySpan<byte> headerBytes)
    {
        if (!header.NeedsUnixBlock)
        {
            return new(header, header.TlvLength == 0 ? ReadOnlyMemory<byte>.Empty : header.GetTlvs(headerBytes).Bytes.ToArray());
        }

        // One array: the 216-byte address block, then the TLVs.
        byte[] owned = new byte[WireFormat.UnixBlockLength + header.TlvLength];
        header.CopyUnixBlock(headerBytes, owned);
        header.GetTlvs(headerBytes).Bytes.CopyTo(owned.AsSpan(WireFormat.UnixBlockLength));
        return new(header.WithUnixBlock(owned), owned.AsMemory(WireFormat.UnixBlockLength));
    }

    /// <summary>As <see cref="Create(in ProxyHeader, ReadOnlySpan{byte})"/>, from bytes that may span segments.</summary>
    internal static ReceivedProxyHeader Create(in ProxyHeader header, in ReadOnlySequence<byte> headerBytes)
    {
        ReadOnlySpan<byte> first = headerBytes.FirstSpan;
        if (first.Length >= header.Length)
        {
            return Create(header, first);
        }

        if (!header.NeedsUnixBlock)
        {
            return new(header, header.TlvLength == 0 ? ReadOnlyMemory<byte>.Empty : headerBytes.Slice(header.TlvOffset, header.TlvLength).ToArray());
        }

        // Rare (a Unix header split across segments): flatten it; the length is bounded by the parser's limit.
        return Create(header, headerBytes.Slice(0, header.Length).ToArray());
    }

    /// <inheritdoc/>
    public override string ToString() => Header.ToString();
}
