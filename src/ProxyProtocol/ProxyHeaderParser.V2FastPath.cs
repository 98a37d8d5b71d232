using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ProxyProtocol.Internal;

namespace ProxyProtocol;

// The v2 fast path: a whole, valid header checked with few branches. ParseV2 tries it first and falls back
// to the general parser (ProxyHeaderParser.V2.cs) for anything else, which then reports the precise error.
public static partial class ProxyHeaderParser
{
    // The 16 fixed bytes read as two little-endian words (spec 2.2):
    //
    //   word 0, bytes 0-7:   0D 0A 0D 0A 00 0D 0A 51                         the signature's first 8 bytes
    //   word 1, bytes 8-15:  55 49 54 0A | ver_cmd | fam | len_hi len_lo     its last 4, then the rest
    //
    // ver_cmd 0x21 is version 2, PROXY. fam 0x11/0x12 is INET over STREAM/DGRAM, 0x21/0x22 INET6.
    private const ulong V2SignatureWord0 = 0x510A_0D00_0A0D_0A0D;
    private const ulong V2SignatureWord1 = 0x0A54_4955;
    private const ulong V2ProxyVersionCommand = 0x21;
    private const ulong V2Word1SignatureAndVersionCommand = (V2ProxyVersionCommand << 32) | V2SignatureWord1;
    private const ulong V2Word1SignatureAndVersionCommandMask = 0xFF_FFFF_FFFF;

    /// <summary>
    /// The commonest v2 header, a whole PROXY over IPv4 or IPv6 with no TLVs, from two loads of the fixed 16
    /// bytes; <see langword="false"/> for anything else, which <see cref="ParseV2Other"/> then handles, and
    /// <paramref name="withTlvs"/> when it is such a header with TLVs (<see cref="ParseV2InetWithTlvs"/>). It
    /// accepts only headers the general code accepts, with the same result. Calls nothing, so that
    /// <see cref="ParseV2"/> has few registers to save.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryParseV2Inet(ReadOnlySpan<byte> source, in ProxyParserOptions options, out ProxyHeader header, out int bytesConsumed, out bool withTlvs)
    {
        withTlvs = false;
        if (source.Length >= WireFormat.V2FixedLength)
        {
            // In bounds: 16 bytes were just checked for, and the address block below only once the whole
            // header (its length at least the block's) is known to be in the span.
            ref byte start = ref MemoryMarshal.GetReference(source);
            ulong word0 = UnalignedReads.ReadUInt64LittleEndian(ref start);
            ulong word1 = UnalignedReads.ReadUInt64LittleEndian(ref Unsafe.Add(ref start, 8));
            int length = WireFormat.V2FixedLength + BinaryPrimitives.ReverseEndianness((ushort)(word1 >> 48));
            uint familyTransport = (byte)(word1 >> 40);
            if (((word0 ^ V2SignatureWord0) | ((word1 ^ V2Word1SignatureAndVersionCommand) & V2Word1SignatureAndVersionCommandMask)) == 0 &&
                length <= source.Length &&
                length <= options.MaxHeaderLength &&
                (options.AllowedVersions & ProxyVersions.V2) != 0)
            {
                ref byte block = ref Unsafe.Add(ref start, WireFormat.V2FixedLength);
                ProxyTransport transport = (ProxyTransport)(familyTransport & WireFormat.TransportMask);
                if (familyTransport - 0x11 <= 1 && length == WireFormat.V2FixedLength + WireFormat.InetBlockLength)
                {
                    ProxyHeader.Initialize(
                        out header, ProxyVersion.V2, ProxyCommand.Proxy, ProxyAddressFamily.InterNetwork, transport,
                        MemoryMarshal.CreateReadOnlySpan(ref block, 8),
                        UnalignedReads.ReadUInt16BigEndian(ref Unsafe.Add(ref block, 8)), UnalignedReads.ReadUInt16BigEndian(ref Unsafe.Add(ref block, 10)),
                        length, 0, 0);
                    bytesConsumed = length;
                    return true;
                }

                if (familyTransport - 0x21 <= 1 && length == WireFormat.V2FixedLength + WireFormat.Inet6BlockLength)
                {
                    ProxyHeader.Initialize(
                        out header, ProxyVersion.V2, ProxyCommand.Proxy, ProxyAddressFamily.InterNetworkV6, transport,
                        MemoryMarshal.CreateReadOnlySpan(ref block, 32),
                        UnalignedReads.ReadUInt16BigEndian(ref Unsafe.Add(ref block, 32)), UnalignedReads.ReadUInt16BigEndian(ref Unsafe.Add(ref block, 34)),
                        length, 0, 0);
                    bytesConsumed = length;
                    return true;
                }

                // The same with TLVs: INET or INET6 (fam 0x11, 0x12, 0x21, 0x22).
                withTlvs = ((familyTransport - 0x11) & ~0x11u) == 0;
            }
        }

        // The caller parses again, which assigns both.
        Unsafe.SkipInit(out header);
        Unsafe.SkipInit(out bytesConsumed);
        return false;
    }

    /// <summary>
    /// Finishes what <see cref="TryParseV2Inet"/> began for a PROXY header over IPv4 or IPv6 with TLVs: its 16
    /// fixed bytes are valid and all of it is in <paramref name="source"/>. The TLVs are validated in one walk;
    /// anything else goes on to <see cref="ParseV2Other"/>, which then reports it precisely.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static OperationStatus ParseV2InetWithTlvs(ReadOnlySpan<byte> source, in ProxyParserOptions options, out ProxyHeader header, out int bytesConsumed, out ProxyHeaderError error)
    {
        int length = WireFormat.V2FixedLength + BinaryPrimitives.ReadUInt16BigEndian(source.Slice(WireFormat.V2LengthOffset));
        ReadOnlySpan<byte> bytes = source.Slice(0, length);
        byte familyTransport = bytes[WireFormat.V2FamilyOffset];
        ProxyTransport transport = (ProxyTransport)(familyTransport & WireFormat.TransportMask);
        if (familyTransport >> 4 == (int)ProxyAddressFamily.InterNetwork)
        {
            const int TlvOffset = WireFormat.V2FixedLength + WireFormat.InetBlockLength;
            if (length > TlvOffset && TlvsAndCrcValid(bytes, TlvOffset, options))
            {
                ProxyHeader.Initialize(
                    out header, ProxyVersion.V2, ProxyCommand.Proxy, ProxyAddressFamily.InterNetwork, transport,
                    bytes.Slice(WireFormat.V2FixedLength, 8),
                    BinaryPrimitives.ReadUInt16BigEndian(bytes.Slice(WireFormat.V2FixedLength + 8)),
                    BinaryPrimitives.ReadUInt16BigEndian(bytes.Slice(WireFormat.V2FixedLength + 10)),
                    length, TlvOffset, length - TlvOffset);
                bytesConsumed = length;
                error = ProxyHeaderError.None;
                return OperationStatus.Done;
            }
        }
        else
        {
            const int TlvOffset = WireFormat.V2FixedLength + WireFormat.Inet6BlockLength;
            if (length > TlvOffset && TlvsAndCrcValid(bytes, TlvOffset, options))
            {
                ProxyHeader.Initialize(
                    out header, ProxyVersion.V2, ProxyCommand.Proxy, ProxyAddressFamily.InterNetworkV6, transport,
                    bytes.Slice(WireFormat.V2FixedLength, 32),
                    BinaryPrimitives.ReadUInt16BigEndian(bytes.Slice(WireFormat.V2FixedLength + 32)),
                    BinaryPrimitives.ReadUInt16BigEndian(bytes.Slice(WireFormat.V2FixedLength + 34)),
                    length, TlvOffset, length - TlvOffset);
                bytesConsumed = length;
                error = ProxyHeaderError.None;
                return OperationStatus.Done;
            }
        }

        return ParseV2Other(source, options, out header, out bytesConsumed, out error);
    }

    /// <summary>
    /// The usual case with few branches: a whole, valid PROXY header, or a LOCAL header whose TLVs frame from
    /// offset 16. Returns <see langword="false"/> for anything else (a cut-off header, a LOCAL header read
    /// another way, any error), and the general code above then reports it precisely. It accepts only headers the
    /// general code accepts, with the same result.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryParseV2Complete(ReadOnlySpan<byte> source, in ProxyParserOptions options, out ProxyHeader header, out int bytesConsumed)
    {
        // The fam bytes of V2-04: UNSPEC alone, or INET/INET6/UNIX with STREAM or DGRAM.
        const ulong ValidFamilyTransport = (1UL << 0x00) | (1UL << 0x11) | (1UL << 0x12) | (1UL << 0x21) | (1UL << 0x22) | (1UL << 0x31) | (1UL << 0x32);

        if (source.Length >= WireFormat.V2FixedLength && source.StartsWith(WireFormat.V2Signature))
        {
            int versionCommand = source[WireFormat.V2VersionCommandOffset];
            int familyTransport = source[WireFormat.V2FamilyOffset];
            int length = WireFormat.V2FixedLength + BinaryPrimitives.ReadUInt16BigEndian(source.Slice(WireFormat.V2LengthOffset));

            // Version 2 with LOCAL (0x20) or PROXY (0x21), a known fam byte, within the limit, all arrived.
            if ((versionCommand & ~(int)ProxyCommand.Proxy) == WireFormat.V2Version &&
                (options.AllowedVersions & ProxyVersions.V2) != 0 &&
                familyTransport < 64 && ((ValidFamilyTransport >> familyTransport) & 1) != 0 &&
                length <= options.MaxHeaderLength &&
                length <= source.Length)
            {
                ProxyAddressFamily family = (ProxyAddressFamily)(familyTransport >> 4);
                ProxyCommand command = (ProxyCommand)(versionCommand & WireFormat.CommandMask);

                // PROXY: TLVs after the family's address block. LOCAL: the family is discarded and TLVs are read
                // from offset 16 (QUIRK-04); its other readings are left to ParseLocal.
                bool proxy = command == ProxyCommand.Proxy;
                int tlvOffset = proxy ? WireFormat.V2FixedLength + WireFormat.GetAddressBlockLength(family) : WireFormat.V2FixedLength;
                ReadOnlySpan<byte> bytes = source.Slice(0, length);
                if (tlvOffset <= length && TlvsAndCrcValid(bytes, tlvOffset, options))
                {
                    CreateV2Header(
                        bytes, command, family, (ProxyTransport)(familyTransport & WireFormat.TransportMask),
                        hasBlock: proxy, length, tlvOffset, out header);
                    bytesConsumed = length;
                    return true;
                }
            }
        }

        header = default;
        bytesConsumed = 0;
        return false;
    }

    /// <summary>Whether the TLVs of a whole header are well framed and its CRC32C TLVs, if any and if verified, match.</summary>
    private static bool TlvsAndCrcValid(ReadOnlySpan<byte> header, int tlvOffset, in ProxyParserOptions options)
    {
        if (!WholeTlvsValid(header, tlvOffset, out int crcValueOffset))
        {
            return false;
        }

        return crcValueOffset < 0 || !options.VerifyCrc32c || Crc32cValuesMatch(header, crcValueOffset);
    }

    /// <summary>
    /// <see cref="ValidateTlvs"/> for a whole header (<paramref name="header"/> ends where the header ends), in one
    /// walk: whether every TLV from <paramref name="offset"/> frames to the end (TLV-01..03) and passes
    /// <see cref="CheckRegisteredTlv"/>.
    /// </summary>
    /// <remarks>
    /// Each TLV's length says where the next one starts, so the walk is a chain of dependent loads; it steps a
    /// reference rather than an index (one add per step, not a sign extension and an add), and calls nothing in
    /// the loop, so that nothing is spilled there. The rules of CRC32C and UNIQUE_ID are a compare each; from the
    /// first SSL TLV on (sub-TLVs to check) the rest is left to <see cref="ValidateTlvs"/>.
    /// </remarks>
    /// <param name="header">The whole header.</param>
    /// <param name="offset">Where the TLVs start.</param>
    /// <param name="crcValueOffset">The offset of the first CRC32C TLV's value, or -1.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool WholeTlvsValid(ReadOnlySpan<byte> header, int offset, out int crcValueOffset)
    {
        // The types CheckRegisteredTlv has rules for: CRC32C (0x03), UNIQUE_ID (0x05), SSL (0x20).
        const ulong TypesWithRules = (1UL << (int)ProxyTlvType.Crc32c) | (1UL << (int)ProxyTlvType.UniqueId) | (1UL << (int)ProxyTlvType.Ssl);

        crcValueOffset = -1;
        ref byte start = ref MemoryMarshal.GetReference(header);
        ref byte tlv = ref Unsafe.Add(ref start, offset);
        nint left = header.Length - offset;
        while (left > 0)
        {
            // In bounds: the 3 bytes at tlv, then the value's bytes, are checked for before they are read.
            if (left < WireFormat.TlvHeaderLength)
            {
                return false;
            }

            nint valueLength = UnalignedReads.ReadUInt16BigEndian(ref Unsafe.Add(ref tlv, 1));
            left -= WireFormat.TlvHeaderLength + valueLength;
            if (left < 0)
            {
                return false;
            }

            uint type = tlv;
            if (type < 64 && ((TypesWithRules >> (int)type) & 1) != 0)
            {
                if (type == (uint)ProxyTlvType.Crc32c)
                {
                    if (valueLength != 4)
                    {
                        return false; // CRC-05
                    }

                    if (crcValueOffset < 0)
                    {
                        crcValueOffset = (int)Unsafe.ByteOffset(ref start, ref tlv) + WireFormat.TlvHeaderLength;
                    }
                }
                else if (type == (uint)ProxyTlvType.UniqueId)
                {
                    if (valueLength > WireFormat.UniqueIdMaxLength)
                    {
                        return false;
                    }
                }
                else
                {
                    return RestOfTlvsValid(header, (int)Unsafe.ByteOffset(ref start, ref tlv), ref crcValueOffset);
                }
            }

            tlv = ref Unsafe.Add(ref tlv, WireFormat.TlvHeaderLength + valueLength);
        }

        return true;
    }

    /// <summary>
    /// <see cref="ValidateTlvs"/> from <paramref name="offset"/> to the end of a whole header, keeping an earlier
    /// CRC32C value offset if there is one. Out of line: SSL TLVs are the rare case.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool RestOfTlvsValid(ReadOnlySpan<byte> header, int offset, ref int crcValueOffset)
    {
        if (ValidateTlvs(header, offset, header.Length, out int laterCrcValueOffset) != ProxyHeaderError.None)
        {
            return false;
        }

        if (crcValueOffset < 0)
        {
            crcValueOffset = laterCrcValueOffset;
        }

        return true;
    }
}
