using System;
using System.Buffers;
using System.Runtime.CompilerServices;
using ProxyProtocol.Internal;

namespace ProxyProtocol;

public static partial class ProxyHeaderParser
{
    /// <summary>Parses a v1 text header only (spec 2.1).</summary>
    /// <param name="source">The received bytes, starting at the first byte of the connection.</param>
    /// <param name="options">Limits and leniencies; <see cref="ProxyParserOptions.AllowIPv4InTcp6"/> applies here.</param>
    /// <param name="header">The header, when the result is <see cref="OperationStatus.Done"/>.</param>
    /// <param name="bytesConsumed">The line's length including CRLF when <see cref="OperationStatus.Done"/>, else 0.</param>
    /// <param name="error">The reason when <see cref="OperationStatus.InvalidData"/>, else <see cref="ProxyHeaderError.None"/>.</param>
    /// <returns><see cref="OperationStatus.Done"/>, <see cref="OperationStatus.NeedMoreData"/> or <see cref="OperationStatus.InvalidData"/>.</returns>
    // Kept out of line so that its own helpers get the inliner's budget, not the dispatcher's.
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static OperationStatus ParseV1(ReadOnlySpan<byte> source, in ProxyParserOptions options, out ProxyHeader header, out int bytesConsumed, out ProxyHeaderError error)
    {
        // The usual case first; it succeeds only where the general parser would, with the same result
        // (pinned by the differential tests in V1PathDifferentialTests).
        if ((options.AllowedVersions & ProxyVersions.V1) != 0 && TryParseV1Complete(source, out header, out bytesConsumed))
        {
            error = ProxyHeaderError.None;
            return OperationStatus.Done;
        }

        return ParseV1General(source, options, out header, out bytesConsumed, out error);
    }

    /// <summary>
    /// The general v1 parser: every line, whole or cut off, valid or not, with the precise error. <see cref="ParseV1"/>
    /// runs it for whatever the fast path does not accept; the tests run it on every input on its own too.
    /// </summary>
    internal static OperationStatus ParseV1General(ReadOnlySpan<byte> source, in ProxyParserOptions options, out ProxyHeader header, out int bytesConsumed, out ProxyHeaderError error)
    {
        OperationStatus prefix = MatchPrefix(source, WireFormat.V1Prefix);
        if (prefix == OperationStatus.InvalidData)
        {
            return Invalid(ProxyHeaderError.InvalidSignature, out header, out bytesConsumed, out error);
        }

        if (prefix == OperationStatus.NeedMoreData)
        {
            return NeedMoreData(out header, out bytesConsumed, out error);
        }

        if ((options.AllowedVersions & ProxyVersions.V1) == 0)
        {
            return Invalid(ProxyHeaderError.VersionNotAllowed, out header, out bytesConsumed, out error);
        }

        // The CR must sit at index 105 or earlier so the line, CRLF included, fits in 107 bytes (V1-09).
        const int LastCrIndex = WireFormat.V1MaxLength - 2;
        ReadOnlySpan<byte> window = source.Slice(0, Math.Min(source.Length, LastCrIndex + 1));
        int lineEnd = window.IndexOfAny((byte)'\r', (byte)'\n');
        ProxyHeaderError lineError = ProxyHeaderError.None;
        bool complete = false;
        if (lineEnd < 0)
        {
            if (source.Length > LastCrIndex)
            {
                lineError = ProxyHeaderError.LineTooLong;
                lineEnd = LastCrIndex;
            }
            else
            {
                lineEnd = source.Length;
            }
        }
        else if (source[lineEnd] == (byte)'\n')
        {
            lineError = ProxyHeaderError.InvalidLineEnding; // LF without CR (V1-08)
        }
        else if (lineEnd + 1 < source.Length)
        {
            if (source[lineEnd + 1] == (byte)'\n')
            {
                complete = true;
            }
            else
            {
                lineError = ProxyHeaderError.InvalidLineEnding; // CR without LF (V1-08)
            }
        }

        // Errors come in wire order: the text before a bad or missing line end is checked first, as it
        // would be if only that text had arrived, so every chunking of the same bytes gives the same error.
        ReadOnlySpan<byte> body = source.Slice(WireFormat.V1Prefix.Length, lineEnd - WireFormat.V1Prefix.Length);
        int length = complete ? lineEnd + 2 : 0;
        error = ParseV1Body(body, complete, length, options, out header);
        if (error == ProxyHeaderError.None)
        {
            error = lineError;
        }

        if (error != ProxyHeaderError.None)
        {
            header = default;
            bytesConsumed = 0;
            return OperationStatus.InvalidData;
        }

        if (!complete)
        {
            return NeedMoreData(out header, out bytesConsumed, out error);
        }

        bytesConsumed = length;
        return OperationStatus.Done;
    }

    /// <summary>
    /// Parses the text between <c>"PROXY "</c> and CRLF. When <paramref name="complete"/> is false the body
    /// was cut off by the end of the input: every field seen so far is checked and the last one is only
    /// checked for characters and length, so that a valid prefix is never rejected.
    /// </summary>
    private static ProxyHeaderError ParseV1Body(ReadOnlySpan<byte> body, bool complete, int length, in ProxyParserOptions options, out ProxyHeader header)
    {
        header = default;

        // "UNKNOWN" may be followed by anything up to CRLF; the receiver ignores it (V1-10, QUIRK-01).
        ReadOnlySpan<byte> unknown = "UNKNOWN"u8;
        if (body.StartsWith(unknown))
        {
            if (body.Length > unknown.Length && body[unknown.Length] != (byte)' ')
            {
                return ProxyHeaderError.InvalidProtocol;
            }

            header = new ProxyHeader(ProxyVersion.V1, ProxyCommand.Proxy, ProxyAddressFamily.Unspecified, ProxyTransport.Unspecified, default, default, 0, 0, length, 0, 0);
            return ProxyHeaderError.None;
        }

        ProxyAddressFamily family;
        if (body.StartsWith("TCP4"u8))
        {
            family = ProxyAddressFamily.InterNetwork;
        }
        else if (body.StartsWith("TCP6"u8))
        {
            family = ProxyAddressFamily.InterNetworkV6;
        }
        else
        {
            bool isPrefix = !complete && (unknown.StartsWith(body) || "TCP4"u8.StartsWith(body) || "TCP6"u8.StartsWith(body));
            return isPrefix ? ProxyHeaderError.None : ProxyHeaderError.InvalidProtocol;
        }

        ReadOnlySpan<byte> rest = body.Slice(4);
        if (rest.IsEmpty)
        {
            return complete ? ProxyHeaderError.InvalidFieldSeparator : ProxyHeaderError.None;
        }

        if (rest[0] != (byte)' ')
        {
            return ProxyHeaderError.InvalidProtocol; // for example "TCP44" or "TCP4\t"
        }

        rest = rest.Slice(1);
        Span<byte> source = stackalloc byte[16];
        Span<byte> destination = stackalloc byte[16];
        ushort sourcePort = 0;
        ushort destinationPort = 0;

        // Exactly four fields separated by single spaces (V1-03): src dst sport dport.
        for (int field = 0; field < 4; field++)
        {
            int space = rest.IndexOf((byte)' ');
            bool lastInInput = space < 0;
            ReadOnlySpan<byte> token = lastInInput ? rest : rest.Slice(0, space);

            if (lastInInput && !complete)
            {
                return CheckPartialField(token, field, family);
            }

            if (token.IsEmpty)
            {
                return ProxyHeaderError.InvalidFieldSeparator; // double, leading or trailing space
            }

            // The field's own bytes come before the separator that follows it, so they are judged first:
            // a prefix that ends inside this field must already report the same error.
            ProxyHeaderError fieldError = field switch
            {
                0 => ParseAddress(token, family, options, source),
                1 => ParseAddress(token, family, options, destination),
                2 => TextAddressParser.TryParsePort(token, out sourcePort) ? ProxyHeaderError.None : ProxyHeaderError.InvalidPort,
                _ => TextAddressParser.TryParsePort(token, out destinationPort) ? ProxyHeaderError.None : ProxyHeaderError.InvalidPort,
            };
            if (fieldError != ProxyHeaderError.None)
            {
                return fieldError;
            }

            if (lastInInput != (field == 3))
            {
                return ProxyHeaderError.InvalidFieldSeparator; // too few or too many fields
            }

            rest = lastInInput ? default : rest.Slice(space + 1);
        }

        int size = family == ProxyAddressFamily.InterNetwork ? 4 : 16;
        header = new ProxyHeader(
            ProxyVersion.V1, ProxyCommand.Proxy, family, ProxyTransport.Stream,
            source.Slice(0, size), destination.Slice(0, size), sourcePort, destinationPort, length, 0, 0);
        return ProxyHeaderError.None;
    }

    private static ProxyHeaderError ParseAddress(ReadOnlySpan<byte> token, ProxyAddressFamily family, in ProxyParserOptions options, Span<byte> destination)
    {
        bool looksLikeIPv6 = token.Contains((byte)':');
        if (family == ProxyAddressFamily.InterNetwork)
        {
            if (TextAddressParser.TryParseIPv4(token, destination))
            {
                return ProxyHeaderError.None;
            }

            // An IPv6 address in a TCP4 line (V1-06). Only text made of IPv6 characters counts, the same
            // test CheckPartialField applies to a cut-off token, so every prefix agrees on the error.
            return looksLikeIPv6 && TextAddressParser.IsIPv6Prefix(token) ? ProxyHeaderError.AddressFamilyMismatch : ProxyHeaderError.InvalidIPv4Address;
        }

        if (looksLikeIPv6)
        {
            return TextAddressParser.TryParseIPv6(token, destination) ? ProxyHeaderError.None : ProxyHeaderError.InvalidIPv6Address;
        }

        // A bare IPv4 address in a TCP6 line: rejected unless the option allows it (QUIRK-03b).
        if (!TextAddressParser.TryParseIPv4(token, destination.Slice(12)))
        {
            return ProxyHeaderError.InvalidIPv6Address;
        }

        if (!options.AllowIPv4InTcp6)
        {
            return ProxyHeaderError.AddressFamilyMismatch;
        }

        // Stored as v4-mapped IPv6, ::ffff:a.b.c.d.
        destination.Slice(0, 10).Clear();
        destination[10] = 0xFF;
        destination[11] = 0xFF;
        return ProxyHeaderError.None;
    }

    private static ProxyHeaderError CheckPartialField(ReadOnlySpan<byte> token, int field, ProxyAddressFamily family)
    {
        if (field >= 2)
        {
            return TextAddressParser.IsPortPrefix(token) ? ProxyHeaderError.None : ProxyHeaderError.InvalidPort;
        }

        // A cut-off TCP4 address is rejected only once no ending can make it an IPv4 address or an IPv6
        // address (which gets AddressFamilyMismatch when complete): a character neither may contain, or
        // more than an IPv6 address's 45. Deciding earlier would let the error depend on where the input
        // was cut, for example "1:x" (InvalidIPv4Address) against its prefix "1:".
        if (!TextAddressParser.IsIPv6Prefix(token))
        {
            return family == ProxyAddressFamily.InterNetwork ? ProxyHeaderError.InvalidIPv4Address : ProxyHeaderError.InvalidIPv6Address;
        }

        return ProxyHeaderError.None;
    }
}
