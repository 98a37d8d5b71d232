using System;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ProxyProtocol.Internal;

namespace ProxyProtocol;

// The v1 fast path: a whole TCP4/TCP6 line read in one pass. ParseV1 tries it first and falls back to the
// general parser (ProxyHeaderParser.V1.cs) for anything else, which then reports the precise error.
public static partial class ProxyHeaderParser
{
    /// <summary>
    /// The common case in one pass: a whole, well-formed <c>TCP4</c> or <c>TCP6</c> line. Returns
    /// <see langword="false"/> for anything else (UNKNOWN, a cut-off line, any deviation from the grammar),
    /// and the general parser above then reports it precisely. It accepts only lines the general parser
    /// accepts, with the same result.
    /// </summary>
    private static bool TryParseV1Complete(ReadOnlySpan<byte> source, out ProxyHeader header, out int bytesConsumed)
    {
        // "PROXY TCP4 " or "PROXY TCP6 ", then at least "a b c d\r\n".
        const int FamilyEnd = 11;
        if (source.Length < FamilyEnd + 9 ||
            !source.StartsWith("PROXY TCP"u8) ||
            source[FamilyEnd - 1] != (byte)' ')
        {
            header = default;
            bytesConsumed = 0;
            return false;
        }

        byte version = source[FamilyEnd - 2];
        int position = FamilyEnd;
        if (version == (byte)'4')
        {
            if (TryReadIPv4Field(source, ref position, out uint sourceAddress) &&
                TryReadIPv4Field(source, ref position, out uint destinationAddress) &&
                TryReadPortField(source, ref position, (byte)' ', out ushort sourcePort) &&
                TryReadPortField(source, ref position, (byte)'\r', out ushort destinationPort) &&
                position < source.Length && source[position] == (byte)'\n')
            {
                // Network byte order, source first: the layout ProxyHeader keeps, here as the 8 bytes read
                // little-endian, so that the pair stays in a register (through memory it cost about 5%).
                ulong addresses = BinaryPrimitives.ReverseEndianness(sourceAddress) | ((ulong)BinaryPrimitives.ReverseEndianness(destinationAddress) << 32);
                bytesConsumed = position + 1;
                ProxyHeader.InitializeInet4Stream(out header, ProxyVersion.V1, addresses, sourcePort, destinationPort, bytesConsumed);
                return true;
            }
        }
        else if (version == (byte)'6')
        {
            Inet6AddressPair addresses = default;
            Span<byte> pair = addresses;

            // The CR (at position - 1) must sit at index 105 or earlier (V1-09); unlike TCP4, a TCP6 line can be longer.
            if (TryReadIPv6Field(source, ref position, pair.Slice(0, 16)) &&
                TryReadIPv6Field(source, ref position, pair.Slice(16, 16)) &&
                TryReadPortField(source, ref position, (byte)' ', out ushort sourcePort) &&
                TryReadPortField(source, ref position, (byte)'\r', out ushort destinationPort) &&
                position <= WireFormat.V1MaxLength - 1 && position < source.Length && source[position] == (byte)'\n')
            {
                bytesConsumed = position + 1;
                ProxyHeader.Initialize(
                    out header, ProxyVersion.V1, ProxyCommand.Proxy, ProxyAddressFamily.InterNetworkV6, ProxyTransport.Stream,
                    pair, sourcePort, destinationPort, bytesConsumed, 0, 0);
                return true;
            }
        }

        header = default;
        bytesConsumed = 0;
        return false;
    }

    /// <summary>
    /// Reads a dotted quad and the space after it, with <see cref="TextAddressParser.TryParseIPv4"/>'s rules:
    /// 4 parts of 1-3 digits, at most 255, no leading zeros (V1-04). The first octet ends up most significant.
    /// </summary>
    private static bool TryReadIPv4Field(ReadOnlySpan<byte> source, ref int position, out uint address)
    {
        address = 0;
        int i = position;
        for (int part = 0; part < 4; part++)
        {
            if (!TryReadDecimal(source, ref i, 3, out uint value) || value > 255)
            {
                return false;
            }

            if ((uint)i >= (uint)source.Length || source[i] != (part < 3 ? (byte)'.' : (byte)' '))
            {
                return false;
            }

            i++;
            address = (address << 8) | value;
        }

        position = i;
        return true;
    }

    /// <summary>Reads an IPv6 address and the space after it, with <see cref="TextAddressParser.TryParseIPv6"/>.</summary>
    private static bool TryReadIPv6Field(ReadOnlySpan<byte> source, ref int position, Span<byte> destination)
    {
        ReadOnlySpan<byte> rest = source.Slice(position);
        int length = rest.Slice(0, Math.Min(rest.Length, TextAddressParser.MaxIPv6Length + 1)).IndexOf((byte)' ');
        if (length < 0 || !TextAddressParser.TryParseIPv6(rest.Slice(0, length), destination))
        {
            return false;
        }

        position += length + 1;
        return true;
    }

    /// <summary>
    /// Reads a port and the byte after it, which must be <paramref name="terminator"/>, with
    /// <see cref="TextAddressParser.TryParsePort"/>'s rules: 1-5 digits, at most 65535, no leading zeros (V1-07).
    /// </summary>
    private static bool TryReadPortField(ReadOnlySpan<byte> source, ref int position, byte terminator, out ushort port)
    {
        port = 0;
        int i = position;
        if (!TryReadDecimal(source, ref i, 5, out uint value) || value > ushort.MaxValue)
        {
            return false;
        }

        if ((uint)i >= (uint)source.Length || source[i] != terminator)
        {
            return false;
        }

        port = (ushort)value;
        position = i + 1;
        return true;
    }

    /// <summary>
    /// Reads 1 to <paramref name="maxDigits"/> decimal digits at <paramref name="position"/>; a leading 0 must be
    /// the whole number (no octal-looking forms, V1-04, V1-07). The caller checks the range and what follows.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryReadDecimal(ReadOnlySpan<byte> source, ref int position, int maxDigits, out uint value)
    {
        int i = position;
        if ((uint)i >= (uint)source.Length || (value = (uint)(source[i] - '0')) > 9)
        {
            value = 0;
            return false;
        }

        i++;
        if (value != 0)
        {
            for (int more = 1; more < maxDigits && (uint)i < (uint)source.Length; more++)
            {
                uint digit = (uint)(source[i] - '0');
                if (digit > 9)
                {
                    break;
                }

                value = (value * 10) + digit;
                i++;
            }
        }

        position = i;
        return true;
    }

    /// <summary>Room for two IPv6 addresses, source then destination, as <see cref="ProxyHeader"/> keeps them.</summary>
    [InlineArray(32)]
    private struct Inet6AddressPair
    {
        private byte _element0;
    }
}
