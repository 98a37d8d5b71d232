using System;
using System.Buffers;
using System.Buffers.Binary;
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
    public static OperationStatus ParseV2(ReadOnlySpan<byte> source, in ProxyParserOptions options, out ProxyHeader header, out int bytesConsumed, out ProxyHeaderError error)
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
        bool hasBlock = length - WireFormat.V2FixedLength >= blockLength;
        if (!hasBlock && command == (int)ProxyCommand.Proxy)
        {
            return Invalid(ProxyHeaderError.LengthTooShortForFamily, out header, out bytesConsumed, out error); // V2-07
        }

        // LOCAL must be honoured whatever its length (SEM-02): a block too short for its family is
        // skipped whole as opaque bytes; otherwise TLVs after the block stay readable (QUIRK-04).
        int tlvOffset = hasBlock ? WireFormat.V2FixedLength + blockLength : length;
        bool complete = source.Length >= length;
        ReadOnlySpan<byte> available = source.Slice(0, Math.Min(source.Length, length));

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

        if (crcValueOffset >= 0 && options.VerifyCrc32c)
        {
            uint expected = BinaryPrimitives.ReadUInt32BigEndian(available.Slice(crcValueOffset));
            if (Crc32C.ComputeWithZeroedField(available, crcValueOffset) != expected)
            {
                return Invalid(ProxyHeaderError.Crc32cMismatch, out header, out bytesConsumed, out error); // CRC-04
            }
        }

        header = CreateV2Header(available, (ProxyCommand)command, (ProxyAddressFamily)family, (ProxyTransport)transport, hasBlock, length, tlvOffset);
        bytesConsumed = length;
        return OperationStatus.Done;
    }

    private static ProxyHeader CreateV2Header(ReadOnlySpan<byte> header, ProxyCommand command, ProxyAddressFamily family, ProxyTransport transport, bool hasBlock, int length, int tlvOffset)
    {
        int tlvLength = length - tlvOffset;
        if (!hasBlock)
        {
            // Only LOCAL gets here; its family bytes were opaque.
            family = ProxyAddressFamily.Unspecified;
            transport = ProxyTransport.Unspecified;
        }

        // Address block (V2-06): src addr, dst addr, src port, dst port, network byte order.
        ReadOnlySpan<byte> block = header.Slice(WireFormat.V2FixedLength);
        int slot = ProxyHeader.GetAddressSlotLength(family);
        ushort sourcePort = 0;
        ushort destinationPort = 0;
        if (family is ProxyAddressFamily.InterNetwork or ProxyAddressFamily.InterNetworkV6)
        {
            sourcePort = BinaryPrimitives.ReadUInt16BigEndian(block.Slice(2 * slot));
            destinationPort = BinaryPrimitives.ReadUInt16BigEndian(block.Slice((2 * slot) + 2));
        }

        return new ProxyHeader(
            ProxyVersion.V2, command, family, transport,
            block.Slice(0, slot), block.Slice(slot, slot), sourcePort, destinationPort,
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
    private static ProxyHeaderError ValidateTlvs(ReadOnlySpan<byte> available, int offset, int end, out int crcValueOffset)
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

            switch (type)
            {
                case ProxyTlvType.Crc32c:
                    if (valueLength != 4)
                    {
                        return ProxyHeaderError.InvalidCrc32cLength; // CRC-05
                    }

                    if (crcValueOffset < 0)
                    {
                        crcValueOffset = valueOffset;
                    }

                    break;

                case ProxyTlvType.UniqueId when valueLength > WireFormat.UniqueIdMaxLength:
                    return ProxyHeaderError.UniqueIdTooLong;

                case ProxyTlvType.Ssl:
                    if (valueLength < WireFormat.SslFixedLength)
                    {
                        return ProxyHeaderError.InvalidSslTlv; // SSL-01
                    }

                    // Sub-TLVs nest one level only (SSL-05); each must fit in the SSL value (SSL-06).
                    if (!SubTlvsFit(available, valueOffset + WireFormat.SslFixedLength, valueOffset + valueLength))
                    {
                        return ProxyHeaderError.SslSubTlvOverrun;
                    }

                    break;
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
