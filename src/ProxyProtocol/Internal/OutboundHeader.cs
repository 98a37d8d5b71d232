using System;
using System.Buffers;

namespace ProxyProtocol.Internal;

/// <summary>
/// Encodes a header for the outbound adapters into one contiguous buffer, so that it goes out in a single
/// write (TX-01).
/// </summary>
internal static class OutboundHeader
{
    /// <summary>Room for any v1 line and v2 headers with a few hundred bytes of TLVs; larger ones grow once.</summary>
    private const int InitialSize = 512;

    /// <summary>The longest header without TLVs: a v2 Unix header, 16 + 216 bytes (a v1 line is at most 107).</summary>
    public const int MaxLengthWithoutTlvs = WireFormat.V2FixedLength + WireFormat.UnixBlockLength;

    /// <summary>Encodes a v1 header, or a v2 header with already encoded TLVs, into an array rented from the shared pool.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="version"/> is not V1 or V2.</exception>
    /// <exception cref="ArgumentException">The TLVs are not whole TLVs.</exception>
    public static byte[] Rent(in ProxyHeader header, ProxyVersion version, ReadOnlySpan<byte> tlvs, out int length)
    {
        ThrowIfInvalid(version);
        int size = version == ProxyVersion.V1 ? ProxyHeaderWriter.MaxV1Length : ProxyHeaderWriter.GetV2Length(header, tlvs.Length);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            Write(header, version, tlvs, buffer, out length);
            return buffer;
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    /// <summary>Encodes a v2 header whose TLVs a callback adds, into an array rented from the shared pool.</summary>
    public static byte[] Rent<TState>(in ProxyHeader header, ProxyTlvWriter<TState> writeTlvs, TState state, out int length)
    {
        ArgumentNullException.ThrowIfNull(writeTlvs);
        int size = InitialSize;
        for (int attempt = 0; attempt < 2; attempt++)
        {
            byte[] buffer = ArrayPool<byte>.Shared.Rent(size);
            try
            {
                var builder = new ProxyV2HeaderBuilder(buffer, header);
                writeTlvs(ref builder, state);
                if (builder.Complete(out length) == OperationStatus.Done)
                {
                    return buffer;
                }

                // Too small: Length now tells the size the TLVs need; try once more with that much room.
                size = builder.Length;
            }
            catch
            {
                ArrayPool<byte>.Shared.Return(buffer);
                throw;
            }

            ArrayPool<byte>.Shared.Return(buffer);
        }

        throw new InvalidOperationException("The TLV writer added more on its second call than on its first; it must add the same TLVs each time.");
    }

    /// <summary>Encodes a v1 or v2 header into a destination known to be large enough.</summary>
    public static void Write(in ProxyHeader header, ProxyVersion version, ReadOnlySpan<byte> tlvs, Span<byte> destination, out int length)
    {
        OperationStatus status = version == ProxyVersion.V1
            ? ProxyHeaderWriter.WriteV1(header, destination, out length)
            : ProxyHeaderWriter.WriteV2(header, tlvs, destination, out length);
        if (status != OperationStatus.Done)
        {
            throw new InvalidOperationException("The header buffer was sized too small."); // unreachable: sized above
        }
    }

    /// <summary>Rejects a version other than V1/V2.</summary>
    public static void ThrowIfInvalid(ProxyVersion version)
    {
        if (version is not (ProxyVersion.V1 or ProxyVersion.V2))
        {
            throw new ArgumentOutOfRangeException(nameof(version), version, "The version is V1 or V2.");
        }
    }

    public static void Return(byte[] buffer) => ArrayPool<byte>.Shared.Return(buffer);
}
