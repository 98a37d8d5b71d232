using System;
using System.Buffers;
using System.Net;
using ProxyProtocol.Tests.Infrastructure;
using ProxyProtocol.Tests.Vectors;

namespace ProxyProtocol.Tests.Parser;

/// <summary>The v1 text grammar (checklist 1.2, V1) and our decisions on its real-world deviations (QUIRK-01/02/03/08).</summary>
public class V1ParserTests
{
    // V1-01, V1-02, V1-04, V1-07: the spec's example line, then the HTTP request it precedes.
    [Theory]
    [ShapedVectors(TestVectors.SpecV1Tcp4WithRequest)]
    public void V1_02_TCP4_line_gives_IPv4_stream_header(ShapedInput input)
    {
        ProxyHeader header = input.Parse().Header;

        Assert.Equal(ProxyVersion.V1, header.Version);
        Assert.Equal(ProxyCommand.Proxy, header.Command);
        Assert.Equal(ProxyAddressFamily.InterNetwork, header.AddressFamily);
        Assert.Equal(ProxyTransport.Stream, header.Transport);
        Assert.True(header.HasAddresses);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.168.0.1"), 56324), header.GetSourceEndPoint());
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.168.0.11"), 443), header.GetDestinationEndPoint());
        Assert.Equal([192, 168, 0, 1], header.SourceAddress.ToArray());
        Assert.Equal(0, header.TlvOffset);
        Assert.Equal(0, header.TlvLength);
        Assert.True(header.GetTlvs(input.Vector.Bytes).IsEmpty);
    }

    // V1-02: the protocol word is exactly TCP4, TCP6 or UNKNOWN, case-sensitive.
    [Theory]
    [ShapedVectors("v1-02-tcp5", "v1-02-lowercase-tcp4", "v1-02-tcp44", "v1-02-lowercase-unknown", "v1-02-empty-protocol")]
    public void V1_02_other_protocol_words_are_rejected(ShapedInput input) =>
        Assert.Equal(ProxyHeaderError.InvalidProtocol, input.Parse().Error);

    // V1-03: exactly one space between fields; no leading, trailing or double spaces, no tabs; exactly
    // four fields after TCP4/TCP6.
    [Theory]
    [ShapedVectors("v1-03-double-space", "v1-03-trailing-space", "v1-03-missing-port", "v1-03-extra-field", "v1-03-protocol-only",
        "v1-03-leading-space", "v1-03-tab-after-protocol", "v1-03-tab-between-fields")]
    public void V1_03_separators_must_be_single_spaces(ShapedInput input) =>
        Assert.Equal(OperationStatus.InvalidData, input.Parse().Status);

    // V1-04: the full IPv4 range and port range, with "0" allowed and no leading zeros.
    [Theory]
    [ShapedVectors(TestVectors.V1Zeros, TestVectors.SpecV1Tcp4Max)]
    public void V1_04_dotted_quads_cover_the_whole_range(ShapedInput input)
    {
        ProxyHeader header = input.Parse().Header;

        Assert.Equal(ProxyAddressFamily.InterNetwork, header.AddressFamily);
        Assert.Equal([255, 255, 255, 255], header.DestinationAddress.ToArray());
        Assert.Equal(65535, header.DestinationPort);
    }

    // V1-04, QUIRK-02: leading zeros, values over 255, fewer or more than four parts, empty parts, signs and
    // hex are rejected (strict by default; there is no lenient mode).
    [Theory]
    [ShapedVectors("v1-04-leading-zero", "v1-04-double-zero", "v1-04-octet-256", "v1-04-three-parts", "v1-04-five-parts",
        "v1-04-empty-part", "v1-04-trailing-dot", TestVectors.SpecV1MalformedNoAddresses)]
    public void V1_04_IPv4_must_be_a_strict_dotted_quad(ShapedInput input) =>
        Assert.Equal(ProxyHeaderError.InvalidIPv4Address, input.Parse().Error);

    // V1-05: hex groups in either case, one "::", and a dotted-quad tail (RFC 4291 2.2).
    [Theory]
    [ShapedVectors(TestVectors.V1UppercaseIPv6, TestVectors.V1AllZeroIPv6, TestVectors.V1FullIPv6WithEmbeddedIPv4, TestVectors.SpecV1Tcp6Max)]
    public void V1_05_IPv6_text_forms_decode_to_128_bits(ShapedInput input)
    {
        ProxyHeader header = input.Parse().Header;
        string line = System.Text.Encoding.ASCII.GetString(input.Vector.Header).TrimEnd('\r', '\n');
        string[] fields = line.Split(' ');

        // IPAddress.Parse is a fine oracle for text the strict parser has already accepted.
        Assert.Equal(ProxyAddressFamily.InterNetworkV6, header.AddressFamily);
        Assert.Equal(IPAddress.Parse(fields[2]), header.GetSourceIPAddress());
        Assert.Equal(IPAddress.Parse(fields[3]), header.GetDestinationIPAddress());
        Assert.Equal(ushort.Parse(fields[4], System.Globalization.CultureInfo.InvariantCulture), header.SourcePort);
        Assert.Equal(ushort.Parse(fields[5], System.Globalization.CultureInfo.InvariantCulture), header.DestinationPort);
    }

    // V1-05, QUIRK-08: zone ids, brackets, two "::", too many or too few groups, long groups, stray colons,
    // non-hex digits and bad dotted tails are rejected.
    [Theory]
    [ShapedVectors("v1-05-zone-id", "v1-05-brackets", "v1-05-two-double-colons", "v1-05-triple-colon", "v1-05-nine-groups",
        "v1-05-seven-groups", "v1-05-double-colon-with-eight-groups", "v1-05-five-digit-group", "v1-05-trailing-colon",
        "v1-05-leading-colon", "v1-05-non-hex", "v1-05-embedded-ipv4-leading-zero", "v1-05-embedded-ipv4-not-last",
        "v1-05-embedded-ipv4-too-many-groups")]
    public void V1_05_IPv6_must_be_RFC_4291_text(ShapedInput input) =>
        Assert.Equal(ProxyHeaderError.InvalidIPv6Address, input.Parse().Error);

    // V1-06: both addresses are of the family the protocol word names.
    [Theory]
    [ShapedVectors("v1-06-ipv6-in-tcp4", "quirk03b-bare-ipv4-in-tcp6")]
    public void V1_06_address_of_the_other_family_is_rejected(ShapedInput input) =>
        Assert.Equal(ProxyHeaderError.AddressFamilyMismatch, input.Parse().Error);

    // V1-07: ports are decimal 0-65535 without sign or leading zeros.
    [Theory]
    [ShapedVectors("v1-07-leading-zero", "v1-07-65536", "v1-07-six-digits", "v1-07-plus-sign", "v1-07-minus-sign", "v1-07-hex")]
    public void V1_07_ports_must_be_plain_decimals(ShapedInput input) =>
        Assert.Equal(ProxyHeaderError.InvalidPort, input.Parse().Error);

    // V1-08: only CR LF ends the line; a lone CR or LF anywhere is rejected.
    [Theory]
    [ShapedVectors("v1-08-lf-only", "v1-08-cr-then-other", "v1-08-cr-inside-line", "v1-08-lf-cr")]
    public void V1_08_line_must_end_with_CRLF(ShapedInput input) =>
        Assert.Equal(ProxyHeaderError.InvalidLineEnding, input.Parse().Error);

    // V1-09: the longest lines of the spec (TCP4 56, TCP6 104, UNKNOWN 107 bytes) are accepted.
    [Theory]
    [InlineData(TestVectors.SpecV1Tcp4Max, 56)]
    [InlineData(TestVectors.SpecV1Tcp6Max, 104)]
    [InlineData(TestVectors.SpecV1UnknownShort, 15)]
    [InlineData(TestVectors.SpecV1UnknownMax, 107)]
    public void V1_09_longest_lines_are_accepted(string name, int length)
    {
        ParseOutcome outcome = BufferShapes.ParseAllShapes(TestVectors.Get(name).Bytes, default);

        Assert.Equal(OperationStatus.Done, outcome.Status);
        Assert.Equal(length, outcome.BytesConsumed);
    }

    // V1-09: no CRLF within 107 bytes is LineTooLong, decided as soon as 106 bytes are in without a CR
    // (the CR of a 107-byte line sits at index 105).
    [Theory]
    [ShapedVectors("v1-09-no-crlf-in-107-bytes", "v1-09-crlf-at-108")]
    public void V1_09_line_over_107_bytes_is_rejected(ShapedInput input)
    {
        Assert.Equal(ProxyHeaderError.LineTooLong, input.Parse().Error);
        Assert.Equal(106, ErrorDetection.FirstInvalidPrefixLength(input.Vector.Bytes, default));
    }

    // V1-09: MaxHeaderLength limits v2 only; v1 lines always have the spec's 107-byte limit.
    [Theory]
    [ShapedVectors(TestVectors.V1LongLineWithSmallMaxHeaderLength)]
    public void V1_09_MaxHeaderLength_does_not_limit_v1(ShapedInput input)
    {
        Assert.Equal(16, input.Vector.Options.MaxHeaderLength);
        Assert.Equal(56, input.Parse().BytesConsumed);
    }

    // V1-10, QUIRK-01: UNKNOWN with or without the rest of the line (anything up to CRLF, ignored) is a
    // PROXY header without addresses: the receiver keeps the socket's own endpoints.
    [Theory]
    [ShapedVectors(TestVectors.SpecV1UnknownShort, TestVectors.SpecV1UnknownMax, TestVectors.V1UnknownLongForm, TestVectors.V1UnknownArbitraryText)]
    public void V1_10_UNKNOWN_carries_no_addresses(ShapedInput input)
    {
        ProxyHeader header = input.Parse().Header;

        Assert.Equal(ProxyVersion.V1, header.Version);
        Assert.Equal(ProxyCommand.Proxy, header.Command);
        Assert.Equal(ProxyAddressFamily.Unspecified, header.AddressFamily);
        Assert.Equal(ProxyTransport.Unspecified, header.Transport);
        Assert.False(header.HasAddresses);
        Assert.Null(header.GetSourceEndPoint());
        Assert.Null(header.GetDestinationIPAddress());
        Assert.Equal(ProxyHeader.CreateUnknown(), header);
    }

    // V1-10: "UNKNOWN" must be the whole word.
    [Theory]
    [ShapedVectors("v1-10-unknown-suffix")]
    public void V1_10_UNKNOWN_followed_by_a_letter_is_rejected(ShapedInput input) =>
        Assert.Equal(ProxyHeaderError.InvalidProtocol, input.Parse().Error);

    // V1-11: addresses are only decoded once the CRLF is in: a CR without its LF yet waits.
    [Theory]
    [InlineData("PROXY UNKNOWN\r")]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r")]
    [InlineData("PROXY TCP6 ::1 ::2 1 65535\r")]
    public void V1_11_CR_without_LF_needs_more_data(string text)
    {
        ParseOutcome outcome = BufferShapes.ParseAllShapes(Hex.Ascii(text), default);

        Assert.Equal(OperationStatus.NeedMoreData, outcome.Status);
        Assert.Equal(OperationStatus.Done, ProxyHeaderParser.Parse(Hex.Ascii(text + "\n"), out _, out int consumed, out _));
        Assert.Equal(text.Length + 1, consumed);
    }

    // V1-12: a line that does not match exactly is rejected, and quickly: the spec's malformed example
    // "PROXY TCP4 42300 443" is rejected as soon as its first field is complete.
    [Theory]
    [ShapedVectors(TestVectors.SpecV1MalformedNoAddresses)]
    public void V1_12_spec_malformed_line_is_invalid(ShapedInput input)
    {
        Assert.Equal(OperationStatus.InvalidData, input.Parse().Status);
        Assert.Equal("PROXY TCP4 42300 ".Length, ErrorDetection.FirstInvalidPrefixLength(input.Vector.Bytes, default));
    }

    // QUIRK-03a: IPv6 text with a dotted IPv4 tail, as HAProxy writes v4-mapped addresses, is accepted.
    [Theory]
    [ShapedVectors(TestVectors.V1MappedIPv4InTcp6)]
    public void QUIRK_03a_v4_mapped_text_in_TCP6_is_accepted(ShapedInput input)
    {
        ProxyHeader header = input.Parse().Header;

        Assert.Equal(ProxyAddressFamily.InterNetworkV6, header.AddressFamily);
        Assert.Equal(IPAddress.Parse("::ffff:192.0.2.1"), header.GetSourceIPAddress());
        Assert.Equal(Hex.Parse("00000000000000000000ffffc0000201"), header.SourceAddress.ToArray());
    }

    // QUIRK-03b: a bare IPv4 address in a TCP6 line (nginx) is accepted only with AllowIPv4InTcp6, and
    // is stored as v4-mapped IPv6.
    [Theory]
    [ShapedVectors(TestVectors.V1BareIPv4InTcp6Allowed)]
    public void QUIRK_03b_bare_IPv4_in_TCP6_is_accepted_when_allowed(ShapedInput input)
    {
        ProxyHeader header = input.Parse().Header;

        Assert.True(input.Vector.Options.AllowIPv4InTcp6);
        Assert.Equal(ProxyAddressFamily.InterNetworkV6, header.AddressFamily);
        Assert.Equal(IPAddress.Parse("::ffff:192.0.2.1"), header.GetSourceIPAddress());
        Assert.Equal(IPAddress.Parse("2001:db8::1"), header.GetDestinationIPAddress());

        ParseOutcome strict = input.Parse(default);
        Assert.Equal(ProxyHeaderError.AddressFamilyMismatch, strict.Error);
    }

    // QUIRK-03b: the option admits only valid IPv4 text.
    [Theory]
    [ShapedVectors("quirk03b-invalid-ipv4-in-tcp6-allowed")]
    public void QUIRK_03b_option_still_requires_a_strict_dotted_quad(ShapedInput input) =>
        Assert.Equal(ProxyHeaderError.InvalidIPv6Address, input.Parse().Error);

    // QUIRK-08: IPAddress.TryParse accepts each of these; the v1 parser must not.
    [Theory]
    [ShapedVectors("quirk08-bare-integer", "quirk08-hex-octet", "v1-04-three-parts", "v1-04-leading-zero", "v1-05-zone-id")]
    public void QUIRK_08_forms_IPAddress_TryParse_accepts_are_rejected(ShapedInput input)
    {
        string address = System.Text.Encoding.ASCII.GetString(input.Vector.Bytes).Split(' ')[2];
        Assert.True(IPAddress.TryParse(address, out _), $"IPAddress.TryParse rejects '{address}', so the vector proves nothing.");

        Assert.Equal(OperationStatus.InvalidData, input.Parse().Status);
    }
}
