using System;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace ProxyProtocol.Internal;

/// <summary>
/// Reads of fixed-size integers at a reference, for hot loops that have already checked the bytes are there:
/// one load each, without the bounds check a span read repeats.
/// </summary>
internal static class UnalignedReads
{
    /// <summary>Reads 2 bytes, most significant first (network order). The caller has checked both are in bounds.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort ReadUInt16BigEndian(ref byte source)
    {
        ushort value = Unsafe.ReadUnaligned<ushort>(ref source);
        return BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(value) : value;
    }

    /// <summary>Reads 8 bytes, least significant first. The caller has checked all are in bounds.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong ReadUInt64LittleEndian(ref byte source)
    {
        ulong value = Unsafe.ReadUnaligned<ulong>(ref source);
        return BitConverter.IsLittleEndian ? value : BinaryPrimitives.ReverseEndianness(value);
    }
}
