using System;
using System.Threading.Tasks;

namespace ProxyProtocol.Tool.Tests;

public class UsageTests
{
    [Theory]
    [InlineData("decode")]
    [InlineData("encode")]
    [InlineData("listen")]
    [InlineData("send")]
    public async Task Every_command_has_help_listing_all_its_options_and_the_exit_codes(string command)
    {
        CommandDefinition definition = Array.Find(ProxyProtocolTool.Commands, c => c.Name == command)!;
        foreach (string help in new[] { "--help", "-h" })
        {
            // Help wins over other mistakes on the same line.
            ToolResult result = await ToolRunner.RunAsync(command, "--no-such-option", help);

            Assert.Equal(0, result.ExitCode);
            Assert.Equal(string.Empty, result.Stderr);
            Assert.StartsWith($"Usage: proxyproto {command} ", result.Stdout, StringComparison.Ordinal);
            foreach (OptionSpec option in definition.Options)
            {
                Assert.Contains("  " + option.Synopsis + " ", result.Stdout, StringComparison.Ordinal);
            }

            Assert.Contains("Exit codes:\n  0  success\n  1  ", result.Stdout, StringComparison.Ordinal);
            Assert.Contains("\n  2  usage error", result.Stdout, StringComparison.Ordinal);
            Assert.Contains("\n  3  network error", result.Stdout, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("help")]
    public async Task Top_level_help_lists_the_commands(string help)
    {
        ToolResult result = await ToolRunner.RunAsync(help);

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("Usage: proxyproto <command> [options]\n", result.Stdout, StringComparison.Ordinal);
        foreach (CommandDefinition command in ProxyProtocolTool.Commands)
        {
            Assert.Contains($"\n  {command.Name.PadRight(8)}{command.Summary}\n", result.Stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task No_arguments_prints_help_on_stderr_and_exits_2()
    {
        ToolResult result = await ToolRunner.RunAsync();

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(string.Empty, result.Stdout);
        Assert.StartsWith("Usage: proxyproto <command>", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_prints_one_line()
    {
        ToolResult result = await ToolRunner.RunAsync("--version");

        Assert.Equal(0, result.ExitCode);
        Assert.Matches("^proxyproto [0-9]+\\.[0-9]+\\.[0-9]+.*\n$", result.Stdout);
    }

    [Theory]
    [InlineData("proxyproto: unknown command 'frobnicate' (see 'proxyproto --help')", "frobnicate")]
    [InlineData("proxyproto decode: unknown option '--bogus' (see 'proxyproto decode --help')", "decode", "--bogus")]
    [InlineData("proxyproto decode: unknown option '-x' (see 'proxyproto decode --help')", "decode", "-x")]
    [InlineData("proxyproto decode: give at most one of --hex and --file (see 'proxyproto decode --help')", "decode", "--hex", "00", "--file", "x")]
    [InlineData("proxyproto decode: --hex: hex has an odd number of digits (3) (see 'proxyproto decode --help')", "decode", "--hex", "0d0")]
    [InlineData("proxyproto decode: --hex: 'zz' is not hex (see 'proxyproto decode --help')", "decode", "--hex", "zz")]
    [InlineData("proxyproto decode: option --hex needs a value (HEX) (see 'proxyproto decode --help')", "decode", "--hex")]
    [InlineData("proxyproto decode: option --pretty takes no value (see 'proxyproto decode --help')", "decode", "--pretty=yes")]
    [InlineData("proxyproto decode: unexpected argument 'extra' (see 'proxyproto decode --help')", "decode", "extra")]
    [InlineData("proxyproto decode: unexpected argument '--hex' (see 'proxyproto decode --help')", "decode", "--", "--hex")]
    [InlineData("proxyproto decode: --max-header-length: '15' is not a whole number from 16 to 65551 (see 'proxyproto decode --help')", "decode", "--max-header-length", "15")]
    [InlineData("proxyproto encode: say what to encode: --src and --dst, --local, or --unknown (see 'proxyproto encode --help')", "encode")]
    [InlineData("proxyproto encode: option --src needs a value (ADDR) (see 'proxyproto encode --help')", "encode", "--src", "--dst", "1.2.3.4:5")]
    [InlineData("proxyproto encode: option --src given more than once (see 'proxyproto encode --help')", "encode", "--src", "1.2.3.4:5", "--src", "1.2.3.4:5")]
    [InlineData("proxyproto encode: --src needs --dst too (see 'proxyproto encode --help')", "encode", "--src", "1.2.3.4:5")]
    [InlineData("proxyproto encode: give at most one of --v1 and --v2 (see 'proxyproto encode --help')", "encode", "--v1", "--v2", "--local")]
    [InlineData("proxyproto encode: give only one of --src/--dst, --local and --unknown (see 'proxyproto encode --help')", "encode", "--local", "--unknown")]
    [InlineData("proxyproto encode: --unix needs --src and --dst socket paths (see 'proxyproto encode --help')", "encode", "--unix", "--local")]
    [InlineData("proxyproto encode: --dgram needs addresses; LOCAL and UNKNOWN headers have no transport (see 'proxyproto encode --help')", "encode", "--local", "--dgram")]
    [InlineData("proxyproto encode: --v1 cannot be combined with --local; use --v2 (see 'proxyproto encode --help')", "encode", "--v1", "--local")]
    [InlineData("proxyproto encode: --v1 cannot be combined with --dgram; use --v2 (see 'proxyproto encode --help')", "encode", "--v1", "--dgram", "--src", "1.2.3.4:5", "--dst", "1.2.3.4:6")]
    [InlineData("proxyproto encode: --v1 headers have no TLVs; use --v2 (see 'proxyproto encode --help')", "encode", "--v1", "--unknown", "--alpn", "h2")]
    [InlineData("proxyproto encode: --src: '1.2.3.4' has no port (write HOST:PORT, IPv6 as [addr]:port) (see 'proxyproto encode --help')", "encode", "--src", "1.2.3.4", "--dst", "1.2.3.4:5")]
    [InlineData("proxyproto encode: --src: '::1:80' is ambiguous: write IPv6 addresses in brackets, as [addr]:port (see 'proxyproto encode --help')", "encode", "--src", "::1:80", "--dst", "1.2.3.4:5")]
    [InlineData("proxyproto encode: --src: '1.2.3:80' is not IP:PORT (IPv6 as [addr]:port) (see 'proxyproto encode --help')", "encode", "--src", "1.2.3:80", "--dst", "1.2.3.4:5")]
    [InlineData("proxyproto encode: --dst: '[::1]:65536' has no valid port (0 to 65535) (see 'proxyproto encode --help')", "encode", "--src", "[::1]:1", "--dst", "[::1]:65536")]
    [InlineData("proxyproto encode: --src: 'fe80::1%2' has an IPv6 zone id, which a PROXY header cannot carry (see 'proxyproto encode --help')", "encode", "--src", "[fe80::1%2]:1", "--dst", "[::1]:2")]
    [InlineData("proxyproto encode: --tlv: '256' is not a number from 0 to 255 (decimal or 0x hex) (see 'proxyproto encode --help')", "encode", "--local", "--tlv", "256=00")]
    [InlineData("proxyproto encode: --tlv: 'e1' is not TYPE=HEX (for example 0xE1=0a0b) (see 'proxyproto encode --help')", "encode", "--local", "--tlv", "e1")]
    [InlineData("proxyproto encode: --unique-id: a UNIQUE_ID is at most 128 bytes (see 'proxyproto encode --help')", "encode", "--local", "--unique-id", "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789")]
    [InlineData("proxyproto encode: --azure-linkid: '4294967296' is not a number from 0 to 4294967295 (decimal or 0x hex) (see 'proxyproto encode --help')", "encode", "--local", "--azure-linkid", "4294967296")]
    [InlineData("proxyproto encode: --align: '0' is not a whole number from 1 to 4096 (see 'proxyproto encode --help')", "encode", "--local", "--align", "0")]
    [InlineData("proxyproto encode: --src: a Unix socket path is at most 108 bytes in UTF-8 (see 'proxyproto encode --help')", "encode", "--unix", "--src", "/0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678", "--dst", "/b")]
    [InlineData("proxyproto listen: --port: '65536' is not a whole number from 0 to 65535 (see 'proxyproto listen --help')", "listen", "--port", "65536")]
    [InlineData("proxyproto listen: --count: '0' is not a whole number from 1 to 2147483647 (see 'proxyproto listen --help')", "listen", "--count", "0")]
    [InlineData("proxyproto listen: --timeout: 'soon' is not a positive number of seconds (see 'proxyproto listen --help')", "listen", "--timeout", "soon")]
    [InlineData("proxyproto listen: --address: 'localhost' is not an IP address (see 'proxyproto listen --help')", "listen", "--address", "localhost")]
    [InlineData("proxyproto send: missing HOST:PORT to connect to (see 'proxyproto send --help')", "send")]
    [InlineData("proxyproto send: HOST:PORT: 'localhost' has no port (write HOST:PORT, IPv6 as [addr]:port) (see 'proxyproto send --help')", "send", "localhost")]
    [InlineData("proxyproto send: unexpected argument 'b:2' (see 'proxyproto send --help')", "send", "a:1", "b:2")]
    [InlineData("proxyproto send: --v1 headers have no TLVs; use --v2 (see 'proxyproto send --help')", "send", "127.0.0.1:1", "--v1", "--crc32c")]
    public async Task Usage_errors_exit_2_with_one_line_on_stderr_and_nothing_on_stdout(string message, params string[] args)
    {
        ToolResult result = await ToolRunner.RunAsync(args);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(string.Empty, result.Stdout);
        Assert.Equal(message + "\n", result.Stderr);
    }
}
