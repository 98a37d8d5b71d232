using System;
using System.Buffers.Binary;

namespace ProxyProtocol.Internal;

/// <summary>Writes addresses and ports as v1 text, without allocating.</summary>
internal static class TextAddressFormatter
{
    /// <summary>Writes a dotted quad; returns the bytes written. <paramref name="destination"/> holds at least 15 bytes.</summary>
    public static int WriteIPv4(ReadOnlySpan<byte> address, Span<byte> destination) => WriteIPv4(address, destination, 0);

    /// <summary>Writes a dotted quad at <paramref name="offset"/>; returns the offset after it. At most 15 bytes.</summary>
    public static int WriteIPv4(ReadOnlySpan<byte> address, Span<byte> destination, int offset)
    {
        offset = WriteBelow1000(address[0], destination, offset);
        destination[offset++] = (byte)'.';
        offset = WriteBelow1000(address[1], destination, offset);
        destination[offset++] = (byte)'.';
        offset = WriteBelow1000(address[2], destination, offset);
        destination[offset++] = (byte)'.';
        return WriteBelow1000(address[3], destination, offset);
    }

    /// <summary>Writes a port (0-65535) in decimal at <paramref name="offset"/>; returns the offset after it. At most 5 bytes.</summary>
    public static int WritePort(ushort port, Span<byte> destination, int offset)
    {
        uint value = port;
        if (value >= 100)
        {
            // The last two digits from the pair table, the rest (1-3 digits) in front of them.
            uint high = value / 100;
            offset = WriteBelow1000(high, destination, offset);
            WritePair(value - (high * 100), destination, offset);
            return offset + 2;
        }

        return WriteBelow100(value, destination, offset);
    }

    /// <summary>Writes 0-999 without leading zeros; returns the offset after it.</summary>
    private static int WriteBelow1000(uint value, Span<byte> destination, int offset)
    {
        if (value < 100)
        {
            return WriteBelow100(value, destination, offset);
        }

        uint hundreds = value / 100;
        destination[offset] = (byte)('0' + hundreds);
        WritePair(value - (hundreds * 100), destination, offset + 1);
        return offset + 3;
    }

    private static int WriteBelow100(uint value, Span<byte> destination, int offset)
    {
        if (value < 10)
        {
            destination[offset] = (byte)('0' + value);
            return offset + 1;
        }

        WritePair(value, destination, offset);
        return offset + 2;
    }

    /// <summary>Writes 00-99 as two digits.</summary>
    private static void WritePair(uint value, Span<byte> destination, int offset)
    {
        ReadOnlySpan<byte> pair = DigitPairs.Slice((int)(2 * value), 2);
        pair.CopyTo(destination.Slice(offset, 2));
    }

    /// <summary>"00" to "99": one lookup per two digits instead of a division each.</summary>
    private static ReadOnlySpan<byte> DigitPairs =>
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"u8;

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
