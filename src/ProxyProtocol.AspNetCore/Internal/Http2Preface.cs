using System;
using System.Buffers;

namespace ProxyProtocol.AspNetCore.Internal;

/// <summary>
/// Recognises the HTTP/2 client connection preface (RFC 9113 section 3.4) at the start of the bytes after the
/// PROXY header, without consuming them.
/// </summary>
/// <remarks>
/// <code>
///   P  R  I     *     H  T  T  P  /  2  .  0 \r \n \r \n  S  M \r \n \r \n
///   0                                                                    23
/// </code>
/// HTTP/1.1 request lines that start with <c>P</c> (<c>POST</c>, <c>PUT</c>, <c>PATCH</c>, even <c>PRI * HTTP/1.1</c>)
/// differ within the first ten bytes, so the answer comes as soon as the bytes so far cannot be the preface.
/// </remarks>
internal static class Http2Preface
{
    public const int Length = 24;

    public static ReadOnlySpan<byte> Bytes => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;

    /// <summary>
    /// <see cref="OperationStatus.Done"/>: the preface; <see cref="OperationStatus.InvalidData"/>: anything else;
    /// <see cref="OperationStatus.NeedMoreData"/>: the bytes so far are a strict prefix of the preface.
    /// </summary>
    public static OperationStatus Match(in ReadOnlySequence<byte> buffer)
    {
        if (buffer.IsSingleSegment || buffer.FirstSpan.Length >= Length)
        {
            return Match(buffer.FirstSpan);
        }

        // Rare: the first bytes of the connection span segments. At most 24 of them are copied.
        Span<byte> start = stackalloc byte[Length];
        ReadOnlySequence<byte> head = buffer.Length > Length ? buffer.Slice(0, Length) : buffer;
        head.CopyTo(start);
        return Match(start[..(int)head.Length]);
    }

    private static OperationStatus Match(ReadOnlySpan<byte> bytes)
    {
        ReadOnlySpan<byte> preface = Bytes;
        if (bytes.Length >= Length)
        {
            return bytes[..Length].SequenceEqual(preface) ? OperationStatus.Done : OperationStatus.InvalidData;
        }

        return bytes.SequenceEqual(preface[..bytes.Length]) ? OperationStatus.NeedMoreData : OperationStatus.InvalidData;
    }
}
