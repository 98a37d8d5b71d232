using System;

namespace ProxyProtocol.Tests.Infrastructure;

/// <summary>
/// A bit-at-a-time CRC-32C straight from its definition (CRC-01): reflected polynomial 0x82F63B78,
/// initial value and final XOR 0xFFFFFFFF. Slow on purpose, so it shares nothing with the library's
/// hardware-accelerated code it checks.
/// </summary>
internal static class Crc32cReference
{
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78 : crc >> 1;
            }
        }

        return ~crc;
    }
}
