using System;
using System.IO;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace ProxyProtocol.Tool.Tests;

public class DecodeCommandTests
{
    // Spec 1.12 golden vectors (spec-checklist).
    private const string V2Tcp4 = "0d0a0d0a000d0a515549540a2111000cc0a80001c0a8000bdc0401bb";
    private const string V2Tcp4Crc = "0d0a0d0a000d0a515549540a21110013c0a80001c0a8000bdc0401bb0300041c1ae9c6";
    private const string V2Local = "0d0a0d0a000d0a515549540a20000000";
    private const string V2Tcp6 = "0d0a0d0a000d0a515549540a2121002420010db800000000000000000000000120010db8000000000000000000000002ced90019";

    private const string Tcp4Addresses =
        "\"source\":{\"address\":\"192.168.0.1\",\"port\":56324},\"destination\":{\"address\":\"192.168.0.11\",\"port\":443}";

    [Fact]
    public async Task V1_spec_example_from_stdin_ignores_the_payload_after_it()
    {
        // V1-01..V1-08, spec 2.1 example; RX-02: the request after the line is not part of the header.
        ToolResult result = await ToolRunner.RunAsync(Ascii("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\nGET / HTTP/1.1\r\n"), "decode");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            "{\"version\":1,\"command\":\"PROXY\",\"family\":\"INET\",\"transport\":\"STREAM\"," + Tcp4Addresses + ",\"headerLength\":47,\"tlvs\":[]}\n",
            result.Stdout);
        Assert.Equal(string.Empty, result.Stderr);
    }

    [Fact]
    public async Task V1_tcp6_longest_line()
    {
        // V1-09: the 104-byte TCP6 line is the longest address line.
        string line = "PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n";
        ToolResult result = await ToolRunner.RunAsync(Ascii(line), "decode");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            "{\"version\":1,\"command\":\"PROXY\",\"family\":\"INET6\",\"transport\":\"STREAM\"," +
            "\"source\":{\"address\":\"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff\",\"port\":65535}," +
            "\"destination\":{\"address\":\"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff\",\"port\":65535},\"headerLength\":104,\"tlvs\":[]}\n",
            result.Stdout);
    }

    [Theory]
    [InlineData("PROXY UNKNOWN\r\n", 15)]
    [InlineData("PROXY UNKNOWN ffff:f...f:ffff ffff:f...f:ffff 65535 65535\r\nGET /", 59)]
    public async Task V1_unknown_has_unspecified_family_and_no_addresses(string input, int length)
    {
        // V1-10: the receiver ignores everything between UNKNOWN and CRLF (QUIRK-01: the long form is accepted).
        ToolResult result = await ToolRunner.RunAsync(Ascii(input), "decode");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            $"{{\"version\":1,\"command\":\"PROXY\",\"family\":\"UNSPEC\",\"transport\":\"UNSPEC\",\"source\":null,\"destination\":null,\"headerLength\":{length},\"tlvs\":[]}}\n",
            result.Stdout);
    }

    [Fact]
    public async Task V2_tcp4_vector_from_hex()
    {
        // V2-04 fam 0x11, V2-06 address order.
        ToolResult result = await ToolRunner.RunAsync("decode", "--hex", V2Tcp4);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            "{\"version\":2,\"command\":\"PROXY\",\"family\":\"INET\",\"transport\":\"STREAM\"," + Tcp4Addresses + ",\"headerLength\":28,\"tlvs\":[]}\n",
            result.Stdout);
    }

    [Fact]
    public async Task V2_crc32c_vector_reports_a_valid_checksum()
    {
        // CRC-01..CRC-04: 0x1c1ae9c6 stored big-endian.
        ToolResult result = await ToolRunner.RunAsync("decode", "--hex", V2Tcp4Crc);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            "{\"version\":2,\"command\":\"PROXY\",\"family\":\"INET\",\"transport\":\"STREAM\"," + Tcp4Addresses +
            ",\"headerLength\":35,\"crc32c\":\"valid\",\"tlvs\":[{\"type\":3,\"name\":\"CRC32C\",\"value\":\"1c1ae9c6\"}]}\n",
            result.Stdout);
    }

    [Fact]
    public async Task V2_tcp6_vector()
    {
        ToolResult result = await ToolRunner.RunAsync("decode", "--hex", V2Tcp6);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            "{\"version\":2,\"command\":\"PROXY\",\"family\":\"INET6\",\"transport\":\"STREAM\"," +
            "\"source\":{\"address\":\"2001:db8::1\",\"port\":52953},\"destination\":{\"address\":\"2001:db8::2\",\"port\":25},\"headerLength\":52,\"tlvs\":[]}\n",
            result.Stdout);
    }

    [Fact]
    public async Task V2_local_has_no_addresses()
    {
        // SEM-01, TX-02.
        ToolResult result = await ToolRunner.RunAsync("decode", "--hex", V2Local);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            "{\"version\":2,\"command\":\"LOCAL\",\"family\":\"UNSPEC\",\"transport\":\"UNSPEC\",\"source\":null,\"destination\":null,\"headerLength\":16,\"tlvs\":[]}\n",
            result.Stdout);
    }

    [Fact]
    public async Task V2_local_with_dummy_addresses_still_reports_none()
    {
        // SEM-02/QUIRK-04: an AWS-style LOCAL header with an INET block; the receiver must not use the addresses.
        ToolResult result = await ToolRunner.RunAsync("decode", "--hex", "0d0a0d0a000d0a515549540a2011000c0a0000010a00000200010002");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            "{\"version\":2,\"command\":\"LOCAL\",\"family\":\"INET\",\"transport\":\"STREAM\",\"source\":null,\"destination\":null,\"headerLength\":28,\"tlvs\":[]}\n",
            result.Stdout);
    }

    [Fact]
    public async Task V2_unix_stream_gives_paths()
    {
        // V2-04 fam 0x31, V2-06: 108-byte NUL-padded paths.
        byte[] header = V2Header(0x21, 0x31, UnixPath("/run/client.sock"), UnixPath("/run/proxy.sock"));
        ToolResult result = await ToolRunner.RunAsync("decode", "--hex", Convert.ToHexString(header));

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            "{\"version\":2,\"command\":\"PROXY\",\"family\":\"UNIX\",\"transport\":\"STREAM\"," +
            "\"source\":{\"path\":\"/run/client.sock\"},\"destination\":{\"path\":\"/run/proxy.sock\"},\"headerLength\":232,\"tlvs\":[]}\n",
            result.Stdout);
    }

    [Fact]
    public async Task V2_unix_abstract_socket_name_keeps_its_leading_nul()
    {
        byte[] source = new byte[108];
        Encoding.ASCII.GetBytes("abstract").CopyTo(source, 1);
        byte[] header = V2Header(0x21, 0x32, source, UnixPath("/run/proxy.sock"));
        ToolResult result = await ToolRunner.RunAsync("decode", "--hex", Convert.ToHexString(header));

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("\"transport\":\"DGRAM\",\"source\":{\"path\":\"\\u0000abstract\"}", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task V2_udp4_is_dgram()
    {
        // V2-04 fam 0x12.
        ToolResult result = await ToolRunner.RunAsync("decode", "--hex", "0d0a0d0a000d0a515549540a2112000cc0a80001c0a8000bdc040035");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            "{\"version\":2,\"command\":\"PROXY\",\"family\":\"INET\",\"transport\":\"DGRAM\"," +
            "\"source\":{\"address\":\"192.168.0.1\",\"port\":56324},\"destination\":{\"address\":\"192.168.0.11\",\"port\":53},\"headerLength\":28,\"tlvs\":[]}\n",
            result.Stdout);
    }

    [Fact]
    public async Task Vendor_tlvs_from_the_checklist_vectors_are_decoded()
    {
        // Vendor TLVs: AWS 0xEA subtype 1 (ASCII id), Azure 0xEE subtype 1 (LINKID 0x26000033 little-endian),
        // GCP 0xE0 (8 bytes big-endian); TLV-04: an unknown type (0xF0) is carried, not rejected.
        string aws = "ea0017" + "01" + Convert.ToHexString(Encoding.ASCII.GetBytes("vpce-08d2bf15fac5001c9"));
        string azure = "ee00050133000026";
        string gcp = "e00008" + "0123456789abcdef";
        string unknown = "f00002" + "0a0b";
        string tlvs = aws + azure + gcp + unknown;
        string header = "0d0a0d0a000d0a515549540a2111" + (12 + (tlvs.Length / 2)).ToString("x4") + "c0a80001c0a8000bdc0401bb" + tlvs;

        ToolResult result = await ToolRunner.RunAsync("decode", "--hex", header);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            "{\"version\":2,\"command\":\"PROXY\",\"family\":\"INET\",\"transport\":\"STREAM\"," + Tcp4Addresses + ",\"headerLength\":78,\"tlvs\":[" +
            "{\"type\":234,\"name\":\"AWS\",\"value\":\"01767063652d3038643262663135666163353030316339\",\"awsVpcEndpointId\":\"vpce-08d2bf15fac5001c9\"}," +
            "{\"type\":238,\"name\":\"AZURE\",\"value\":\"0133000026\",\"azureLinkId\":637534259}," +
            "{\"type\":224,\"name\":\"GCP\",\"value\":\"0123456789abcdef\",\"gcpPscConnectionId\":81985529216486895}," +
            "{\"type\":240,\"value\":\"0a0b\"}]}\n",
            result.Stdout);
    }

    [Fact]
    public async Task Capture_haproxy_v2_tls_client_certificate_with_sni()
    {
        // Real HAProxy 2.6 output: CRC32C first, ALPN, AUTHORITY, UNIQUE_ID, SSL with five sub-TLVs (SSL-01..SSL-03).
        ToolResult result = await ToolRunner.RunAsync("decode", "--file", ToolRunner.TestDataPath("haproxy-v2-tls-clientcert-sni-tcp4.bin"));

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            "{\"version\":2,\"command\":\"PROXY\",\"family\":\"INET\",\"transport\":\"STREAM\"," +
            "\"source\":{\"address\":\"127.0.0.1\",\"port\":52298},\"destination\":{\"address\":\"127.0.0.1\",\"port\":19011}," +
            "\"headerLength\":183,\"crc32c\":\"valid\",\"tlvs\":[" +
            "{\"type\":3,\"name\":\"CRC32C\",\"value\":\"369f8770\"}," +
            "{\"type\":1,\"name\":\"ALPN\",\"value\":\"687474702f312e31\",\"text\":\"http/1.1\"}," +
            "{\"type\":2,\"name\":\"AUTHORITY\",\"value\":\"6c6f63616c686f7374\",\"text\":\"localhost\"}," +
            "{\"type\":5,\"name\":\"UNIQUE_ID\",\"value\":\"" + Hex("7F000001:CC4A_7F000001:4A43_6B07E772_0000") + "\",\"text\":\"7F000001:CC4A_7F000001:4A43_6B07E772_0000\"}," +
            "{\"type\":32,\"name\":\"SSL\",\"value\":\"0700000000" +
                "210007" + Hex("TLSv1.3") + "22000e" + Hex("interop-client") + "250005" + Hex("EC256") + "24000a" + Hex("RSA-SHA256") + "230016" + Hex("TLS_AES_256_GCM_SHA384") + "\"," +
                "\"client\":7,\"clientFlags\":[\"SSL\",\"CERT_CONN\",\"CERT_SESS\"],\"verify\":0,\"clientCertificateVerified\":true,\"subTlvs\":[" +
                "{\"type\":33,\"name\":\"SSL_VERSION\",\"value\":\"" + Hex("TLSv1.3") + "\",\"text\":\"TLSv1.3\"}," +
                "{\"type\":34,\"name\":\"SSL_CN\",\"value\":\"" + Hex("interop-client") + "\",\"text\":\"interop-client\"}," +
                "{\"type\":37,\"name\":\"SSL_KEY_ALG\",\"value\":\"" + Hex("EC256") + "\",\"text\":\"EC256\"}," +
                "{\"type\":36,\"name\":\"SSL_SIG_ALG\",\"value\":\"" + Hex("RSA-SHA256") + "\",\"text\":\"RSA-SHA256\"}," +
                "{\"type\":35,\"name\":\"SSL_CIPHER\",\"value\":\"" + Hex("TLS_AES_256_GCM_SHA384") + "\",\"text\":\"TLS_AES_256_GCM_SHA384\"}]}]}\n",
            result.Stdout);
    }

    [Fact]
    public async Task Capture_haproxy_v2_tls_without_client_certificate()
    {
        // SSL-03: verify is 0 but no certificate was presented, so the client is not authenticated.
        ToolResult result = await ToolRunner.RunAsync(ToolRunner.ReadTestData("haproxy-v2-tls-nocert-sni-tcp4.bin"), "decode");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains(
            "{\"type\":32,\"name\":\"SSL\",\"value\":\"0100000000" +
            "210007" + Hex("TLSv1.3") + "250005" + Hex("EC256") + "24000a" + Hex("RSA-SHA256") + "230016" + Hex("TLS_AES_256_GCM_SHA384") + "\"," +
            "\"client\":1,\"clientFlags\":[\"SSL\"],\"verify\":0,\"clientCertificateVerified\":false,\"subTlvs\":[",
            result.Stdout,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task Capture_haproxy_health_check_local_with_crc_and_empty_ssl()
    {
        // SEM-01/QUIRK-04: LOCAL with TLVs; the CRC covers them (CRC-02).
        ToolResult result = await ToolRunner.RunAsync(ToolRunner.ReadTestData("haproxy-check-v2-local-crc-ssl.bin"), "decode");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            "{\"version\":2,\"command\":\"LOCAL\",\"family\":\"UNSPEC\",\"transport\":\"UNSPEC\",\"source\":null,\"destination\":null," +
            "\"headerLength\":31,\"crc32c\":\"valid\",\"tlvs\":[{\"type\":3,\"name\":\"CRC32C\",\"value\":\"889da1df\"}," +
            "{\"type\":32,\"name\":\"SSL\",\"value\":\"0000000000\",\"client\":0,\"clientFlags\":[],\"verify\":0,\"clientCertificateVerified\":false,\"subTlvs\":[]}]}\n",
            result.Stdout);
    }

    [Theory]
    [InlineData("haproxy-v1-tcp6.bin", "{\"version\":1,\"command\":\"PROXY\",\"family\":\"INET6\",\"transport\":\"STREAM\",\"source\":{\"address\":\"::1\",\"port\":33388},\"destination\":{\"address\":\"::1\",\"port\":19001},\"headerLength\":32,\"tlvs\":[]}")]
    [InlineData("nginx-stream-v1-tcp4.bin", "{\"version\":1,\"command\":\"PROXY\",\"family\":\"INET\",\"transport\":\"STREAM\",\"source\":{\"address\":\"127.0.0.1\",\"port\":41910},\"destination\":{\"address\":\"127.0.0.1\",\"port\":19031},\"headerLength\":44,\"tlvs\":[]}")]
    [InlineData("curl-haproxy-protocol-tcp6.bin", "{\"version\":1,\"command\":\"PROXY\",\"family\":\"INET6\",\"transport\":\"STREAM\",\"source\":{\"address\":\"::1\",\"port\":39274},\"destination\":{\"address\":\"::1\",\"port\":19040},\"headerLength\":32,\"tlvs\":[]}")]
    [InlineData("haproxy-v2-tcp6.bin", "{\"version\":2,\"command\":\"PROXY\",\"family\":\"INET6\",\"transport\":\"STREAM\",\"source\":{\"address\":\"::1\",\"port\":45368},\"destination\":{\"address\":\"::1\",\"port\":19002},\"headerLength\":52,\"tlvs\":[]}")]
    [InlineData("haproxy-check-send-proxy-v2-local.bin", "{\"version\":2,\"command\":\"LOCAL\",\"family\":\"UNSPEC\",\"transport\":\"UNSPEC\",\"source\":null,\"destination\":null,\"headerLength\":16,\"tlvs\":[]}")]
    public async Task Captures_decode_to_the_expected_json(string file, string json)
    {
        ToolResult result = await ToolRunner.RunAsync(ToolRunner.ReadTestData(file), "decode");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(json + "\n", result.Stdout);
    }

    [Theory]
    [InlineData("curl-haproxy-protocol-tcp4.bin", 44)]
    [InlineData("curl-haproxy-protocol-tcp6.bin", 32)]
    [InlineData("haproxy-check-check-send-proxy.bin", 44)]
    [InlineData("haproxy-check-send-proxy-v1.bin", 44)]
    [InlineData("haproxy-check-send-proxy-v2-local.bin", 16)]
    [InlineData("haproxy-check-v2-local-crc-ssl.bin", 31)]
    [InlineData("haproxy-v1-tcp4.bin", 44)]
    [InlineData("haproxy-v1-tcp6.bin", 32)]
    [InlineData("haproxy-v2-tcp4.bin", 28)]
    [InlineData("haproxy-v2-tcp6.bin", 52)]
    [InlineData("haproxy-v2-tls-clientcert-nosni-tcp4.bin", 171)]
    [InlineData("haproxy-v2-tls-clientcert-sni-tcp4.bin", 183)]
    [InlineData("haproxy-v2-tls-clientcert-sni-tcp6.bin", 255)]
    [InlineData("haproxy-v2-tls-nocert-sni-tcp4.bin", 166)]
    [InlineData("haproxy-v2-tls12-clientcert-sni-tcp4.bin", 190)]
    [InlineData("nginx-stream-v1-tcp4.bin", 44)]
    [InlineData("nginx-stream-v1-tcp6.bin", 32)]
    public async Task Every_capture_decodes_from_a_one_byte_at_a_time_stdin(string file, int headerLength)
    {
        // RX-03: the header may arrive in pieces; the result is the same as in one read.
        byte[] bytes = ToolRunner.ReadTestData(file);
        ToolResult whole = await ToolRunner.RunAsync(bytes, "decode");
        ToolResult trickled = await ToolRunner.RunAsync(new OneByteStream(bytes), ["decode"]);

        Assert.Equal(0, whole.ExitCode);
        Assert.Equal(0, trickled.ExitCode);
        Assert.Equal(whole.Stdout, trickled.Stdout);
        using JsonDocument json = JsonDocument.Parse(whole.Stdout);
        Assert.Equal(headerLength, json.RootElement.GetProperty("headerLength").GetInt32());
    }

    [Fact]
    public async Task Reading_stops_at_the_end_of_the_header()
    {
        // A pipe that stays open after the header (a live connection) must not keep decode waiting.
        byte[] header = Convert.FromHexString(V2Tcp4);
        ToolResult result = await ToolRunner.RunAsync(new NeverEndingStream(header), ["decode"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("\"headerLength\":28", result.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(V2Tcp4Crc + "\n")]
    [InlineData("  0D0A0D0A 000D0A51 5549540A 21110013\r\n c0a80001c0a8000bdc0401bb0300041c1ae9c6 \n")]
    [InlineData(V2Tcp4Crc + "474554202f")] // the application's bytes after the header, also hex
    public async Task Hex_text_on_stdin_decodes_like_the_raw_bytes(string text)
    {
        // What `encode --hex` writes is what `decode` reads: only hex digits and whitespace means hex.
        ToolResult raw = await ToolRunner.RunAsync(Convert.FromHexString(V2Tcp4Crc), "decode");
        ToolResult hex = await ToolRunner.RunAsync(new OneByteStream(Ascii(text)), ["decode"]);

        Assert.Equal(0, hex.ExitCode);
        Assert.Equal(string.Empty, hex.Stderr);
        Assert.Equal(raw.Stdout, hex.Stdout);
        Assert.Contains("\"headerLength\":35,\"crc32c\":\"valid\"", hex.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hex_of_a_v1_line_on_stdin_is_decoded()
    {
        ToolResult result = await ToolRunner.RunAsync(Ascii(Hex("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n") + "\n"), "decode");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            "{\"version\":1,\"command\":\"PROXY\",\"family\":\"INET\",\"transport\":\"STREAM\"," + Tcp4Addresses + ",\"headerLength\":47,\"tlvs\":[]}\n",
            result.Stdout);
    }

    [Theory]
    [InlineData("0d0a0d0a000d0a515549540a2000000\n")] // an odd number of digits
    [InlineData("0d0a hello\n")]
    public async Task Stdin_that_starts_with_a_hex_digit_but_is_not_hex_says_so(string text)
    {
        ToolResult result = await ToolRunner.RunAsync(Ascii(text), "decode");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("{\"error\":\"InvalidSignature\",\"message\":\"The input does not start with a PROXY protocol v1 or v2 header.\"}\n", result.Stdout);
        Assert.Equal(
            [
                "proxyproto decode: InvalidSignature: The input does not start with a PROXY protocol v1 or v2 header.",
                "proxyproto decode: standard input starts with a hex digit but is not hex (only hex digits and whitespace, an even number of digits)",
            ],
            result.StderrLines);
    }

    [Fact]
    public async Task Raw_v2_header_on_a_pipe_that_stays_open_is_not_taken_for_hex()
    {
        // The v2 signature starts with \r\n\r\n (whitespace) then NUL: raw, decided without waiting for the end.
        ToolResult result = await ToolRunner.RunAsync(new NeverEndingStream(Convert.FromHexString(V2Local)), ["decode"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("\"command\":\"LOCAL\"", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Input_that_is_not_a_header_gives_error_json_and_exit_1()
    {
        // DET-03.
        ToolResult result = await ToolRunner.RunAsync(Ascii("GET / HTTP/1.1\r\n\r\n"), "decode");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("{\"error\":\"InvalidSignature\",\"message\":\"The input does not start with a PROXY protocol v1 or v2 header.\"}\n", result.Stdout);
        Assert.Equal(["proxyproto decode: InvalidSignature: The input does not start with a PROXY protocol v1 or v2 header."], result.StderrLines);
    }

    [Theory]
    [InlineData("")]
    [InlineData("PROXY TCP4 192.168.0.1 192.168.0.11 56324")]
    [InlineData("0d0a0d0a000d0a515549540a2111000cc0a80001")]
    public async Task Input_that_ends_inside_the_header_is_IncompleteHeader(string input)
    {
        // V2-09: a partial header at the end of the input is rejected.
        byte[] bytes = input.StartsWith("0d0a", StringComparison.Ordinal) ? Convert.FromHexString(input) : Ascii(input);
        ToolResult result = await ToolRunner.RunAsync(bytes, "decode");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("{\"error\":\"IncompleteHeader\",\"message\":\"The input ended before the PROXY header was complete.\"}\n", result.Stdout);
        Assert.Single(result.StderrLines);
    }

    [Theory]
    [InlineData("PROXY TCP4 192.168.0.01 192.168.0.11 56324 443\r\n", "InvalidIPv4Address")] // V1-04
    [InlineData("PROXY TCP4 192.168.0.1 192.168.0.11 56324 0443\r\n", "InvalidPort")] // V1-07
    [InlineData("PROXY TCP4 192.168.0.1  192.168.0.11 56324 443\r\n", "InvalidFieldSeparator")] // V1-03
    [InlineData("PROXY TCP5 192.168.0.1 192.168.0.11 56324 443\r\n", "InvalidProtocol")] // V1-02
    [InlineData("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\n", "InvalidLineEnding")] // V1-08
    [InlineData("PROXY TCP6 ::1 192.168.0.11 56324 443\r\n", "AddressFamilyMismatch")] // V1-06
    public async Task Invalid_v1_lines_name_the_rule_they_break(string line, string error)
    {
        ToolResult result = await ToolRunner.RunAsync(Ascii(line), "decode");

        Assert.Equal(1, result.ExitCode);
        using JsonDocument json = JsonDocument.Parse(result.Stdout);
        Assert.Equal(error, json.RootElement.GetProperty("error").GetString());
        Assert.StartsWith($"proxyproto decode: {error}: ", Assert.Single(result.StderrLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Corrupted_crc_is_rejected_unless_verification_is_off()
    {
        // CRC-04: a mismatch makes the header invalid; --no-verify-crc shows it as "invalid" instead.
        string corrupted = V2Tcp4Crc.Substring(0, V2Tcp4Crc.Length - 2) + "c7";

        ToolResult strict = await ToolRunner.RunAsync("decode", "--hex", corrupted);
        ToolResult lenient = await ToolRunner.RunAsync("decode", "--hex", corrupted, "--no-verify-crc");

        Assert.Equal(1, strict.ExitCode);
        Assert.Equal("{\"error\":\"Crc32cMismatch\",\"message\":\"The PROXY v2 header's CRC32C does not match its contents.\"}\n", strict.Stdout);
        Assert.Equal(0, lenient.ExitCode);
        Assert.Contains("\"headerLength\":35,\"crc32c\":\"invalid\",", lenient.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Max_header_length_option_limits_v2_headers()
    {
        ToolResult result = await ToolRunner.RunAsync("decode", "--hex", V2Tcp4, "--max-header-length", "27");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("{\"error\":\"HeaderTooLong\",", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bare_ipv4_in_tcp6_needs_the_opt_in()
    {
        // QUIRK-03b: rejected by default, accepted (as v4-mapped IPv6) behind --allow-ipv4-in-tcp6.
        byte[] line = Ascii("PROXY TCP6 192.168.0.1 ::1 56324 443\r\n");

        ToolResult strict = await ToolRunner.RunAsync(line, "decode");
        ToolResult lenient = await ToolRunner.RunAsync(line, "decode", "--allow-ipv4-in-tcp6");

        Assert.Equal(1, strict.ExitCode);
        Assert.Equal(0, lenient.ExitCode);
        Assert.Contains("\"source\":{\"address\":\"::ffff:192.168.0.1\",\"port\":56324}", lenient.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hex_may_contain_spaces_and_upper_case()
    {
        ToolResult result = await ToolRunner.RunAsync("decode", "--hex", "0D0A0D0A 000D0A51 5549540A 20000000");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("\"command\":\"LOCAL\"", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pretty_output_is_the_same_json_indented()
    {
        ToolResult compact = await ToolRunner.RunAsync("decode", "--hex", V2Tcp4Crc);
        ToolResult pretty = await ToolRunner.RunAsync("decode", "--hex", V2Tcp4Crc, "--pretty");

        Assert.Equal(0, pretty.ExitCode);
        Assert.Contains("\n  \"version\": 2,\n", pretty.Stdout, StringComparison.Ordinal);
        using JsonDocument a = JsonDocument.Parse(compact.Stdout);
        using JsonDocument b = JsonDocument.Parse(pretty.Stdout);
        Assert.True(JsonElement.DeepEquals(a.RootElement, b.RootElement));
    }

    [Fact]
    public async Task Missing_file_is_a_usage_error()
    {
        ToolResult result = await ToolRunner.RunAsync("decode", "--file", Path.Combine(AppContext.BaseDirectory, "no-such-file.bin"));

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(string.Empty, result.Stdout);
        Assert.StartsWith("proxyproto decode: cannot read '", Assert.Single(result.StderrLines), StringComparison.Ordinal);
    }

    internal static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    private static string Hex(string text) => Convert.ToHexStringLower(Encoding.ASCII.GetBytes(text));

    private static byte[] UnixPath(string path)
    {
        byte[] slot = new byte[108];
        Encoding.ASCII.GetBytes(path).CopyTo(slot, 0);
        return slot;
    }

    private static byte[] V2Header(byte versionCommand, byte familyTransport, byte[] source, byte[] destination)
    {
        byte[] header = new byte[16 + source.Length + destination.Length];
        Convert.FromHexString("0d0a0d0a000d0a515549540a").CopyTo(header, 0);
        header[12] = versionCommand;
        header[13] = familyTransport;
        header[14] = (byte)((source.Length + destination.Length) >> 8);
        header[15] = (byte)(source.Length + destination.Length);
        source.CopyTo(header, 16);
        destination.CopyTo(header, 16 + source.Length);
        return header;
    }

    /// <summary>Returns one byte per read, like a slow sender.</summary>
    private sealed class OneByteStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, 1));

        public override int Read(Span<byte> buffer) => base.Read(buffer.Slice(0, Math.Min(buffer.Length, 1)));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer.Slice(0, Math.Min(buffer.Length, 1)), cancellationToken);
    }

    /// <summary>Serves some bytes, then blocks like an open pipe with nothing more to say.</summary>
    private sealed class NeverEndingStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            int read = await base.ReadAsync(buffer, cancellationToken);
            if (read == 0)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            return read;
        }
    }
}
