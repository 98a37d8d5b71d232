using System;
using System.Buffers.Binary;

namespace ProxyProtocol.Internal;

/// <summary>
/// A 64-bit check of a Unix address block, kept in a parsed header in place of the 216 bytes, so that
/// paths read later from the header's bytes are known to be the ones that were parsed: a buffer that was
/// reused meanwhile fails the check instead of giving another connection's path.
/// </summary>
/// <remarks>
/// Half CRC-32C (fast, catches every short change), half <see cref="HashCode"/>, which is seeded at random
/// per process, so that the sender of the next connection's bytes cannot aim for a collision.
/// </remarks>
internal static class UnixAddressFingerprint
{
    public const int Length = 8;

    public static void Write(ReadOnlySpan<byte> block, Span<byte> destination) =>
        BinaryPrimitives.WriteUInt64LittleEndian(destination, Compute(block));

    public static bool Matches(ReadOnlySpan<byte> block, ReadOnlySpan<byte> fingerprint) =>
        block.Length == WireFormat.UnixBlockLength && BinaryPrimitives.ReadUInt64LittleEndian(fingerprint) == Compute(block);

    private static ulong Compute(ReadOnlySpan<byte> block)
    {
        HashCode hash = default;
        hash.AddBytes(block);
        return ((ulong)Crc32C.Compute(block) << 32) | (uint)hash.ToHashCode();
    }
}
