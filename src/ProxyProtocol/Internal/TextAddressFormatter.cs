using System;
using System.Buffers.Binary;

namespace ProxyProtocol.Internal;

/// <summary>Writes addresses and ports as v1 text, without allocating.</summary>
internal static class TextAddressFormatter
{
    /// <summary>Writes a dotted quad; returns the bytes written. <paramref name="destination"/> holds at least 15 bytes.</summary>
    public static int WriteIPv4(ReadOnlySpan<byte> address, Span<byte> destination)
    {
        int written = 0;
        for (int i = 0; i < 4; i++)
        {
            if (i > 0)
            {
                destination[written++] = (byte)'.';
            }

            written += WriteDecimal(address[i], destination.Slice(written));
        }

        return written;
    }

    /// <summary>
    /// Writes RFC 5952 canonical IPv6 text (lowercase, no leading zeros, the longest run of two or more zero
    /// groups as <c>::</c>), with v4-mapped addresses as <c>::ffff:a.b.c.d</c> as HAProxy does (QUIRK-03a).
    /// <paramref name="destination"/> holds at least 45 bytes.
    /// </summary>
    public static int WriteIPv6(ReadOnlySpan<byte> address, Span<byte> destination)
    {
        if (address.Slice(0, 10).IndexOfAnyExcept((byte)0) < 0 && address[10] == 0xFF && address[11] == 0xFF)
        {
            "::ffff:"u8.CopyTo(destination);
            return 7 + WriteIPv4(address.Slice(12), destination.Slice(7));
        }

        // Find the longest run of zero groups (the first one on a tie), at least two long.
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8;)
        {
            if (ReadGroup(address, i) != 0)
            {
                i++;
                continue;
            }

            int start = i;
            while (i < 8 && ReadGroup(address, i) == 0)
            {
                i++;
            }

            if (i - start > bestLength)
            {
                bestStart = start;
                bestLength = i - start;
            }
        }

        int written = 0;
        for (int i = 0; i < 8; i++)
        {
            if (i == bestStart)
            {
                destination[written++] = (byte)':';
                destination[written++] = (byte)':';
                i += bestLength - 1;
                continue;
            }

            if (i > 0 && i != bestStart + bestLength)
            {
                destination[written++] = (byte)':';
            }

            written += WriteHex(ReadGroup(address, i), destination.Slice(written));
        }

        return written;
    }

    /// <summary>Writes a decimal number without leading zeros; returns the bytes written.</summary>
    public static int WriteDecimal(int value, Span<byte> destination)
    {
        int digits = value < 10 ? 1 : value < 100 ? 2 : value < 1000 ? 3 : value < 10000 ? 4 : 5;
        for (int i = digits - 1; i >= 0; i--)
        {
            destination[i] = (byte)('0' + (value % 10));
            value /= 10;
        }

        return digits;
    }

    private static int ReadGroup(ReadOnlySpan<byte> address, int index) => BinaryPrimitives.ReadUInt16BigEndian(address.Slice(2 * index));

    private static int WriteHex(int value, Span<byte> destination)
    {
        int digits = value < 0x10 ? 1 : value < 0x100 ? 2 : value < 0x1000 ? 3 : 4;
        for (int i = digits - 1; i >= 0; i--)
        {
            destination[i] = (byte)"0123456789abcdef"[value & 0xF];
            value >>= 4;
        }

        return digits;
    }
}
