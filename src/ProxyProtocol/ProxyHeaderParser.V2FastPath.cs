using System;
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
    /// bytes; <see langword="false"/> for anything else, which <see cref="ParseV2Other"/> then handles. It
    /// accepts only headers the general code accepts, with the same result. Calls nothing, so that
    /// <see cref="ParseV2"/> needs no frame.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryParseV2Inet(ReadOnlySpan<byte> source, in ProxyParserOptions options, out ProxyHeader header, out int bytesConsumed)
    {
        if (source.Length >= WireFormat.V2FixedLength)
        {
            // In bounds: 16 bytes were just checked for, and the address block below only once the whole
            // header (its length at least the block's) is known to be in the span.
            ref byte start = ref MemoryMarshal.GetReference(source);
            ulong word0 = ReadUInt64LittleEndian(ref start);
            ulong word1 = ReadUInt64LittleEndian(ref Unsafe.Add(ref start, 8));
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
                        ReadUInt16BigEndian(ref Unsafe.Add(ref block, 8)), ReadUInt16BigEndian(ref Unsafe.Add(ref block, 10)),
                        length, 0, 0);
                    bytesConsumed = length;
                    return true;
                }

                if (familyTransport - 0x21 <= 1 && length == WireFormat.V2FixedLength + WireFormat.Inet6BlockLength)
                {
                    ProxyHeader.Initialize(
                        out header, ProxyVersion.V2, ProxyCommand.Proxy, ProxyAddressFamily.InterNetworkV6, transport,
                        MemoryMarshal.CreateReadOnlySpan(ref block, 32),
                        ReadUInt16BigEndian(ref Unsafe.Add(ref block, 32)), ReadUInt16BigEndian(ref Unsafe.Add(ref block, 34)),
                        length, 0, 0);
                    bytesConsumed = length;
                    return true;
                }
            }
        }

        // The caller parses again with ParseV2Other, which assigns both.
        Unsafe.SkipInit(out header);
        Unsafe.SkipInit(out bytesConsumed);
        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong ReadUInt64LittleEndian(ref byte source)
    {
        ulong value = Unsafe.ReadUnaligned<ulong>(ref source);
        return BitConverter.IsLittleEndian ? value : BinaryPrimitives.ReverseEndianness(value);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ushort ReadUInt16BigEndian(ref byte source)
    {
        ushort value = Unsafe.ReadUnaligned<ushort>(ref source);
        return BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(value) : value;
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
        if (tlvOffset == header.Length)
        {
            return true;
        }

        if (ValidateTlvs(header, tlvOffset, header.Length, out int crcValueOffset) != ProxyHeaderError.None)
        {
            return false;
        }

        return !options.VerifyCrc32c || Crc32cValuesMatch(header, crcValueOffset);
    }
}
