using System;

namespace ProxyProtocol.Internal;

/// <summary>
/// Strict parsers for the address and port text of v1 lines. <c>IPAddress.TryParse</c> is not used: it
/// accepts 1-3 part IPv4, bare integers, octal-looking leading zeros and zone ids, all of which the spec
/// forbids (V1-04, V1-05, QUIRK-08).
/// </summary>
internal static class TextAddressParser
{
    /// <summary>Longest IPv4 text: <c>255.255.255.255</c>.</summary>
    public const int MaxIPv4Length = 15;

    /// <summary>Longest IPv6 text: <c>ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255</c>.</summary>
    public const int MaxIPv6Length = 45;

    /// <summary>Longest port text: <c>65535</c>.</summary>
    public const int MaxPortLength = 5;

    /// <summary>Parses a dotted quad: exactly 4 decimal parts 0-255, no leading zeros (V1-04).</summary>
    public static bool TryParseIPv4(ReadOnlySpan<byte> text, Span<byte> destination)
    {
        if (text.Length > MaxIPv4Length)
        {
            return false;
        }

        int i = 0;
        for (int part = 0; part < 4; part++)
        {
            if (part > 0)
            {
                if (i >= text.Length || text[i] != (byte)'.')
                {
                    return false;
                }

                i++;
            }

            int start = i;
            int value = 0;
            while (i < text.Length && IsDigit(text[i]))
            {
                value = (value * 10) + (text[i] - '0');
                i++;
                if (i - start > 3)
                {
                    return false;
                }
            }

            int digits = i - start;
            if (digits == 0 || value > 255 || (digits > 1 && text[start] == (byte)'0'))
            {
                return false;
            }

            destination[part] = (byte)value;
        }

        return i == text.Length;
    }

    /// <summary>
    /// Parses RFC 4291 section 2.2 IPv6 text: up to 8 groups of 1-4 hex digits, at most one <c>::</c>, and
    /// optionally a strict dotted-quad tail in place of the last two groups. No zone id, no brackets (V1-05).
    /// </summary>
    /// <remarks>
    /// One pass: groups are written big-endian to <paramref name="destination"/> as they are read, and the
    /// groups after a <c>::</c> are moved to the end at the close. On failure the first 16 bytes of
    /// <paramref name="destination"/> are unspecified.
    /// </remarks>
    public static bool TryParseIPv6(ReadOnlySpan<byte> text, Span<byte> destination)
    {
        if (text.Length < 2 || text.Length > MaxIPv6Length)
        {
            return false;
        }

        destination = destination.Slice(0, 16);
        int count = 0;
        int compressAt = -1;
        int i = 0;

        if (text[0] == (byte)':')
        {
            if (text[1] != (byte)':')
            {
                return false;
            }

            compressAt = 0;
            i = 2;
        }

        while (i < text.Length)
        {
            int start = i;
            int value = 0;
            int digit;
            while (i < text.Length && (digit = HexValue(text[i])) >= 0)
            {
                value = (value << 4) | digit;
                i++;
            }

            if (i < text.Length && text[i] == (byte)'.')
            {
                // Embedded IPv4 (for example ::ffff:192.0.2.1): the rest of the text, in place of the last two groups.
                if (count > 6 || !TryParseIPv4(text.Slice(start), destination.Slice(2 * count, 4)))
                {
                    return false;
                }

                count += 2;
                break;
            }

            int digits = i - start;
            if (digits == 0 || digits > 4 || count == 8)
            {
                return false;
            }

            destination[2 * count] = (byte)(value >> 8);
            destination[(2 * count) + 1] = (byte)value;
            count++;
            if (i == text.Length)
            {
                break;
            }

            if (text[i] != (byte)':')
            {
                return false;
            }

            i++;
            if (i == text.Length)
            {
                return false; // a single trailing ':'
            }

            if (text[i] == (byte)':')
            {
                if (compressAt >= 0)
                {
                    return false; // a second '::'
                }

                compressAt = count;
                i++;
            }
        }

        if (compressAt < 0)
        {
            return count == 8;
        }

        if (count > 7)
        {
            return false;
        }

        // Move the groups after '::' to the end and zero the gap.
        int tailBytes = 2 * (count - compressAt);
        int gapStart = 2 * compressAt;
        destination.Slice(gapStart, tailBytes).CopyTo(destination.Slice(16 - tailBytes));
        destination.Slice(gapStart, 16 - (2 * count)).Clear();
        return true;
    }

    /// <summary>Parses a port: decimal 0-65535, no sign, no leading zeros (V1-07).</summary>
    public static bool TryParsePort(ReadOnlySpan<byte> text, out ushort port)
    {
        port = 0;
        if (text.IsEmpty || text.Length > MaxPortLength || (text.Length > 1 && text[0] == (byte)'0'))
        {
            return false;
        }

        int value = 0;
        foreach (byte b in text)
        {
            if (!IsDigit(b))
            {
                return false;
            }

            value = (value * 10) + (b - '0');
        }

        if (value > ushort.MaxValue)
        {
            return false;
        }

        port = (ushort)value;
        return true;
    }

    /// <summary>Whether a cut-off token could still grow into a valid IPv6 address.</summary>
    public static bool IsIPv6Prefix(ReadOnlySpan<byte> text) =>
        text.Length <= MaxIPv6Length && !text.ContainsAnyExcept(IPv6Characters);

    /// <summary>Whether a cut-off token could still grow into a valid port.</summary>
    public static bool IsPortPrefix(ReadOnlySpan<byte> text) =>
        text.Length <= MaxPortLength && !text.ContainsAnyExceptInRange((byte)'0', (byte)'9') && !(text.Length > 1 && text[0] == (byte)'0');

    private static ReadOnlySpan<byte> IPv6Characters => "0123456789abcdefABCDEF:."u8;

    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

    private static int HexValue(byte b)
    {
        if (IsDigit(b))
        {
            return b - '0';
        }

        uint lower = (uint)(b | 0x20) - 'a';
        return lower <= 5 ? (int)lower + 10 : -1;
    }
}
