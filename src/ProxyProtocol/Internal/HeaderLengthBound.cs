using System;
using System.Buffers;
using System.Buffers.Binary;

namespace ProxyProtocol.Internal;

/// <summary>
/// How many more bytes a header certainly has, given a prefix of it: the readers that may not over-read
/// (a <see cref="System.IO.Stream"/> has no peek) ask for exactly this many, so a read never reaches past
/// the header's last byte into application data (RX-02).
/// </summary>
/// <remarks>
/// The value is a lower bound for every valid header that starts with the prefix. Nothing is known before
/// the first byte, so the first read asks for 15 bytes (the shortest v1 line, one less than v2's fixed
/// part). v2 announces its length in bytes 14-15, so it takes three reads in all. v1 has no length: the bound
/// is built from the fields still missing (each takes at least one character, an IPv4 address at least
/// seven, <c>"::"</c> two) plus CRLF, so a typical <c>TCP4</c> line arrives in about six reads, not one per byte.
/// </remarks>
internal static class HeaderLengthBound
{
    /// <summary>The shortest header of either version: <c>"PROXY UNKNOWN\r\n"</c> (15 bytes); v2 is at least 16.</summary>
    public const int MinHeaderLength = 15;

    // "PROXY TCP4 " / "PROXY TCP6 ": the prefix after which the four address fields start.
    private const int V1FieldsStart = 11;
    private const int V1FieldCount = 4;
    private const int MinIPv4Length = 7;   // "1.2.3.4"
    private const int MinIPv6Length = 2;   // "::"
    private const int CrLfLength = 2;

    /// <summary>
    /// Returns a lower bound (at least 1) on the bytes that follow <paramref name="prefix"/> in any valid header.
    /// Call it only while the parser reports <see cref="System.Buffers.OperationStatus.NeedMoreData"/> for the prefix.
    /// </summary>
    /// <param name="prefix">The header bytes received so far.</param>
    /// <returns>The number of bytes that can be read without passing the header's end.</returns>
    public static int GetMinimumRemaining(ReadOnlySpan<byte> prefix)
    {
        if (prefix.IsEmpty)
        {
            return MinHeaderLength;
        }

        if (prefix[0] == WireFormat.V2Signature[0])
        {
            return GetV2MinimumRemaining(prefix);
        }

        return GetV1MinimumRemaining(prefix);
    }

    /// <summary>
    /// Whether <paramref name="prefix"/> is a v2 header whose 16-byte fixed part the parser accepts and whose
    /// announced end (<c>16 + len</c>) has not arrived yet.
    /// </summary>
    /// <remarks>
    /// A reader that parses everything it has after every read does work quadratic in the header's length when
    /// the header trickles in: a 65,551-byte header of zero-length TLVs delivered one byte per read took seconds of
    /// CPU, a cheap amplification for an attacker on an endpoint that allows the largest headers. Once the fixed
    /// part is valid, parsing a longer prefix could only ask for more bytes or report an error in the TLVs that
    /// have arrived, and the reader would keep reading either way up to the announced end (at most
    /// <see cref="ProxyParserOptions.MaxHeaderLength"/>, within the caller's timeout). So the readers check just the
    /// fixed part here and parse the header once, whole. The error for a bad header is the same; it is reported
    /// when the header is complete, or when the connection ends (see <see cref="HeaderReadBuffer.CreateEndOfStreamException"/>).
    /// </remarks>
    /// <param name="prefix">The header bytes received so far.</param>
    /// <param name="options">The parser options, for the fixed part's checks (version, maximum length).</param>
    /// <returns><see langword="true"/> when the reader should read on without parsing.</returns>
    public static bool IsIncompleteV2(ReadOnlySpan<byte> prefix, in ProxyParserOptions options)
    {
        if (prefix.Length <= WireFormat.V2FixedLength || prefix[0] != WireFormat.V2Signature[0])
        {
            return false;
        }

        int total = WireFormat.V2FixedLength + BinaryPrimitives.ReadUInt16BigEndian(prefix.Slice(WireFormat.V2LengthOffset));
        return prefix.Length < total
            && ProxyHeaderParser.Parse(prefix.Slice(0, WireFormat.V2FixedLength), options, out _, out _, out _) == OperationStatus.NeedMoreData;
    }

    /// <summary>As <see cref="IsIncompleteV2(ReadOnlySpan{byte}, in ProxyParserOptions)"/>, for a pipe's buffer.</summary>
    /// <param name="prefix">The header bytes received so far.</param>
    /// <param name="options">The parser options.</param>
    /// <returns><see langword="true"/> when the reader should read on without parsing.</returns>
    public static bool IsIncompleteV2(in ReadOnlySequence<byte> prefix, in ProxyParserOptions options)
    {
        if (prefix.Length <= WireFormat.V2FixedLength)
        {
            return false;
        }

        // The fixed part and one byte more decide, wherever the segments split them.
        Span<byte> copy = stackalloc byte[WireFormat.V2FixedLength + 1];
        scoped ReadOnlySpan<byte> head = prefix.FirstSpan;
        if (head.Length < copy.Length)
        {
            prefix.Slice(0, copy.Length).CopyTo(copy);
            head = copy;
        }

        int total = WireFormat.V2FixedLength + BinaryPrimitives.ReadUInt16BigEndian(head.Slice(WireFormat.V2LengthOffset));
        return prefix.Length < total && IsIncompleteV2(head.Slice(0, copy.Length), options);
    }

    private static int GetV2MinimumRemaining(ReadOnlySpan<byte> prefix)
    {
        if (prefix.Length < WireFormat.V2FixedLength)
        {
            return WireFormat.V2FixedLength - prefix.Length;
        }

        int total = WireFormat.V2FixedLength + BinaryPrimitives.ReadUInt16BigEndian(prefix.Slice(WireFormat.V2LengthOffset));
        return Math.Max(1, total - prefix.Length);
    }

    private static int GetV1MinimumRemaining(ReadOnlySpan<byte> prefix)
    {
        if (prefix[^1] == (byte)'\r')
        {
            return 1; // only the LF is missing
        }

        if (prefix.Length < V1FieldsStart)
        {
            // The protocol word is not known yet; even "PROXY UNKNOWN\r\n" is 15 bytes.
            return Math.Max(MinHeaderLength - prefix.Length, CrLfLength);
        }

        ReadOnlySpan<byte> protocol = prefix.Slice(WireFormat.V1Prefix.Length);
        int minAddressLength;
        if (protocol.StartsWith("TCP4 "u8))
        {
            minAddressLength = MinIPv4Length;
        }
        else if (protocol.StartsWith("TCP6 "u8))
        {
            minAddressLength = MinIPv6Length;
        }
        else
        {
            // "UNKNOWN" may be followed by anything: only the 15-byte minimum and the CRLF are certain.
            return Math.Max(MinHeaderLength - prefix.Length, CrLfLength);
        }

        // src SP dst SP sport SP dport CRLF: find the field being received and how much of it is there.
        ReadOnlySpan<byte> fields = prefix.Slice(V1FieldsStart);
        int field = fields.Count((byte)' ');
        if (field >= V1FieldCount)
        {
            return CrLfLength; // too many fields: the parser rejects this; never ask for more than CRLF
        }

        int currentLength = fields.Length - (fields.LastIndexOf((byte)' ') + 1);
        int remaining = Math.Max(0, MinFieldLength(field, minAddressLength) - currentLength);
        for (int next = field + 1; next < V1FieldCount; next++)
        {
            remaining += 1 + MinFieldLength(next, minAddressLength); // separator and the shortest field
        }

        return remaining + CrLfLength;
    }

    private static int MinFieldLength(int field, int minAddressLength) => field < 2 ? minAddressLength : 1;
}
