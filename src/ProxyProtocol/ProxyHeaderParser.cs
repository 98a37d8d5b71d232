using System;
using System.Buffers;
using ProxyProtocol.Internal;

namespace ProxyProtocol;

/// <summary>
/// Parses PROXY protocol headers (v1 and v2) from spans and sequences without allocating.
/// </summary>
/// <remarks>
/// <para>
/// The <c>Parse</c> methods follow <see cref="OperationStatus"/>: <see cref="OperationStatus.Done"/> with the
/// exact header length in <c>bytesConsumed</c> (everything after it belongs to the application);
/// <see cref="OperationStatus.NeedMoreData"/> while the bytes so far may still become a header; and
/// <see cref="OperationStatus.InvalidData"/> with a <see cref="ProxyHeaderError"/>, which is final: no bytes
/// appended later could make the input valid. Errors are reported as early as each part allows: a first
/// byte that is neither <c>P</c> nor <c>\r</c> is <see cref="ProxyHeaderError.InvalidSignature"/> at once, a
/// v2 length above the limit is rejected from the first 16 bytes, a TLV as soon as its own bytes are in;
/// a v1 field that is still cut off is only checked for its characters and length until its separator
/// arrives (at most 107 bytes in all).
/// </para>
/// <para>
/// Presence of a header is a configuration decision, never a guess (DET-04): call the parser only on
/// connections that must carry a header, or use <see cref="DetectVersion(ReadOnlySpan{byte}, out ProxyVersion)"/>
/// for an explicit optional mode.
/// </para>
/// <para>
/// Rule ids in parentheses throughout these docs, such as (DET-04) or (SEM-01), name the entries of the
/// project's conformance record, docs/conformance.md (anchors such as docs/conformance.md#sem-01): for each
/// rule, what the spec requires, what this library does and where it deliberately differs, and the tests that
/// pin it.
/// </para>
/// </remarks>
public static partial class ProxyHeaderParser
{
    /// <summary>Parses a v1 or v2 header with the default options.</summary>
    /// <param name="source">The received bytes, starting at the first byte of the connection.</param>
    /// <param name="header">The header, when the result is <see cref="OperationStatus.Done"/>.</param>
    /// <param name="bytesConsumed">The header's length when <see cref="OperationStatus.Done"/>, else 0.</param>
    /// <param name="error">The reason when <see cref="OperationStatus.InvalidData"/>, else <see cref="ProxyHeaderError.None"/>.</param>
    /// <returns><see cref="OperationStatus.Done"/>, <see cref="OperationStatus.NeedMoreData"/> or <see cref="OperationStatus.InvalidData"/>.</returns>
    public static OperationStatus Parse(ReadOnlySpan<byte> source, out ProxyHeader header, out int bytesConsumed, out ProxyHeaderError error) =>
        Parse(source, ProxyParserOptions.Default, out header, out bytesConsumed, out error);

    /// <summary>Parses a v1 or v2 header.</summary>
    /// <param name="source">The received bytes, starting at the first byte of the connection.</param>
    /// <param name="options">Limits and leniencies.</param>
    /// <param name="header">The header, when the result is <see cref="OperationStatus.Done"/>.</param>
    /// <param name="bytesConsumed">The header's length when <see cref="OperationStatus.Done"/>, else 0.</param>
    /// <param name="error">The reason when <see cref="OperationStatus.InvalidData"/>, else <see cref="ProxyHeaderError.None"/>.</param>
    /// <returns><see cref="OperationStatus.Done"/>, <see cref="OperationStatus.NeedMoreData"/> or <see cref="OperationStatus.InvalidData"/>.</returns>
    public static OperationStatus Parse(ReadOnlySpan<byte> source, in ProxyParserOptions options, out ProxyHeader header, out int bytesConsumed, out ProxyHeaderError error)
    {
        if (source.IsEmpty)
        {
            header = default;
            bytesConsumed = 0;
            error = ProxyHeaderError.None;
            return OperationStatus.NeedMoreData;
        }

        return source[0] switch
        {
            (byte)'P' => ParseV1(source, options, out header, out bytesConsumed, out error),
            0x0D => ParseV2(source, options, out header, out bytesConsumed, out error),
            _ => Invalid(ProxyHeaderError.InvalidSignature, out header, out bytesConsumed, out error),
        };
    }

    /// <summary>Parses a header and reports only whether a whole valid header was found.</summary>
    /// <param name="source">The received bytes, starting at the first byte of the connection.</param>
    /// <param name="header">The header, when the result is <see langword="true"/>.</param>
    /// <param name="bytesConsumed">The header's length, when the result is <see langword="true"/>.</param>
    /// <returns><see langword="true"/> when <paramref name="source"/> starts with a complete, valid header.</returns>
    public static bool TryParse(ReadOnlySpan<byte> source, out ProxyHeader header, out int bytesConsumed) =>
        Parse(source, ProxyParserOptions.Default, out header, out bytesConsumed, out _) == OperationStatus.Done;

    /// <summary>Parses a header and reports only whether a whole valid header was found.</summary>
    /// <param name="source">The received bytes, starting at the first byte of the connection.</param>
    /// <param name="options">Limits and leniencies.</param>
    /// <param name="header">The header, when the result is <see langword="true"/>.</param>
    /// <param name="bytesConsumed">The header's length, when the result is <see langword="true"/>.</param>
    /// <returns><see langword="true"/> when <paramref name="source"/> starts with a complete, valid header.</returns>
    public static bool TryParse(ReadOnlySpan<byte> source, in ProxyParserOptions options, out ProxyHeader header, out int bytesConsumed) =>
        Parse(source, options, out header, out bytesConsumed, out _) == OperationStatus.Done;

    /// <summary>
    /// Tells from the first bytes whether the input starts like a PROXY header, and which version: v1 needs
    /// the 6 bytes <c>"PROXY "</c>, v2 the 12-byte signature and the version nibble of byte 13 (DET-01, DET-02).
    /// </summary>
    /// <remarks>Use it only for an explicitly configured optional mode; a receiver configured for PROXY must not guess (DET-04).</remarks>
    /// <param name="source">The first bytes of the connection.</param>
    /// <param name="version">The version, when the result is <see cref="OperationStatus.Done"/>.</param>
    /// <returns><see cref="OperationStatus.Done"/> when a header starts here, <see cref="OperationStatus.NeedMoreData"/>
    /// when the bytes so far are a prefix of one, <see cref="OperationStatus.InvalidData"/> when no header starts here.</returns>
    public static OperationStatus DetectVersion(ReadOnlySpan<byte> source, out ProxyVersion version)
    {
        version = default;
        if (source.IsEmpty)
        {
            return OperationStatus.NeedMoreData;
        }

        if (source[0] == (byte)'P')
        {
            OperationStatus status = MatchPrefix(source, WireFormat.V1Prefix);
            if (status == OperationStatus.Done)
            {
                version = ProxyVersion.V1;
            }

            return status;
        }

        if (source[0] == 0x0D)
        {
            OperationStatus status = MatchPrefix(source, WireFormat.V2Signature);
            if (status != OperationStatus.Done)
            {
                return status;
            }

            if (source.Length <= WireFormat.V2VersionCommandOffset)
            {
                return OperationStatus.NeedMoreData;
            }

            if ((source[WireFormat.V2VersionCommandOffset] & WireFormat.VersionMask) != WireFormat.V2Version)
            {
                return OperationStatus.InvalidData;
            }

            version = ProxyVersion.V2;
            return OperationStatus.Done;
        }

        return OperationStatus.InvalidData;
    }

    /// <summary>Compares the available bytes with a fixed prefix: Done when all of it matched, NeedMoreData when a shorter match.</summary>
    private static OperationStatus MatchPrefix(ReadOnlySpan<byte> source, ReadOnlySpan<byte> prefix)
    {
        int length = Math.Min(source.Length, prefix.Length);
        if (!source.Slice(0, length).SequenceEqual(prefix.Slice(0, length)))
        {
            return OperationStatus.InvalidData;
        }

        return length == prefix.Length ? OperationStatus.Done : OperationStatus.NeedMoreData;
    }

    private static OperationStatus Invalid(ProxyHeaderError reason, out ProxyHeader header, out int bytesConsumed, out ProxyHeaderError error)
    {
        header = default;
        bytesConsumed = 0;
        error = reason;
        return OperationStatus.InvalidData;
    }

    private static OperationStatus NeedMoreData(out ProxyHeader header, out int bytesConsumed, out ProxyHeaderError error)
    {
        header = default;
        bytesConsumed = 0;
        error = ProxyHeaderError.None;
        return OperationStatus.NeedMoreData;
    }
}
