using System;
using System.Buffers;
using System.Net;
using System.Net.Sockets;
using ProxyProtocol.Tests.Infrastructure;
using ProxyProtocol.Tests.Vectors;

namespace ProxyProtocol.Tests.Parser;

/// <summary>The v2 fixed header (checklist 1.3, V2), command/family semantics (1.4, SEM), UDP (UDP-02) and QUIRK-04/06/07.</summary>
public class V2ParserTests
{
    // V2-01: only version 2 is accepted.
    [Theory]
    [ShapedVectors("v2-01-version-1", "v2-01-version-3", "v2-01-version-0")]
    public void V2_01_version_other_than_2_is_rejected(ShapedInput input) =>
        Assert.Equal(ProxyHeaderError.UnsupportedVersion, input.Parse().Error);

    // V2-02: commands other than LOCAL (0) and PROXY (1) are rejected.
    [Theory]
    [ShapedVectors("v2-02-command-2", "v2-02-command-f")]
    public void V2_02_unknown_command_is_rejected(ShapedInput input) =>
        Assert.Equal(ProxyHeaderError.InvalidCommand, input.Parse().Error);

    // V2-03: families above 3 and transports above 2 are rejected.
    [Theory]
    [ShapedVectors("v2-03-family-4", "v2-03-family-f", "v2-03-transport-3", "v2-03-transport-f")]
    public void V2_03_unknown_family_or_transport_is_rejected(ShapedInput input) =>
        Assert.Contains(input.Parse().Error, new[] { ProxyHeaderError.InvalidAddressFamily, ProxyHeaderError.InvalidTransport });

    // V2-03, V2-04: of all 256 fam bytes exactly 00, 11, 12, 21, 22, 31, 32 are accepted, each with its
    // family, transport and address block size (12, 36, 216); the rest get the precise error.
    [Fact]
    public void V2_04_every_family_byte_is_accepted_or_rejected_precisely()
    {
        byte[] block = new byte[216]; // big enough for every family; zero bytes after the block are empty TLVs
        for (int fam = 0; fam < 256; fam++)
        {
            byte[] input = TestVectors.V2(0x21, (byte)fam, block);
            ParseOutcome outcome = BufferShapes.ParseWhole(input, default);
            int family = fam >> 4;
            int transport = fam & 0xF;

            ProxyHeaderError expected =
                family > 3 ? ProxyHeaderError.InvalidAddressFamily :
                transport > 2 ? ProxyHeaderError.InvalidTransport :
                (family == 0) != (transport == 0) ? ProxyHeaderError.InvalidFamilyTransportCombination :
                ProxyHeaderError.None;
            Assert.True(expected == outcome.Error, $"fam 0x{fam:x2}: {outcome.Error}, expected {expected}.");
            if (expected != ProxyHeaderError.None)
            {
                continue;
            }

            ProxyHeader header = outcome.Header;
            Assert.Equal((ProxyAddressFamily)family, header.AddressFamily);
            Assert.Equal((ProxyTransport)transport, header.Transport);
            int blockLength = family switch { 1 => 12, 2 => 36, 3 => 216, _ => 0 };
            Assert.Equal(blockLength == 216 ? 0 : 16 + blockLength, header.TlvOffset);
            Assert.Equal(216 - blockLength, header.TlvLength);
        }
    }

    // V2-04: known family with unspecified transport (or the reverse) is not an allowed combination.
    [Theory]
    [ShapedVectors("v2-04-unspec-family-stream", "v2-04-inet-unspec-transport", "v2-04-unix-unspec-transport-local")]
    public void V2_04_half_specified_family_byte_is_rejected(ShapedInput input) =>
        Assert.Equal(ProxyHeaderError.InvalidFamilyTransportCombination, input.Parse().Error);

    // V2-05: the header is always exactly 16 + len bytes, up to 65,551.
    [Fact]
    public void V2_05_longest_possible_header_is_accepted_when_allowed()
    {
        byte[] input = TestVectors.V2(0x21, 0x11, TestVectors.InetBlock, TestVectors.Tlv(0x04, new byte[65535 - 12 - 3]));
        Assert.Equal(65551, input.Length);
        ProxyParserOptions options = new() { MaxHeaderLength = ProxyParserOptions.MaxMaxHeaderLength };

        Assert.Equal(OperationStatus.Done, ProxyHeaderParser.Parse(input, options, out ProxyHeader header, out int consumed, out _));
        Assert.Equal(65551, consumed);
        Assert.Equal(65551 - 28, header.TlvLength);

        // Across segments the header is copied to a pooled buffer (it is over the stack limit).
        Assert.Equal(OperationStatus.Done, ProxyHeaderParser.Parse(Sequences.Split(input, 10, 40000), options, out ProxyHeader split, out consumed, out _));
        Assert.Equal(65551, consumed);
        Assert.Equal(header, split);

        Assert.Equal(OperationStatus.InvalidData, ProxyHeaderParser.Parse(input, out _, out _, out ProxyHeaderError error));
        Assert.Equal(ProxyHeaderError.HeaderTooLong, error);
    }

    // V2-05, RX-01: a header longer than MaxHeaderLength is rejected from its 16 fixed bytes alone.
    [Theory]
    [ShapedVectors("v2-05-length-above-default-maximum", "v2-05-length-above-configured-maximum")]
    public void V2_05_header_over_the_maximum_is_rejected_from_16_bytes(ShapedInput input)
    {
        Assert.Equal(ProxyHeaderError.HeaderTooLong, input.Parse().Error);
        Assert.Equal(16, ErrorDetection.FirstInvalidPrefixLength(input.Vector.Bytes, input.Vector.Options));
    }

    // V2-05: the maximum itself is allowed.
    [Fact]
    public void V2_05_header_of_exactly_MaxHeaderLength_is_accepted()
    {
        byte[] input = TestVectors.Get(TestVectors.GoldenV2Tcp4Crc).Bytes;

        Assert.True(ProxyHeaderParser.TryParse(input, new ProxyParserOptions { MaxHeaderLength = 35 }, out _, out int consumed));
        Assert.Equal(35, consumed);
        byte[] defaultMaximum = TestVectors.V2(0x21, 0x11, TestVectors.InetBlock, TestVectors.Tlv(0x04, new byte[4096 - 28 - 3]));
        Assert.True(ProxyHeaderParser.TryParse(defaultMaximum, out _, out consumed));
        Assert.Equal(4096, consumed);
    }

    // V2-06: src addr, dst addr, src port, dst port, in network byte order.
    [Theory]
    [ShapedVectors(TestVectors.GoldenV2Tcp6)]
    public void V2_06_IPv6_block_is_read_in_network_order(ShapedInput input)
    {
        ProxyHeader header = input.Parse().Header;

        Assert.Equal(ProxyAddressFamily.InterNetworkV6, header.AddressFamily);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("2001:db8::1"), 52953), header.GetSourceEndPoint());
        Assert.Equal(new IPEndPoint(IPAddress.Parse("2001:db8::2"), 25), header.GetDestinationEndPoint());
        Assert.Equal(16, header.SourceAddress.Length);
    }

    // V2-06: Unix paths are 108 NUL-padded bytes each; the padding is not part of the path.
    [Theory]
    [ShapedVectors(TestVectors.V2UnixStream)]
    public void V2_06_Unix_paths_are_NUL_padded(ShapedInput input)
    {
        ProxyHeader header = input.Parse().Header;
        byte[] bytes = input.Vector.Bytes; // a parsed Unix header reads its paths from its bytes

        Assert.Equal(ProxyAddressFamily.Unix, header.AddressFamily);
        Assert.Equal(ProxyTransport.Stream, header.Transport);
        Assert.Equal(108, header.GetSourceAddress(bytes).Length);
        Assert.Equal(TestVectors.UnixPath("/run/client.sock"), header.GetSourceAddress(bytes).ToArray());
        UnixDomainSocketEndPoint source = Assert.IsType<UnixDomainSocketEndPoint>(header.GetSourceEndPoint(bytes));
        UnixDomainSocketEndPoint destination = Assert.IsType<UnixDomainSocketEndPoint>(header.GetDestinationEndPoint(bytes));
        Assert.Equal("/run/client.sock", source.ToString());
        Assert.Equal("/run/haproxy/backend.sock", destination.ToString());
        Assert.Null(header.GetSourceIPAddress());
        Assert.Equal(0, header.SourcePort);
        Assert.Equal("/run/haproxy/backend.sock", header.GetDestinationUnixPath(bytes));
    }

    // V2-06, SEM-04: a Linux abstract socket name starts with NUL; only the trailing padding is removed.
    [Theory]
    [ShapedVectors(TestVectors.V2UnixDatagramAbstract)]
    public void V2_06_abstract_Unix_socket_name_keeps_its_leading_NUL(ShapedInput input)
    {
        ProxyHeader header = input.Parse().Header;
        byte[] bytes = input.Vector.Bytes; // a parsed Unix header reads its paths from its bytes

        Assert.Equal(ProxyTransport.Datagram, header.Transport);
        Assert.Equal("\0client", ProxyHeader.DecodeUnixPath(header.GetSourceAddress(bytes)));
        Assert.Equal("\0client", header.GetSourceUnixPath(bytes));
        Assert.Equal("/run/syslog.sock", header.GetDestinationUnixPath(bytes));
        Assert.Equal("/run/syslog.sock", header.GetDestinationEndPoint(bytes)!.ToString());
    }

    // V2-06: an unnamed client socket (the usual Unix client) sends an all-NUL path; the endpoint has an
    // empty path, as Socket.RemoteEndPoint gives for such a peer.
    [Theory]
    [ShapedVectors(TestVectors.V2UnixUnnamedClient)]
    public void V2_06_unnamed_Unix_client_has_an_empty_path(ShapedInput input)
    {
        ProxyHeader header = input.Parse().Header;
        byte[] bytes = input.Vector.Bytes; // a parsed Unix header reads its paths from its bytes

        UnixDomainSocketEndPoint source = Assert.IsType<UnixDomainSocketEndPoint>(header.GetSourceEndPoint(bytes));
        Assert.Equal(string.Empty, source.ToString());
        Assert.Equal("/run/haproxy.sock", header.GetDestinationEndPoint(bytes)!.ToString());
        Assert.Equal("PROXY UNIX-STREAM  -> /run/haproxy.sock (v2)", ReceivedProxyHeader.Create(header, bytes).Header.ToString());
    }

    // V2-06: a path may fill all 108 bytes with no NUL.
    [Theory]
    [ShapedVectors(TestVectors.V2UnixPathOf108Bytes)]
    public void V2_06_Unix_path_of_108_bytes_is_read_whole(ShapedInput input)
    {
        ProxyHeader header = input.Parse().Header;
        byte[] bytes = input.Vector.Bytes; // a parsed Unix header reads its paths from its bytes

        Assert.Equal("/" + new string('s', 107), header.GetSourceEndPoint(bytes)!.ToString());
        Assert.Equal("/" + new string('d', 107), header.GetDestinationEndPoint(bytes)!.ToString());
    }

    // V2-07: len shorter than the family's address block is rejected for PROXY, from the 16 fixed bytes.
    [Theory]
    [ShapedVectors("v2-07-inet-len-11", "v2-07-inet6-len-35", "v2-07-unix-len-215", "v2-07-udp4-len-0")]
    public void V2_07_length_shorter_than_the_address_block_is_rejected(ShapedInput input)
    {
        Assert.Equal(ProxyHeaderError.LengthTooShortForFamily, input.Parse().Error);
        Assert.Equal(16, ErrorDetection.FirstInvalidPrefixLength(input.Vector.Bytes, default));
    }

    // V2-08: the bytes after the address block, within len, are the TLVs.
    [Theory]
    [ShapedVectors(TestVectors.GoldenV2Tcp4Crc)]
    public void V2_08_TLVs_follow_the_address_block(ShapedInput input)
    {
        ParseOutcome outcome = input.Parse();

        Assert.Equal(28, outcome.Header.TlvOffset);
        Assert.Equal(7, outcome.Header.TlvLength);
        Assert.Equal(Hex.Parse("030004 1c1ae9c6"), outcome.Tlvs.Bytes.ToArray());
    }

    // V2-09: addresses are not read before the whole block is in; a partial block needs more data.
    [Fact]
    public void V2_09_partial_address_block_needs_more_data()
    {
        byte[] input = TestVectors.Get(TestVectors.GoldenV2Tcp6).Bytes;
        for (int length = 16; length < input.Length; length++)
        {
            Assert.Equal(OperationStatus.NeedMoreData, ProxyHeaderParser.Parse(input.AsSpan(0, length), out ProxyHeader header, out _, out _));
            Assert.Equal(default, header);
        }
    }

    // SEM-01: LOCAL is valid; the receiver uses the real endpoints, so there are none in the header.
    [Theory]
    [ShapedVectors(TestVectors.GoldenV2Local, TestVectors.HaproxyCheckV2Local)]
    public void SEM_01_LOCAL_is_accepted_without_endpoints(ShapedInput input)
    {
        ProxyHeader header = input.Parse().Header;

        Assert.Equal(ProxyCommand.Local, header.Command);
        Assert.Equal(ProxyAddressFamily.Unspecified, header.AddressFamily);
        Assert.False(header.HasAddresses);
        Assert.Null(header.GetSourceEndPoint());
        Assert.Null(header.GetDestinationEndPoint());
        Assert.Equal(ProxyHeader.CreateLocal(), header);
    }

    // SEM-01, SEM-02, SEM-05: LOCAL with an address block (AWS NLB health checks) is accepted and len is
    // honoured; the endpoints are still not used, but the bytes stay readable for logging.
    [Theory]
    [ShapedVectors(TestVectors.V2LocalWithInetBlock)]
    public void SEM_02_LOCAL_with_an_address_block_is_accepted(ShapedInput input)
    {
        ProxyHeader header = input.Parse().Header;

        Assert.Equal(ProxyCommand.Local, header.Command);
        Assert.Equal(28, header.Length);
        Assert.False(header.HasAddresses);
        Assert.Null(header.GetSourceEndPoint());
        Assert.Null(header.GetSourceIPAddress());
        Assert.Equal([10, 0, 0, 1], header.SourceAddress.ToArray());
        Assert.Equal(0x1234, header.SourcePort);
        Assert.Equal("LOCAL TCP4 10.0.0.1:4660 -> 10.0.0.2:80 (v2)", header.ToString());
    }

    // SEM-02: LOCAL with UNSPEC and a non-zero len: every byte is skipped (here they are TLVs).
    [Theory]
    [ShapedVectors(TestVectors.V2LocalUnspecWithTlvs)]
    public void SEM_02_LOCAL_UNSPEC_with_a_length_is_skipped_whole(ShapedInput input)
    {
        ParseOutcome outcome = input.Parse();

        Assert.Equal(ProxyCommand.Local, outcome.Header.Command);
        Assert.Equal(16, outcome.Header.TlvOffset);
        Assert.True(outcome.Tlvs.TryGetAuthority(out ReadOnlySpan<byte> authority));
        Assert.Equal("health", System.Text.Encoding.ASCII.GetString(authority));
    }

    // SEM-02: LOCAL whose len is too short for its family is not rejected: the block is skipped as opaque
    // bytes, the family reported as UNSPEC, and no TLVs are read from it.
    [Theory]
    [ShapedVectors(TestVectors.V2LocalBlockTooShort)]
    public void SEM_02_LOCAL_with_a_short_block_skips_it(ShapedInput input)
    {
        ProxyHeader header = input.Parse().Header;

        Assert.Equal(28, header.Length);
        Assert.Equal(ProxyCommand.Local, header.Command);
        Assert.Equal(ProxyAddressFamily.Unspecified, header.AddressFamily);
        Assert.Equal(ProxyTransport.Unspecified, header.Transport);
        Assert.Equal(0, header.TlvLength);
    }

    // SEM-03: PROXY with UNSPEC is accepted; there are no addresses to use, TLVs stay readable.
    [Theory]
    [ShapedVectors(TestVectors.V2ProxyUnspec, TestVectors.V2ProxyUnspecWithTlv)]
    public void SEM_03_PROXY_UNSPEC_is_accepted_without_addresses(ShapedInput input)
    {
        ParseOutcome outcome = input.Parse();

        Assert.Equal(ProxyCommand.Proxy, outcome.Header.Command);
        Assert.Equal(ProxyAddressFamily.Unspecified, outcome.Header.AddressFamily);
        Assert.False(outcome.Header.HasAddresses);
        Assert.Null(outcome.Header.GetSourceEndPoint());
        Assert.Equal(ProxyHeader.CreateUnknown(), outcome.Header);
        Assert.Equal("PROXY UNSPEC (v2)", outcome.Header.ToString());
    }

    // SEM-04, UDP-02, QUIRK-06: UDP over IPv4/IPv6 (fam 0x12/0x22) is v2's only UDP form, and is supported.
    [Theory]
    [ShapedVectors(TestVectors.V2Udp4, TestVectors.V2Udp6)]
    public void UDP_02_v2_datagram_families_are_supported(ShapedInput input)
    {
        ProxyHeader header = input.Parse().Header;

        Assert.Equal(ProxyTransport.Datagram, header.Transport);
        Assert.True(header.HasAddresses);
        Assert.NotNull(header.GetSourceEndPoint());
        Assert.StartsWith("PROXY UDP", header.ToString(), StringComparison.Ordinal);
    }

    // UDP-01: every datagram carries its own header; the parser keeps nothing between calls, so each
    // datagram is parsed on its own and its payload follows its header.
    [Fact]
    public void UDP_01_each_datagram_is_parsed_on_its_own()
    {
        byte[] first = Hex.Concat(TestVectors.Get(TestVectors.V2Udp4).Bytes, Hex.Ascii("query-1"));
        byte[] second = Hex.Concat(TestVectors.Get(TestVectors.V2Udp6).Bytes, Hex.Ascii("query-2"));
        byte[] bare = Hex.Ascii("query-3");

        ParseOutcome one = BufferShapes.ParseAllShapes(first, default);
        ParseOutcome two = BufferShapes.ParseAllShapes(second, default);
        ParseOutcome three = BufferShapes.ParseAllShapes(bare, default);

        Assert.Equal("query-1", System.Text.Encoding.ASCII.GetString(one.Remainder));
        Assert.Equal("query-2", System.Text.Encoding.ASCII.GetString(two.Remainder));
        Assert.Equal(ProxyAddressFamily.InterNetwork, one.Header.AddressFamily);
        Assert.Equal(ProxyAddressFamily.InterNetworkV6, two.Header.AddressFamily);
        Assert.Equal(ProxyHeaderError.InvalidSignature, three.Error); // no header: never the previous datagram's
    }

    // QUIRK-05: headers nginx skips (LOCAL, datagram) are parsed here; nginx's unverified CRC32C is
    // available as VerifyCrc32c = false, while the default verifies (CRC-04).
    [Fact]
    public void QUIRK_05_headers_nginx_skips_are_parsed_and_CRC_checking_is_a_choice()
    {
        Assert.Equal(OperationStatus.Done, BufferShapes.ParseAllShapes(TestVectors.Get(TestVectors.GoldenV2Local).Bytes, default).Status);
        Assert.Equal(OperationStatus.Done, BufferShapes.ParseAllShapes(TestVectors.Get(TestVectors.V2Udp4).Bytes, default).Status);
        byte[] wrongCrc = TestVectors.Get(TestVectors.V2CrcMismatchUnverified).Bytes;
        Assert.Equal(ProxyHeaderError.Crc32cMismatch, BufferShapes.ParseAllShapes(wrongCrc, default).Error);
        Assert.Equal(OperationStatus.Done, BufferShapes.ParseAllShapes(wrongCrc, new ProxyParserOptions { VerifyCrc32c = false }).Status);
    }

    // QUIRK-04: LOCAL with an address block and TLVs: len is skipped exactly and the TLVs after the block
    // are readable.
    [Theory]
    [ShapedVectors(TestVectors.V2LocalWithBlockAndTlvs)]
    public void QUIRK_04_LOCAL_TLVs_after_the_block_are_readable(ShapedInput input)
    {
        ParseOutcome outcome = input.Parse();

        Assert.Equal(28, outcome.Header.TlvOffset);
        Assert.True(outcome.Tlvs.TryGetAlpn(out ReadOnlySpan<byte> alpn));
        Assert.Equal("h2", System.Text.Encoding.ASCII.GetString(alpn));
    }

    // QUIRK-07: a second header right after the first is not consumed: it is the application's data,
    // and parsing it again gives the second header.
    [Theory]
    [ShapedVectors(TestVectors.Stacked)]
    public void QUIRK_07_stacked_header_is_left_to_the_application(ShapedInput input)
    {
        ParseOutcome outcome = input.Parse();

        Assert.Equal(28, outcome.BytesConsumed);
        Assert.Equal(OperationStatus.Done, ProxyHeaderParser.Parse(outcome.Remainder, out ProxyHeader second, out int consumed, out _));
        Assert.Equal(ProxyVersion.V1, second.Version);
        Assert.Equal(outcome.Remainder.Length, consumed);
        Assert.NotEqual(outcome.Header, second);
    }
}
