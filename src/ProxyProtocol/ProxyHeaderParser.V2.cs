using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using ProxyProtocol.Internal;

namespace ProxyProtocol;

public static partial class ProxyHeaderParser
{
    /// <summary>Parses a v2 binary header only (spec 2.2), TLVs and CRC32C included.</summary>
    /// <param name="source">The received bytes, starting at the first byte of the connection.</param>
    /// <param name="options">Limits; <see cref="ProxyParserOptions.MaxHeaderLength"/> and <see cref="ProxyParserOptions.VerifyCrc32c"/> apply here.</param>
    /// <param name="header">The header, when the result is <see cref="OperationStatus.Done"/>.</param>
    /// <param name="bytesConsumed"><c>16 + len</c> when <see cref="OperationStatus.Done"/>, else 0.</param>
    /// <param name="error">The reason when <see cref="OperationStatus.InvalidData"/>, else <see cref="ProxyHeaderError.None"/>.</param>
    /// <returns><see cref="OperationStatus.Done"/>, <see cref="OperationStatus.NeedMoreData"/> or <see cref="OperationStatus.InvalidData"/>.</returns>
    // Kept out of line so that its own helpers get the inliner's budget, not the dispatcher's.
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static OperationStatus ParseV2(ReadOnlySpan<byte> source, in ProxyParserOptions options, out ProxyHeader header, out int bytesConsumed, out ProxyHeaderError error)
    {
        // PROXY over TCP/UDP and IPv4/IPv6 without TLVs here, with nothing live across a call (few registers to
        // save, no spills); with TLVs in ParseV2InetWithTlvs, anything else in ParseV2Other.
        if (TryParseV2Inet(source, options, out header, out bytesConsumed, out bool withTlvs))
        {
            error = ProxyHeaderError.None;
            return OperationStatus.Done;
        }

        return withTlvs
            ? ParseV2InetWithTlvs(source, options, out header, out bytesConsumed, out error)
            : ParseV2Other(source, options, out header, out bytesConsumed, out error);
    }

    /// <summary>Every v2 input but the ones <see cref="TryParseV2Inet"/> accepts: whole or cut off, valid or not.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static OperationStatus ParseV2Other(ReadOnlySpan<byte> source, in ProxyParserOptions options, out ProxyHeader header, out int bytesConsumed, out ProxyHeaderError error)
    {
        // The next most usual cases (LOCAL, Unix) first; it succeeds only where ParseV2General would, with the same result.
        if (TryParseV2Complete(source, options, out header, out bytesConsumed))
        {
            error = ProxyHeaderError.None;
            return OperationStatus.Done;
        }

        return ParseV2General(source, options, out header, out bytesConsumed, out error);
    }

    /// <summary>
    /// The general v2 parser: every header, whole or cut off, valid or not, with the precise error. <see cref="ParseV2"/>
    /// runs it for whatever its fast paths do not accept; the tests run it on every input on its own too.
    /// </summary>
    // Inlined into ParseV2Other, so that a cut-off or invalid header costs no more calls than it did.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static OperationStatus ParseV2General(ReadOnlySpan<byte> source, in ProxyParserOptions options, out ProxyHeader header, out int bytesConsumed, out ProxyHeaderError error)
    {
        OperationStatus signature = MatchPrefix(source, WireFormat.V2Signature);
        if (signature == OperationStatus.InvalidData)
        {
            return Invalid(ProxyHeaderError.InvalidSignature, out header, out bytesConsumed, out error);
        }

        if (source.Length <= WireFormat.V2VersionCommandOffset)
        {
            return NeedMoreData(out header, out bytesConsumed, out error);
        }

        // ver_cmd: high nibble version (0x2 only, V2-01), low nibble command (0 LOCAL, 1 PROXY, V2-02).
        byte versionCommand = source[WireFormat.V2VersionCommandOffset];
        if ((versionCommand & WireFormat.VersionMask) != WireFormat.V2Version)
        {
            return Invalid(ProxyHeaderError.UnsupportedVersion, out header, out bytesConsumed, out error);
        }

        if ((options.AllowedVersions & ProxyVersions.V2) == 0)
        {
            return Invalid(ProxyHeaderError.VersionNotAllowed, out header, out bytesConsumed, out error);
        }

        int command = versionCommand & WireFormat.CommandMask;
        if (command > (int)ProxyCommand.Proxy)
        {
            return Invalid(ProxyHeaderError.InvalidCommand, out header, out bytesConsumed, out error);
        }

        if (source.Length <= WireFormat.V2FamilyOffset)
        {
            return NeedMoreData(out header, out bytesConsumed, out error);
        }

        // fam: high nibble family (0-3), low nibble transport (0-2) (V2-03); only 0x00 and the
        // 0x11..0x32 pairs of a known family with a known transport are allowed (V2-04).
        byte familyTransport = source[WireFormat.V2FamilyOffset];
        int family = familyTransport >> 4;
        int transport = familyTransport & WireFormat.TransportMask;
        if (family > (int)ProxyAddressFamily.Unix)
        {
            return Invalid(ProxyHeaderError.InvalidAddressFamily, out header, out bytesConsumed, out error);
        }

        if (transport > (int)ProxyTransport.Datagram)
        {
            return Invalid(ProxyHeaderError.InvalidTransport, out header, out bytesConsumed, out error);
        }

        if ((family == 0) != (transport == 0))
        {
            return Invalid(ProxyHeaderError.InvalidFamilyTransportCombination, out header, out bytesConsumed, out error);
        }

        if (source.Length < WireFormat.V2FixedLength)
        {
            return NeedMoreData(out header, out bytesConsumed, out error);
        }

        int length = WireFormat.V2FixedLength + BinaryPrimitives.ReadUInt16BigEndian(source.Slice(WireFormat.V2LengthOffset));
        if (length > options.MaxHeaderLength)
        {
            return Invalid(ProxyHeaderError.HeaderTooLong, out header, out bytesConsumed, out error);
        }

        int blockLength = WireFormat.GetAddressBlockLength((ProxyAddressFamily)family);
        bool complete = source.Length >= length;
        ReadOnlySpan<byte> available = source.Slice(0, Math.Min(source.Length, length));
        if (command == (int)ProxyCommand.Local)
        {
            return ParseLocal(available, complete, (ProxyAddressFamily)family, (ProxyTransport)transport, blockLength, options, out header, out bytesConsumed, out error);
        }

        if (length - WireFormat.V2FixedLength < blockLength)
        {
            return Invalid(ProxyHeaderError.LengthTooShortForFamily, out header, out bytesConsumed, out error); // V2-07
        }

        int tlvOffset = WireFormat.V2FixedLength + blockLength;
        error = ValidateTlvs(available, tlvOffset, length, out int crcValueOffset);
        if (error != ProxyHeaderError.None)
        {
            header = default;
            bytesConsumed = 0;
            return OperationStatus.InvalidData;
        }

        if (!complete)
        {
            return NeedMoreData(out header, out bytesConsumed, out error);
        }

        if (options.VerifyCrc32c && !Crc32cValuesMatch(available, crcValueOffset))
        {
            return Invalid(ProxyHeaderError.Crc32cMismatch, out header, out bytesConsumed, out error); // CRC-04, QUIRK-09
        }

        CreateV2Header(available, (ProxyCommand)command, (ProxyAddressFamily)family, (ProxyTransport)transport, hasBlock: true, length, tlvOffset, out header);
        bytesConsumed = length;
        return OperationStatus.Done;
    }

    /// <summary>
    /// The rest of a LOCAL header, once its fixed 16 bytes passed. SEM-01/SEM-02: a LOCAL header is accepted
    /// whatever its protocol block holds, and exactly <c>16 + len</c> bytes are consumed.
    /// </summary>
    /// <remarks>
    /// QUIRK-04 (docs/conformance.md#quirk-04): the family of a LOCAL header is discarded, so its TLVs are read
    /// from offset 16, as HAProxy 3.x and AWS NLB health checks (fam 0x11, CRC32C and NOOP right at 16) do. If
    /// they do not frame to the end there, they are read after the family's address block (whose bytes stay
    /// readable for logging); if neither frames, the block is opaque. Nothing in the block can make the header
    /// invalid except a CRC32C found in the framing used that does not match (CRC-04), so a LOCAL header is
    /// judged only once all of it has arrived.
    /// </remarks>
    private static OperationStatus ParseLocal(
        ReadOnlySpan<byte> available, bool complete, ProxyAddressFamily family, ProxyTransport transport, int blockLength,
        in ProxyParserOptions options, out ProxyHeader header, out int bytesConsumed, out ProxyHeaderError error)
    {
        if (!complete)
        {
            return NeedMoreData(out header, out bytesConsumed, out error);
        }

        int length = available.Length;
        int blockEnd = WireFormat.V2FixedLength + blockLength;
        int tlvOffset;
        int crcValueOffset;
        bool hasBlock = false;
        if (ValidateTlvs(available, WireFormat.V2FixedLength, length, out crcValueOffset) == ProxyHeaderError.None)
        {
            tlvOffset = WireFormat.V2FixedLength;
        }
        else if (blockLength > 0 && blockEnd <= length && ValidateTlvs(available, blockEnd, length, out crcValueOffset) == ProxyHeaderError.None)
        {
            tlvOffset = blockEnd;
            hasBlock = true;
        }
        else
        {
            tlvOffset = length; // opaque: no TLVs, no addresses
            crcValueOffset = -1;
        }

        if (options.VerifyCrc32c && !Crc32cValuesMatch(available, crcValueOffset))
        {
            return Invalid(ProxyHeaderError.Crc32cMismatch, out header, out bytesConsumed, out error); // CRC-04, QUIRK-09
        }

        CreateV2Header(available, ProxyCommand.Local, family, transport, hasBlock, length, tlvOffset, out header);
        bytesConsumed = length;
        error = ProxyHeaderError.None;
        return OperationStatus.Done;
    }

    /// <summary>
    /// CRC-04 and QUIRK-09: whether every CRC32C TLV of a whole header holds the CRC-32C of the header with its
    /// own value field, and only that one, read as zero. <paramref name="firstCrcValueOffset"/> is the first
    /// one's value (from <see cref="ValidateTlvs"/>), or -1 when there is none; the TLVs are known to frame.
    /// </summary>
    private static bool Crc32cValuesMatch(ReadOnlySpan<byte> header, int firstCrcValueOffset)
    {
        if (firstCrcValueOffset < 0)
        {
            return true;
        }

        if (Crc32C.ComputeWithZeroedField(header, firstCrcValueOffset) != BinaryPrimitives.ReadUInt32BigEndian(header.Slice(firstCrcValueOffset)))
        {
            return false;
        }

        // Any further CRC32C TLV (a sender error, but HAProxy checks each one) comes after the first.
        int offset = firstCrcValueOffset + 4;
        while (offset < header.Length)
        {
            int valueLength = BinaryPrimitives.ReadUInt16BigEndian(header.Slice(offset + 1));
            int valueOffset = offset + WireFormat.TlvHeaderLength;
            if (header[offset] == (byte)ProxyTlvType.Crc32c &&
                Crc32C.ComputeWithZeroedField(header, valueOffset) != BinaryPrimitives.ReadUInt32BigEndian(header.Slice(valueOffset)))
            {
                return false;
            }

            offset = valueOffset + valueLength;
        }

        return true;
    }

    private static void CreateV2Header(ReadOnlySpan<byte> header, ProxyCommand command, ProxyAddressFamily family, ProxyTransport transport, bool hasBlock, int length, int tlvOffset, out ProxyHeader result)
    {
        int tlvLength = length - tlvOffset;
        if (!hasBlock)
        {
            // Only LOCAL gets here; its family and the bytes where the addresses would be were discarded.
            family = ProxyAddressFamily.Unspecified;
            transport = ProxyTransport.Unspecified;
        }

        // Address block (V2-06): src addr, dst addr, src port, dst port, network byte order. The two
        // addresses lie back to back exactly as ProxyHeader stores them, so they are copied in one piece.
        ReadOnlySpan<byte> block = header.Slice(WireFormat.V2FixedLength);
        int addressesLength = 2 * ProxyHeader.GetAddressSlotLength(family);
        ushort sourcePort = 0;
        ushort destinationPort = 0;
        if (family is ProxyAddressFamily.InterNetwork or ProxyAddressFamily.InterNetworkV6)
        {
            sourcePort = BinaryPrimitives.ReadUInt16BigEndian(block.Slice(addressesLength));
            destinationPort = BinaryPrimitives.ReadUInt16BigEndian(block.Slice(addressesLength + 2));
        }

        ProxyHeader.Initialize(
            out result, ProxyVersion.V2, command, family, transport,
            block.Slice(0, addressesLength), sourcePort, destinationPort,
            length, tlvLength == 0 ? 0 : tlvOffset, tlvLength);
    }

    /// <summary>
    /// Checks the framing of every TLV whose bytes have arrived (TLV-01..03) and the rules of the registered
    /// types that can be checked without the whole header. Runs on partial input too, so that a bad TLV is
    /// reported as soon as its own bytes are in.
    /// </summary>
    /// <param name="available">The bytes received so far, at most the whole header.</param>
    /// <param name="offset">Where the TLVs start.</param>
    /// <param name="end">Where the header ends (<c>16 + len</c>).</param>
    /// <param name="crcValueOffset">The offset of the first CRC32C TLV's value, or -1.</param>
    internal static ProxyHeaderError ValidateTlvs(ReadOnlySpan<byte> available, int offset, int end, out int crcValueOffset)
    {
        crcValueOffset = -1;
        while (offset < end)
        {
            if (end - offset < WireFormat.TlvHeaderLength)
            {
                return ProxyHeaderError.TlvTruncated;
            }

            if (available.Length - offset < WireFormat.TlvHeaderLength)
            {
                return ProxyHeaderError.None; // the rest has not arrived yet
            }

            ProxyTlvType type = (ProxyTlvType)available[offset];
            int valueLength = BinaryPrimitives.ReadUInt16BigEndian(available.Slice(offset + 1));
            int valueOffset = offset + WireFormat.TlvHeaderLength;
            if (valueLength > end - valueOffset)
            {
                return ProxyHeaderError.TlvOverrun;
            }

            ProxyHeaderError valueError = CheckRegisteredTlv(available, type, valueOffset, valueLength);
            if (valueError != ProxyHeaderError.None)
            {
                return valueError;
            }

            if (type == ProxyTlvType.Crc32c && crcValueOffset < 0)
            {
                crcValueOffset = valueOffset;
            }

            // Errors are reported in wire order whatever has arrived: a TLV whose value is still incomplete
            // may yet hide an error (an SSL sub-TLV overrun), so nothing after it is judged until it is in.
            if (valueOffset + valueLength > available.Length)
            {
                return ProxyHeaderError.None;
            }

            offset = valueOffset + valueLength;
        }

        return ProxyHeaderError.None;
    }

    /// <summary>
    /// The rules of the registered types a receiver checks, on a value at <paramref name="valueOffset"/> of
    /// <paramref name="valueLength"/> bytes of which some may not have arrived yet: CRC32C is exactly 4 bytes
    /// (CRC-05), UNIQUE_ID at most 128 bytes, SSL at least 5 bytes (SSL-01) with sub-TLVs, one level deep, that
    /// fit in its value (SSL-05, SSL-06). The writers check the TLVs they are given with the same method (QUIRK-10).
    /// </summary>
    internal static ProxyHeaderError CheckRegisteredTlv(ReadOnlySpan<byte> available, ProxyTlvType type, int valueOffset, int valueLength) => type switch
    {
        ProxyTlvType.Crc32c when valueLength != 4 => ProxyHeaderError.InvalidCrc32cLength,
        ProxyTlvType.UniqueId when valueLength > WireFormat.UniqueIdMaxLength => ProxyHeaderError.UniqueIdTooLong,
        ProxyTlvType.Ssl when valueLength < WireFormat.SslFixedLength => ProxyHeaderError.InvalidSslTlv,
        ProxyTlvType.Ssl when !SubTlvsFit(available, valueOffset + WireFormat.SslFixedLength, valueOffset + valueLength) => ProxyHeaderError.SslSubTlvOverrun,
        _ => ProxyHeaderError.None,
    };

    /// <summary>Checks the framing of the sub-TLVs in [offset, end) as far as they have arrived.</summary>
    private static bool SubTlvsFit(ReadOnlySpan<byte> available, int offset, int end)
    {
        while (offset < end)
        {
            if (end - offset < WireFormat.TlvHeaderLength)
            {
                return false;
            }

            if (available.Length - offset < WireFormat.TlvHeaderLength)
            {
                return true;
            }

            int valueLength = BinaryPrimitives.ReadUInt16BigEndian(available.Slice(offset + 1));
            offset += WireFormat.TlvHeaderLength + valueLength;
            if (offset > end)
            {
                return false;
            }
        }

        return true;
    }
}
