using System;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;

namespace ProxyProtocol.Tool.Tests;

public class EncodeCommandTests
{
    private const string Src4 = "192.168.0.1:56324";
    private const string Dst4 = "192.168.0.11:443";

    [Fact]
    public async Task V1_tcp4_writes_the_spec_example_line_raw()
    {
        ToolResult result = await ToolRunner.RunAsync("encode", "--v1", "--src", Src4, "--dst", Dst4);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n", Encoding.ASCII.GetString(result.StdoutBytes));
        Assert.Equal(string.Empty, result.Stderr);
    }

    [Fact]
    public async Task V1_tcp6_and_unknown_lines()
    {
        ToolResult tcp6 = await ToolRunner.RunAsync("encode", "--v1", "--src", "[2001:db8::1]:52953", "--dst", "[2001:db8::2]:25");
        ToolResult unknown = await ToolRunner.RunAsync("encode", "--v1", "--unknown");

        Assert.Equal("PROXY TCP6 2001:db8::1 2001:db8::2 52953 25\r\n", Encoding.ASCII.GetString(tcp6.StdoutBytes));
        Assert.Equal("PROXY UNKNOWN\r\n", Encoding.ASCII.GetString(unknown.StdoutBytes)); // V1-13, TX-04
    }

    [Theory]
    [InlineData("0d0a0d0a000d0a515549540a2111000cc0a80001c0a8000bdc0401bb", "--src", Src4, "--dst", Dst4)]
    [InlineData("0d0a0d0a000d0a515549540a21110013c0a80001c0a8000bdc0401bb0300041c1ae9c6", "--src", Src4, "--dst", Dst4, "--crc32c")]
    [InlineData("0d0a0d0a000d0a515549540a2121002420010db800000000000000000000000120010db8000000000000000000000002ced90019", "--src", "[2001:db8::1]:52953", "--dst", "[2001:db8::2]:25")]
    [InlineData("0d0a0d0a000d0a515549540a20000000", "--local")]
    [InlineData("0d0a0d0a000d0a515549540a20000000", "--unknown")] // TX-04: v2 UNKNOWN is LOCAL, as HAProxy writes it
    public async Task V2_writes_the_golden_vectors_as_hex(string expected, params string[] options)
    {
        // Spec 1.12 vectors; CRC-03: big-endian CRC over the whole header.
        ToolResult result = await ToolRunner.RunAsync(["encode", "--hex", .. options]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(expected + "\n", result.Stdout);
    }

    [Fact]
    public async Task Raw_and_hex_output_carry_the_same_bytes()
    {
        ToolResult raw = await ToolRunner.RunAsync("encode", "--src", Src4, "--dst", Dst4, "--alpn", "h2");
        ToolResult hex = await ToolRunner.RunAsync("encode", "--src", Src4, "--dst", Dst4, "--alpn", "h2", "--hex");

        Assert.Equal(Convert.ToHexStringLower(raw.StdoutBytes) + "\n", hex.Stdout);
    }

    [Theory]
    [InlineData("--alpn", "h2", "{\"type\":1,\"name\":\"ALPN\",\"value\":\"6832\",\"text\":\"h2\"}")]
    [InlineData("--authority", "example.com", "{\"type\":2,\"name\":\"AUTHORITY\",\"value\":\"6578616d706c652e636f6d\",\"text\":\"example.com\"}")]
    [InlineData("--unique-id", "id-1", "{\"type\":5,\"name\":\"UNIQUE_ID\",\"value\":\"69642d31\",\"text\":\"id-1\"}")]
    [InlineData("--netns", "blue", "{\"type\":48,\"name\":\"NETNS\",\"value\":\"626c7565\",\"text\":\"blue\"}")]
    [InlineData("--aws-vpce", "vpce-08d2bf15fac5001c9", "{\"type\":234,\"name\":\"AWS\",\"value\":\"01767063652d3038643262663135666163353030316339\",\"awsVpcEndpointId\":\"vpce-08d2bf15fac5001c9\"}")]
    [InlineData("--azure-linkid", "0x26000033", "{\"type\":238,\"name\":\"AZURE\",\"value\":\"0133000026\",\"azureLinkId\":637534259}")]
    [InlineData("--azure-linkid", "4294967295", "{\"type\":238,\"name\":\"AZURE\",\"value\":\"01ffffffff\",\"azureLinkId\":4294967295}")]
    [InlineData("--gcp-psc", "18446744073709551615", "{\"type\":224,\"name\":\"GCP\",\"value\":\"ffffffffffffffff\",\"gcpPscConnectionId\":18446744073709551615}")]
    [InlineData("--gcp-psc", "0x0123456789abcdef", "{\"type\":224,\"name\":\"GCP\",\"value\":\"0123456789abcdef\",\"gcpPscConnectionId\":81985529216486895}")]
    [InlineData("--tlv", "0xE1=0a0B", "{\"type\":225,\"value\":\"0a0b\"}")]
    [InlineData("--tlv", "4=", "{\"type\":4,\"name\":\"NOOP\",\"value\":\"\"}")]
    [InlineData("--ssl", null, "{\"type\":32,\"name\":\"SSL\",\"value\":\"0100000000\",\"client\":1,\"clientFlags\":[\"SSL\"],\"verify\":0,\"clientCertificateVerified\":false,\"subTlvs\":[]}")]
    [InlineData("--ssl-version", "TLSv1.3", "{\"type\":32,\"name\":\"SSL\",\"value\":\"0100000000210007544c5376312e33\",\"client\":1,\"clientFlags\":[\"SSL\"],\"verify\":0,\"clientCertificateVerified\":false,\"subTlvs\":[{\"type\":33,\"name\":\"SSL_VERSION\",\"value\":\"544c5376312e33\",\"text\":\"TLSv1.3\"}]}")]
    [InlineData("--ssl-cipher", "AES", "{\"type\":32,\"name\":\"SSL\",\"value\":\"0100000000230003414553\",\"client\":1,\"clientFlags\":[\"SSL\"],\"verify\":0,\"clientCertificateVerified\":false,\"subTlvs\":[{\"type\":35,\"name\":\"SSL_CIPHER\",\"value\":\"414553\",\"text\":\"AES\"}]}")]
    [InlineData("--ssl-cn", "me", "{\"type\":32,\"name\":\"SSL\",\"value\":\"07000000002200026d65\",\"client\":7,\"clientFlags\":[\"SSL\",\"CERT_CONN\",\"CERT_SESS\"],\"verify\":0,\"clientCertificateVerified\":true,\"subTlvs\":[{\"type\":34,\"name\":\"SSL_CN\",\"value\":\"6d65\",\"text\":\"me\"}]}")]
    [InlineData("--ssl-verify", "0x10", "{\"type\":32,\"name\":\"SSL\",\"value\":\"0100000010\",\"client\":1,\"clientFlags\":[\"SSL\"],\"verify\":16,\"clientCertificateVerified\":false,\"subTlvs\":[]}")]
    [InlineData("--ssl-client", "3", "{\"type\":32,\"name\":\"SSL\",\"value\":\"0300000000\",\"client\":3,\"clientFlags\":[\"SSL\",\"CERT_CONN\"],\"verify\":0,\"clientCertificateVerified\":true,\"subTlvs\":[]}")]
    public async Task Every_tlv_option_round_trips_through_decode(string option, string? value, string expectedTlv)
    {
        string[] tlvArgs = value is null ? [option] : [option, value];
        JsonElement header = await EncodeThenDecodeAsync(["--src", Src4, "--dst", Dst4, .. tlvArgs]);

        JsonElement tlv = Assert.Single(header.GetProperty("tlvs").EnumerateArray());
        Assert.Equal(expectedTlv, tlv.GetRawText());
    }

    [Fact]
    public async Task Crc32c_round_trips_as_valid_and_tlvs_keep_option_order()
    {
        // CRC-03 computed after every TLV is in place; TLV-06 order kept.
        JsonElement header = await EncodeThenDecodeAsync(
            ["--src", Src4, "--dst", Dst4, "--authority", "a", "--crc32c", "--ssl-version", "TLSv1.2", "--alpn", "h2", "--ssl-cn", "c", "--tlv", "0xf0=01"]);

        Assert.Equal("valid", header.GetProperty("crc32c").GetString());
        string[] names = [.. System.Linq.Enumerable.Select(header.GetProperty("tlvs").EnumerateArray(), t => t.GetProperty("type").GetInt32().ToString("x2"))];
        Assert.Equal(["02", "03", "20", "01", "f0"], names);
        JsonElement ssl = header.GetProperty("tlvs")[2];
        Assert.Equal(["SSL_VERSION", "SSL_CN"], System.Linq.Enumerable.Select(ssl.GetProperty("subTlvs").EnumerateArray(), t => t.GetProperty("name").GetString()));
    }

    [Theory]
    [InlineData(new[] { "--src", Src4, "--dst", Dst4 }, "INET", "STREAM", "{\"address\":\"192.168.0.1\",\"port\":56324}", 28)]
    [InlineData(new[] { "--src", Src4, "--dst", Dst4, "--dgram" }, "INET", "DGRAM", "{\"address\":\"192.168.0.1\",\"port\":56324}", 28)]
    [InlineData(new[] { "--src", "[::1]:1", "--dst", "[::2]:2" }, "INET6", "STREAM", "{\"address\":\"::1\",\"port\":1}", 52)]
    [InlineData(new[] { "--src", "[::1]:1", "--dst", "[::2]:2", "--dgram" }, "INET6", "DGRAM", "{\"address\":\"::1\",\"port\":1}", 52)]
    [InlineData(new[] { "--src", "10.0.0.1:1", "--dst", "[2001:db8::2]:2" }, "INET6", "STREAM", "{\"address\":\"::ffff:10.0.0.1\",\"port\":1}", 52)] // TX-03
    [InlineData(new[] { "--unix", "--src", "/run/a.sock", "--dst", "/run/b.sock" }, "UNIX", "STREAM", "{\"path\":\"/run/a.sock\"}", 232)]
    [InlineData(new[] { "--unix", "--dgram", "--src", "/run/a.sock", "--dst", "/run/b.sock" }, "UNIX", "DGRAM", "{\"path\":\"/run/a.sock\"}", 232)]
    [InlineData(new[] { "--local" }, "UNSPEC", "UNSPEC", "null", 16)]
    [InlineData(new[] { "--unknown" }, "UNSPEC", "UNSPEC", "null", 16)]
    public async Task Address_options_round_trip_through_decode(string[] options, string family, string transport, string source, int length)
    {
        JsonElement header = await EncodeThenDecodeAsync(options);

        Assert.Equal(family, header.GetProperty("family").GetString());
        Assert.Equal(transport, header.GetProperty("transport").GetString());
        Assert.Equal(source, header.GetProperty("source").GetRawText());
        Assert.Equal(length, header.GetProperty("headerLength").GetInt32());
        Assert.Equal(options[0] is "--local" or "--unknown" ? "LOCAL" : "PROXY", header.GetProperty("command").GetString()); // TX-04
    }

    [Theory]
    [InlineData("4")]
    [InlineData("16")]
    [InlineData("64")]
    public async Task Align_pads_the_header_with_a_noop(string alignment)
    {
        // TX-05.
        JsonElement header = await EncodeThenDecodeAsync(["--src", Src4, "--dst", Dst4, "--alpn", "h2", "--crc32c", "--align", alignment]);

        Assert.Equal(0, header.GetProperty("headerLength").GetInt32() % int.Parse(alignment));
        Assert.Equal("valid", header.GetProperty("crc32c").GetString());
    }

    [Fact]
    public async Task Raw_tlvs_the_parser_would_reject_are_refused()
    {
        // QUIRK-10, CRC-05: the library's writers never emit what the parser rejects; a CRC32C TLV of 2 bytes is
        // refused with the parser's error name, and nothing is written.
        ToolResult encoded = await ToolRunner.RunAsync("encode", "--src", Src4, "--dst", Dst4, "--tlv", "3=0000");

        Assert.Equal(2, encoded.ExitCode);
        Assert.Empty(encoded.StdoutBytes);
        Assert.Contains("InvalidCrc32cLength", encoded.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Name_equals_value_syntax_is_accepted()
    {
        ToolResult result = await ToolRunner.RunAsync("encode", "--hex", $"--src={Src4}", $"--dst={Dst4}");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("0d0a0d0a000d0a515549540a2111000cc0a80001c0a8000bdc0401bb\n", result.Stdout);
    }

    private static async Task<JsonElement> EncodeThenDecodeAsync(string[] options)
    {
        ToolResult encoded = await ToolRunner.RunAsync(["encode", .. options]);
        Assert.True(encoded.ExitCode == 0, encoded.Stderr);
        ToolResult decoded = await ToolRunner.RunAsync(encoded.StdoutBytes, "decode");
        Assert.True(decoded.ExitCode == 0, decoded.Stdout);
        Assert.Equal(encoded.StdoutBytes.Length, JsonDocument.Parse(decoded.Stdout).RootElement.GetProperty("headerLength").GetInt32());
        return JsonDocument.Parse(decoded.Stdout).RootElement.Clone();
    }
}
