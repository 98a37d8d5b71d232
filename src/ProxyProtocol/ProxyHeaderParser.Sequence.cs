using System;
using System.Buffers;
using System.Buffers.Binary;
using ProxyProtocol.Internal;

namespace ProxyProtocol;

public static partial class ProxyHeaderParser
{
    // Multi-segment headers are copied to the stack up to this size, to a pooled array above it.
    private const int StackCopyLimit = 512;

    /// <summary>Parses a v1 or v2 header from a sequence, with the default options.</summary>
    /// <param name="source">The received bytes, split over any number of segments.</param>
    /// <param name="header">The header, when the result is <see cref="OperationStatus.Done"/>.</param>
    /// <param name="bytesConsumed">The header's length when <see cref="OperationStatus.Done"/>, else 0.</param>
    /// <param name="error">The reason when <see cref="OperationStatus.InvalidData"/>, else <see cref="ProxyHeaderError.None"/>.</param>
    /// <returns><see cref="OperationStatus.Done"/>, <see cref="OperationStatus.NeedMoreData"/> or <see cref="OperationStatus.InvalidData"/>.</returns>
    public static OperationStatus Parse(in ReadOnlySequence<byte> source, out ProxyHeader header, out int bytesConsumed, out ProxyHeaderError error) =>
        Parse(source, ProxyParserOptions.Default, out header, out bytesConsumed, out error);

    /// <summary>Parses a v1 or v2 header from a sequence, such as a <c>PipeReader</c>'s buffer.</summary>
    /// <remarks>
    /// <para>
    /// When the first segment holds the whole header (the usual case) it is parsed in place. Otherwise the
    /// header's bytes, at most <see cref="ProxyParserOptions.MaxHeaderLength"/>, are copied once into a stack
    /// or pooled buffer and parsed there; nothing is allocated either way.
    /// </para>
    /// <para>
    /// <see cref="ProxyHeader.TlvOffset"/> and <see cref="ProxyHeader.TlvLength"/> are relative to the
    /// header's first byte. To read the TLVs of a header that spans segments, copy its
    /// <see cref="ProxyHeader.Length"/> bytes out (<c>source.Slice(0, bytesConsumed)</c>) and call
    /// <see cref="ProxyHeader.GetTlvs"/> on the copy.
    /// </para>
    /// </remarks>
    /// <param name="source">The received bytes, split over any number of segments.</param>
    /// <param name="options">Limits and leniencies.</param>
    /// <param name="header">The header, when the result is <see cref="OperationStatus.Done"/>.</param>
    /// <param name="bytesConsumed">The header's length when <see cref="OperationStatus.Done"/>, else 0.</param>
    /// <param name="error">The reason when <see cref="OperationStatus.InvalidData"/>, else <see cref="ProxyHeaderError.None"/>.</param>
    /// <returns><see cref="OperationStatus.Done"/>, <see cref="OperationStatus.NeedMoreData"/> or <see cref="OperationStatus.InvalidData"/>.</returns>
    public static OperationStatus Parse(in ReadOnlySequence<byte> source, in ProxyParserOptions options, out ProxyHeader header, out int bytesConsumed, out ProxyHeaderError error)
    {
        OperationStatus status = Parse(source.FirstSpan, options, out header, out bytesConsumed, out error);

        // Done and InvalidData on a prefix are final; only NeedMoreData can change with the next segments.
        if (status != OperationStatus.NeedMoreData || source.IsSingleSegment)
        {
            return status;
        }

        return ParseMultiSegment(source, options, out header, out bytesConsumed, out error);
    }

    /// <summary>Tells from the first bytes of a sequence whether a PROXY header starts there, and which version.</summary>
    /// <param name="source">The first bytes of the connection.</param>
    /// <param name="version">The version, when the result is <see cref="OperationStatus.Done"/>.</param>
    /// <returns>As <see cref="DetectVersion(ReadOnlySpan{byte}, out ProxyVersion)"/>.</returns>
    public static OperationStatus DetectVersion(in ReadOnlySequence<byte> source, out ProxyVersion version)
    {
        if (source.IsSingleSegment || source.FirstSpan.Length > WireFormat.V2VersionCommandOffset)
        {
            return DetectVersion(source.FirstSpan, out version);
        }

        Span<byte> head = stackalloc byte[WireFormat.V2VersionCommandOffset + 1];
        int length = (int)Math.Min(source.Length, head.Length);
        source.Slice(0, length).CopyTo(head);
        return DetectVersion(head.Slice(0, length), out version);
    }

    private static OperationStatus ParseMultiSegment(in ReadOnlySequence<byte> source, in ProxyParserOptions options, out ProxyHeader header, out int bytesConsumed, out ProxyHeaderError error)
    {
        // The first 16 bytes tell the version and, for v2, the exact length.
        Span<byte> head = stackalloc byte[WireFormat.V2FixedLength];
        int headLength = CopyPrefix(source, head);
        head = head.Slice(0, headLength);

        OperationStatus status = Parse(head, options, out header, out bytesConsumed, out error);
        if (status != OperationStatus.NeedMoreData || headLength < WireFormat.V2FixedLength)
        {
            return status; // final, or the whole sequence is shorter than the head
        }

        int needed = head[0] == (byte)'P'
            ? WireFormat.V1MaxLength
            : WireFormat.V2FixedLength + BinaryPrimitives.ReadUInt16BigEndian(head.Slice(WireFormat.V2LengthOffset));
        long available = source.Length;
        if (available == headLength)
        {
            return status;
        }

        int length = (int)Math.Min(available, needed);

        // Sized to the header, not to the limit: the stack copy is zeroed first, and most headers are short.
        byte[]? rented = null;
        Span<byte> buffer = length <= StackCopyLimit
            ? stackalloc byte[length]
            : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            buffer = buffer.Slice(0, length);
            CopyPrefix(source, buffer);
            return Parse(buffer, options, out header, out bytesConsumed, out error);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// Copies the first bytes of a sequence, as many as fit in <paramref name="destination"/>, segment by
    /// segment (cheaper than slicing the sequence first); returns how many were copied.
    /// </summary>
    private static int CopyPrefix(in ReadOnlySequence<byte> source, Span<byte> destination)
    {
        int copied = 0;
        foreach (ReadOnlyMemory<byte> segment in source)
        {
            ReadOnlySpan<byte> span = segment.Span;
            int count = Math.Min(span.Length, destination.Length - copied);
            span.Slice(0, count).CopyTo(destination.Slice(copied));
            copied += count;
            if (copied == destination.Length)
            {
                break;
            }
        }

        return copied;
    }
}
