using System;
using System.Buffers.Binary;
using System.Numerics;

namespace ProxyProtocol.Internal;

/// <summary>
/// CRC-32C (Castagnoli), as RFC 4960 appendix B and the PROXY CRC32C TLV use it: reflected polynomial
/// 0x82F63B78, initial value and final XOR 0xFFFFFFFF (CRC-01). Check value: "123456789" gives 0xE3069283.
/// </summary>
/// <remarks>
/// <see cref="BitOperations.Crc32C(uint, ulong)"/> uses SSE4.2 or ARMv8 CRC instructions where present
/// and a table otherwise; it applies neither the initial value nor the final XOR, so we do (CRC-06).
/// </remarks>
internal static class Crc32C
{
    public const uint InitialState = 0xFFFFFFFF;

    /// <summary>Computes the CRC-32C of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => ~Update(InitialState, data);

    /// <summary>Computes the CRC-32C of a header with the 4 bytes at <paramref name="zeroedOffset"/> read as zero (CRC-02).</summary>
    public static uint ComputeWithZeroedField(ReadOnlySpan<byte> header, int zeroedOffset)
    {
        uint state = Update(InitialState, header.Slice(0, zeroedOffset));
        state = BitOperations.Crc32C(state, 0u);
        state = Update(state, header.Slice(zeroedOffset + 4));
        return ~state;
    }

    /// <summary>Feeds <paramref name="data"/> into a running state (no initial value, no final XOR).</summary>
    public static uint Update(uint state, ReadOnlySpan<byte> data)
    {
        while (data.Length >= 8)
        {
            state = BitOperations.Crc32C(state, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data.Slice(8);
        }

        if (data.Length >= 4)
        {
            state = BitOperations.Crc32C(state, BinaryPrimitives.ReadUInt32LittleEndian(data));
            data = data.Slice(4);
        }

        foreach (byte b in data)
        {
            state = BitOperations.Crc32C(state, b);
        }

        return state;
    }
}
