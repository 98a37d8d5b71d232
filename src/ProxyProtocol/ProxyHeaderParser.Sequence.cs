using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using ProxyProtocol.Internal;

namespace ProxyProtocol;

public static partial class ProxyHeaderParser
{
    // Multi-segment headers are first copied into a fixed stack buffer of this size (every v1 line fits);
    // a longer v2 header is copied again, to the stack up to StackCopyLimit, to a pooled array above it.
    private const int InlineCopyLength = 128;
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
        if (source.IsSingleSegment)
        {
            return Parse(source.FirstSpan, options, out header, out bytesConsumed, out error);
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

    /// <summary>
    /// How many leading bytes decide the outcome of the span parser, as far as <paramref name="prefix"/> tells:
    /// the parser's result on any input equals its result on the input cut after this many bytes (pinned by
    /// BoundedReadProperties). Returns <see cref="int.MaxValue"/> when the prefix is too short to tell.
    /// </summary>
    /// <remarks>
    /// v2: the 16-byte fixed part, then <c>16 + len</c>; only the fixed part when its signature is wrong or the
    /// length is over the limit (both are decided there). v1: up to and including the first LF, at most 107 bytes
    /// (V1-09). Anything else: the first byte, an <see cref="ProxyHeaderError.InvalidSignature"/>.
    /// </remarks>
    private static int DecidingLength(ReadOnlySpan<byte> prefix, in ProxyParserOptions options)
    {
        if (prefix.IsEmpty)
        {
            return int.MaxValue;
        }

        if (prefix[0] == 0x0D)
        {
            return prefix.Length < WireFormat.V2FixedLength ? int.MaxValue : V2DecidingLength(prefix, options);
        }

        if (prefix[0] == (byte)'P')
        {
            int lineFeed = prefix.Slice(0, Math.Min(prefix.Length, WireFormat.V1MaxLength)).IndexOf((byte)'\n');
            return lineFeed >= 0 ? lineFeed + 1 : prefix.Length >= WireFormat.V1MaxLength ? WireFormat.V1MaxLength : int.MaxValue;
        }

        return 1;
    }

    /// <summary>The deciding length of a v2 header from its 16-byte fixed part (see <see cref="DecidingLength"/>).</summary>
    private static int V2DecidingLength(ReadOnlySpan<byte> fixedPart, in ProxyParserOptions options)
    {
        int length = WireFormat.V2FixedLength + BinaryPrimitives.ReadUInt16BigEndian(fixedPart.Slice(WireFormat.V2LengthOffset));
        return length > options.MaxHeaderLength || !fixedPart.StartsWith(WireFormat.V2Signature) ? WireFormat.V2FixedLength : length;
    }

    /// <summary>
    /// A header whose deciding bytes span segments: copies them (or all there are, if fewer) into one buffer,
    /// segment by segment, learning how many as they arrive (the v1 line up to its LF, the <c>16 + len</c> a v2
    /// header claims), and parses that once. Segments after the last byte needed are not touched.
    /// </summary>
    private static OperationStatus ParseMultiSegment(in ReadOnlySequence<byte> source, in ProxyParserOptions options, out ProxyHeader header, out int bytesConsumed, out ProxyHeaderError error)
    {
        // Not the sequence's enumerator nor FirstSpan: a multi-segment sequence is always a chain of segments
        // (ReadOnlySequence only builds one from two segments), and walking it directly costs less than a
        // TryGet per segment. For the same reason the cast needs no type check (a helper call otherwise).
        SequencePosition start = source.Start;
        ReadOnlySequenceSegment<byte> segment = Unsafe.As<ReadOnlySequenceSegment<byte>>(start.GetObject()!);
        SequencePosition end = source.End;
        ReadOnlySpan<byte> span = segment.Memory.Span.Slice(start.GetInteger());

        // The outcome depends only on the bytes that decide it; when the first segment holds them all, parsing
        // it in place gives what parsing the whole sequence would.
        if (DecidingLength(span, options) <= span.Length)
        {
            return Parse(span, options, out header, out bytesConsumed, out error);
        }

        while (span.IsEmpty)
        {
            if (segment == end.GetObject())
            {
                return NeedMoreData(out header, out bytesConsumed, out error); // an empty sequence
            }

            NextSegment(ref segment, end, out span);
        }

        // The first byte tells how many bytes can decide the outcome (see DecidingLength).
        bool v1 = span[0] == (byte)'P';
        if (!v1 && span[0] != 0x0D)
        {
            return Parse(span.Slice(0, 1), options, out header, out bytesConsumed, out error);
        }

        int needed = v1 ? WireFormat.V1MaxLength : WireFormat.V2FixedLength;
        bool lengthKnown = v1;

        // Enough for any v1 line and most v2 headers; a fixed size the JIT zeroes with a few stores.
        Span<byte> buffer = stackalloc byte[InlineCopyLength];
        int copied = 0;
        while (true)
        {
            if (!lengthKnown && copied + span.Length >= WireFormat.V2FixedLength)
            {
                // The v2 length field (bytes 14 and 15) is in this segment, or its first byte was just copied:
                // read it in place, so that the segment is still copied in one piece and only as far as needed.
                // The signature is not checked here: a wrong one costs at most this buffer's bytes (longer goes
                // through ParseLargeMultiSegment, which checks it), and the parse below reports it.
                int high = copied > WireFormat.V2LengthOffset ? buffer[WireFormat.V2LengthOffset] : span[WireFormat.V2LengthOffset - copied];
                int length = WireFormat.V2FixedLength + ((high << 8) | span[WireFormat.V2LengthOffset + 1 - copied]);
                lengthKnown = true;
                if (length > options.MaxHeaderLength)
                {
                    length = WireFormat.V2FixedLength; // HeaderTooLong is decided by the fixed part
                }
                else if (length > buffer.Length)
                {
                    return ParseLargeMultiSegment(source, options, out header, out bytesConsumed, out error);
                }

                needed = length;
            }

            int count = Math.Min(span.Length, needed - copied);
            if (v1)
            {
                // The line ends at its first LF; nothing after it is the header's.
                int lineFeed = span.Slice(0, count).IndexOf((byte)'\n');
                if (lineFeed >= 0)
                {
                    count = lineFeed + 1;
                    needed = copied + count;
                }
            }

            span.Slice(0, count).CopyTo(buffer.Slice(copied));
            copied += count;

            // Before the v2 length is known, copied stays below 16 = needed.
            if (copied == needed || segment == end.GetObject())
            {
                break; // all the deciding bytes, or all the bytes there are
            }

            NextSegment(ref segment, end, out span);
        }

        return Parse(buffer.Slice(0, copied), options, out header, out bytesConsumed, out error);
    }

    /// <summary>Moves to the next segment of a sequence ending at <paramref name="end"/>, and gives its bytes in the sequence.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void NextSegment(scoped ref ReadOnlySequenceSegment<byte> segment, SequencePosition end, out ReadOnlySpan<byte> span)
    {
        segment = segment.Next!;
        span = segment.Memory.Span;
        if (segment == end.GetObject())
        {
            span = span.Slice(0, end.GetInteger());
        }
    }

    /// <summary>
    /// A v2 header whose length field claims more than <see cref="InlineCopyLength"/> bytes, over several segments
    /// (at least 16 bytes are in): its deciding bytes (or all there are) are copied into a stack or pooled buffer
    /// of their size and parsed; rare, so kept apart from the inline copy.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static OperationStatus ParseLargeMultiSegment(in ReadOnlySequence<byte> source, in ProxyParserOptions options, out ProxyHeader header, out int bytesConsumed, out ProxyHeaderError error)
    {
        // With a wrong signature the fixed part decides: the claimed length is not copied.
        Span<byte> fixedPart = stackalloc byte[WireFormat.V2FixedLength];
        CopyPrefix(source, fixedPart);
        int needed = V2DecidingLength(fixedPart, options);

        int length = (int)Math.Min(source.Length, needed);

        // Sized to the header, not to the limit: the stack copy is zeroed first.
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
