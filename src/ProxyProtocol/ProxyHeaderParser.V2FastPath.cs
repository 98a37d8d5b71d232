using System;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using ProxyProtocol.Internal;

namespace ProxyProtocol;

// The v2 fast path: a whole, valid header checked with few branches. ParseV2 tries it first and falls back
// to the general parser (ProxyHeaderParser.V2.cs) for anything else, which then reports the precise error.
public static partial class ProxyHeaderParser
{
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
