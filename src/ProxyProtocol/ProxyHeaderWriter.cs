using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using ProxyProtocol.Internal;

namespace ProxyProtocol;

/// <summary>
/// Writes PROXY headers, v1 and v2, into spans and buffer writers without allocating. The header always
/// comes out in one piece, so a sender can put it on the wire in a single write (TX-01).
/// </summary>
/// <remarks>
/// Build the header with the <see cref="ProxyHeader"/> factories (or take one from the parser). For v2
/// headers with TLVs and CRC32C, use <see cref="ProxyV2HeaderBuilder"/>, or pass already encoded TLVs here.
/// </remarks>
public static class ProxyHeaderWriter
{
    /// <summary>The longest v1 header: 107 bytes including CRLF (V1-09). A buffer this big always fits.</summary>
    public const int MaxV1Length = WireFormat.V1MaxLength;

    /// <summary>Returns the exact length of the v1 line for <paramref name="header"/>.</summary>
    /// <param name="header">The header.</param>
    /// <returns>The length in bytes, CRLF included.</returns>
    public static int GetV1Length(in ProxyHeader header)
    {
        Span<byte> scratch = stackalloc byte[MaxV1Length];
        return FormatV1(header, scratch);
    }

    /// <summary>Returns the exact length of the v2 header for <paramref name="header"/> followed by <paramref name="tlvLength"/> bytes of TLVs.</summary>
    /// <param name="header">The header.</param>
    /// <param name="tlvLength">The length of the encoded TLVs.</param>
    /// <returns>The length in bytes: <c>16 + address block + TLVs</c>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="tlvLength"/> is negative.</exception>
    /// <remarks>A LOCAL header, or one with an unspecified family, has no address block: it is written as LOCAL with fam 0x00 (TX-02, TX-04).</remarks>
    public static int GetV2Length(in ProxyHeader header, int tlvLength = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(tlvLength);
        return WireFormat.V2FixedLength + (WritesAsLocal(header) ? 0 : WireFormat.GetAddressBlockLength(header.AddressFamily)) + tlvLength;
    }

    /// <summary>
    /// Writes a v1 line. IPv4 and IPv6 stream headers give <c>TCP4</c>/<c>TCP6</c>; anything v1 cannot express
    /// (LOCAL, UNSPEC, Unix, datagram) gives <c>PROXY UNKNOWN\r\n</c> (V1-13, TX-04).
    /// </summary>
    /// <param name="header">The header.</param>
    /// <param name="destination">Where to write.</param>
    /// <param name="bytesWritten">The bytes written, when <see cref="OperationStatus.Done"/>.</param>
    /// <returns><see cref="OperationStatus.Done"/>, or <see cref="OperationStatus.DestinationTooSmall"/> with nothing written.</returns>
    public static OperationStatus WriteV1(in ProxyHeader header, Span<byte> destination, out int bytesWritten)
    {
        if (destination.Length >= MaxV1Length)
        {
            bytesWritten = FormatV1(header, destination);
            return OperationStatus.Done;
        }

        Span<byte> scratch = stackalloc byte[MaxV1Length];
        int length = FormatV1(header, scratch);
        if (length > destination.Length)
        {
            bytesWritten = 0;
            return OperationStatus.DestinationTooSmall;
        }

        scratch.Slice(0, length).CopyTo(destination);
        bytesWritten = length;
        return OperationStatus.Done;
    }

    /// <summary>Writes a v2 header without TLVs.</summary>
    /// <remarks>
    /// A LOCAL header is written as LOCAL with fam 0x00 and no address block, as the spec asks of senders (TX-02):
    /// the receiver discards the family of a LOCAL header anyway. A PROXY header with an unspecified family (v1
    /// <c>UNKNOWN</c>, <see cref="ProxyHeader.CreateUnknown"/>) is written as LOCAL too, as HAProxy does (TX-04):
    /// HAProxy rejects PROXY with fam 0x00, and both tell the receiver to use the socket's own endpoints.
    /// </remarks>
    /// <param name="header">The header.</param>
    /// <param name="destination">Where to write.</param>
    /// <param name="bytesWritten">The bytes written, when <see cref="OperationStatus.Done"/>.</param>
    /// <returns><see cref="OperationStatus.Done"/>, or <see cref="OperationStatus.DestinationTooSmall"/> with nothing written.</returns>
    /// <exception cref="InvalidOperationException"><paramref name="header"/> is a Unix header parsed from a span, which does not hold its paths (keep it with <see cref="ReceivedProxyHeader.Create(in ProxyHeader, ReadOnlySpan{byte})"/>).</exception>
    public static OperationStatus WriteV2(in ProxyHeader header, Span<byte> destination, out int bytesWritten) =>
        WriteV2(header, default, destination, out bytesWritten);

    /// <summary>
    /// Writes a v2 header followed by already encoded TLVs, for example those of a parsed header. When the
    /// TLVs contain a CRC32C TLV, its value is computed over the written header (CRC-03).
    /// </summary>
    /// <remarks>
    /// The TLVs are checked with the parser's own rules, so that nothing is written that a receiver would reject
    /// (docs/conformance.md#quirk-10): whole TLVs only, at most one CRC32C TLV (the one the writer computes) of
    /// exactly 4 bytes, a UNIQUE_ID of at most 128 bytes, an SSL TLV of at least 5 bytes whose sub-TLVs fit in it.
    /// The exception's message names the <see cref="ProxyHeaderError"/> the parser would report. LOCAL and
    /// UNKNOWN headers are written as LOCAL with fam 0x00 (see <see cref="WriteV2(in ProxyHeader, Span{byte}, out int)"/>).
    /// </remarks>
    /// <param name="header">The header.</param>
    /// <param name="tlvs">Encoded TLVs, copied as they are (a CRC32C value is recomputed).</param>
    /// <param name="destination">Where to write.</param>
    /// <param name="bytesWritten">The bytes written, when <see cref="OperationStatus.Done"/>.</param>
    /// <returns><see cref="OperationStatus.Done"/>, or <see cref="OperationStatus.DestinationTooSmall"/> with nothing written.</returns>
    /// <exception cref="ArgumentException"><paramref name="tlvs"/> is not a run of whole TLVs, breaks a rule of a registered type the parser checks, holds more than one CRC32C TLV, or the header would exceed 65551 bytes.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="header"/> is a Unix header parsed from a span, which does not hold its paths (keep it with <see cref="ReceivedProxyHeader.Create(in ProxyHeader, ReadOnlySpan{byte})"/>).</exception>
    public static OperationStatus WriteV2(in ProxyHeader header, ReadOnlySpan<byte> tlvs, Span<byte> destination, out int bytesWritten)
    {
        int crcValueOffset = tlvs.IsEmpty ? -1 : CheckTlvs(tlvs);
        int length = GetV2Length(header, tlvs.Length);
        if (length > WireFormat.V2MaxLength)
        {
            throw new ArgumentException("A v2 header is at most 65551 bytes; the TLVs are too long.", nameof(tlvs));
        }

        if (length > destination.Length)
        {
            bytesWritten = 0;
            return OperationStatus.DestinationTooSmall;
        }

        int offset = WriteV2Prefix(header, destination, length);
        tlvs.CopyTo(destination.Slice(offset));
        if (crcValueOffset >= 0)
        {
            FillCrc32c(destination.Slice(0, length), offset + crcValueOffset);
        }

        bytesWritten = length;
        return OperationStatus.Done;
    }

    /// <summary>Writes a v1 line into a buffer writer.</summary>
    /// <param name="header">The header.</param>
    /// <param name="writer">The writer; the line is committed with one <see cref="IBufferWriter{T}.Advance"/>.</param>
    /// <returns>The bytes written.</returns>
    public static int WriteV1(in ProxyHeader header, IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        int length = FormatV1(header, writer.GetSpan(MaxV1Length));
        writer.Advance(length);
        return length;
    }

    /// <summary>Writes a v2 header and encoded TLVs into a buffer writer.</summary>
    /// <param name="header">The header.</param>
    /// <param name="writer">The writer; the header is committed with one <see cref="IBufferWriter{T}.Advance"/>.</param>
    /// <param name="tlvs">Encoded TLVs, copied as they are (a CRC32C value is recomputed).</param>
    /// <returns>The bytes written.</returns>
    /// <exception cref="ArgumentException"><paramref name="tlvs"/> breaks the rules of <see cref="WriteV2(in ProxyHeader, ReadOnlySpan{byte}, Span{byte}, out int)"/>, or the header would exceed 65551 bytes.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="header"/> is a Unix header parsed from a span, which does not hold its paths (keep it with <see cref="ReceivedProxyHeader.Create(in ProxyHeader, ReadOnlySpan{byte})"/>).</exception>
    public static int WriteV2(in ProxyHeader header, IBufferWriter<byte> writer, ReadOnlySpan<byte> tlvs = default)
    {
        ArgumentNullException.ThrowIfNull(writer);
        int length = GetV2Length(header, tlvs.Length);
        WriteV2(header, tlvs, writer.GetSpan(length), out int written);
        writer.Advance(written);
        return written;
    }

    /// <summary>Writes the fixed 16 bytes and the address block; returns where the TLVs start.</summary>
    internal static int WriteV2Prefix(in ProxyHeader header, Span<byte> destination, int totalLength)
    {
        // ver_cmd and fam (spec 2.2): LOCAL and UNKNOWN go out as LOCAL with fam 0x00 and no block (TX-02, TX-04).
        bool local = WritesAsLocal(header);
        ProxyAddressFamily family = header.AddressFamily;
        int blockLength = local ? 0 : WireFormat.GetAddressBlockLength(family);
        int prefixLength = WireFormat.V2FixedLength + blockLength;
        Span<byte> prefix = destination.Slice(0, prefixLength);

        WireFormat.V2Signature.CopyTo(prefix);
        prefix[WireFormat.V2VersionCommandOffset] = (byte)(WireFormat.V2Version | (byte)(local ? ProxyCommand.Local : ProxyCommand.Proxy));
        prefix[WireFormat.V2FamilyOffset] = local ? (byte)0 : (byte)(((byte)family << 4) | (byte)header.Transport);
        BinaryPrimitives.WriteUInt16BigEndian(prefix.Slice(WireFormat.V2LengthOffset), (ushort)(totalLength - WireFormat.V2FixedLength));

        // Address block (V2-06): src addr, dst addr (kept back to back by ProxyHeader, so one copy of a constant
        // length), then src port, dst port for the IP families. Read inline, not through header.Addresses, whose
        // Unix case would be a call on every write.
        Span<byte> block = prefix.Slice(WireFormat.V2FixedLength);
        switch (blockLength)
        {
            case WireFormat.InetBlockLength:
                header.InlineAddresses.Slice(0, 8).CopyTo(block);
                WritePorts(header, block.Slice(8));
                break;
            case WireFormat.Inet6BlockLength:
                header.InlineAddresses.Slice(0, 32).CopyTo(block);
                WritePorts(header, block.Slice(32));
                break;
            case WireFormat.UnixBlockLength:
                header.Addresses.CopyTo(block); // two 108-byte paths, no ports
                break;
        }

        return prefixLength;
    }

    /// <summary>Writes the source then the destination port, big-endian.</summary>
    private static void WritePorts(in ProxyHeader header, Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, header.SourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(destination.Slice(2), header.DestinationPort);
    }

    /// <summary>Computes the CRC-32C of a finished header with its field zeroed, and stores it big-endian (CRC-02, CRC-03).</summary>
    internal static void FillCrc32c(Span<byte> header, int crcValueOffset)
    {
        Span<byte> field = header.Slice(crcValueOffset, 4);
        field.Clear();
        BinaryPrimitives.WriteUInt32BigEndian(field, Crc32C.Compute(header));
    }

    /// <summary>Whether a header goes out as v2 LOCAL with fam 0x00: LOCAL itself, or PROXY with no family to carry.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool WritesAsLocal(in ProxyHeader header) =>
        header.Command == ProxyCommand.Local || header.AddressFamily == ProxyAddressFamily.Unspecified;

    /// <summary>
    /// Checks encoded TLVs with the parser's rules (QUIRK-10); returns the offset of the CRC32C value in them,
    /// or -1.
    /// </summary>
    private static int CheckTlvs(ReadOnlySpan<byte> tlvs)
    {
        ProxyHeaderError error = ProxyHeaderParser.ValidateTlvs(tlvs, 0, tlvs.Length, out int crcValueOffset);
        if (error != ProxyHeaderError.None)
        {
            throw TlvRejected(error, nameof(tlvs));
        }

        // The writer computes one CRC32C; a second one it would leave as given, which no receiver accepts (QUIRK-09).
        if (crcValueOffset >= 0)
        {
            int offset = crcValueOffset + 4;
            while (offset < tlvs.Length)
            {
                if (tlvs[offset] == (byte)ProxyTlvType.Crc32c)
                {
                    throw new ArgumentException("The TLVs hold more than one CRC32C TLV; the writer computes only one, and a receiver checks each (Crc32cMismatch).", nameof(tlvs));
                }

                offset += WireFormat.TlvHeaderLength + BinaryPrimitives.ReadUInt16BigEndian(tlvs.Slice(offset + 1));
            }
        }

        return crcValueOffset;
    }

    /// <summary>The exception for TLVs a receiver would reject, named by the parser's error (QUIRK-10).</summary>
    internal static ArgumentException TlvRejected(ProxyHeaderError error, string parameterName)
    {
        string rule = error switch
        {
            ProxyHeaderError.InvalidCrc32cLength => "A CRC32C TLV value is exactly 4 bytes",
            ProxyHeaderError.UniqueIdTooLong => "A UNIQUE_ID is at most 128 bytes",
            ProxyHeaderError.InvalidSslTlv => "An SSL TLV value is at least 5 bytes (client and verify)",
            ProxyHeaderError.SslSubTlvOverrun => "The SSL TLV's sub-TLVs must fit in its value",
            _ => "The TLV bytes end in the middle of a TLV",
        };
        return new ArgumentException($"{rule}; a receiver would reject the header with {error}.", parameterName);
    }

    /// <summary>Formats a v1 line into a destination of at least 107 bytes.</summary>
    private static int FormatV1(in ProxyHeader header, Span<byte> destination)
    {
        ProxyAddressFamily family = header.AddressFamily;
        bool tcp4 = family == ProxyAddressFamily.InterNetwork;
        if (!header.HasAddresses || header.Transport != ProxyTransport.Stream || !(tcp4 || family == ProxyAddressFamily.InterNetworkV6))
        {
            ReadOnlySpan<byte> unknown = "PROXY UNKNOWN\r\n"u8;
            unknown.CopyTo(destination);
            return unknown.Length;
        }

        ReadOnlySpan<byte> addresses = header.InlineAddresses; // an IP family: held inline
        int written;
        if (tcp4)
        {
            "PROXY TCP4 "u8.CopyTo(destination);
            written = TextAddressFormatter.WriteIPv4(addresses.Slice(0, 4), destination, "PROXY TCP4 "u8.Length);
            destination[written++] = (byte)' ';
            written = TextAddressFormatter.WriteIPv4(addresses.Slice(4, 4), destination, written);
        }
        else
        {
            "PROXY TCP6 "u8.CopyTo(destination);
            written = "PROXY TCP6 "u8.Length;
            written += TextAddressFormatter.WriteIPv6(addresses.Slice(0, 16), destination.Slice(written));
            destination[written++] = (byte)' ';
            written += TextAddressFormatter.WriteIPv6(addresses.Slice(16, 16), destination.Slice(written));
        }

        destination[written++] = (byte)' ';
        written = TextAddressFormatter.WritePort(header.SourcePort, destination, written);
        destination[written++] = (byte)' ';
        written = TextAddressFormatter.WritePort(header.DestinationPort, destination, written);
        destination[written++] = (byte)'\r';
        destination[written++] = (byte)'\n';
        return written;
    }
}
