using System;
using System.CommandLine;
using System.IO;
using System.Reflection;
using System.Text.RegularExpressions;
using System.Threading.Tasks;

namespace ProxyProtocol.Tool.Tests;

public class UsageTests
{
    private static readonly StandardStreams s_noStreams = new(Stream.Null, Stream.Null, TextWriter.Null);

    [Theory]
    [InlineData("decode")]
    [InlineData("encode")]
    [InlineData("listen")]
    [InlineData("send")]
    public async Task Every_command_has_help_listing_all_its_options_its_details_and_the_exit_codes(string command)
    {
        RootCommand root = ProxyProtocolTool.CreateRootCommand(s_noStreams);
        ToolCommand definition = Assert.IsAssignableFrom<ToolCommand>(Assert.Single(root.Subcommands, c => c.Name == command));
        Assert.NotEmpty(definition.Options);
        foreach (string help in new[] { "--help", "-h", "-?" })
        {
            // Help wins over other mistakes on the same line.
            ToolResult result = await ToolRunner.RunAsync(command, "--no-such-option", help);

            Assert.Equal(0, result.ExitCode);
            Assert.Equal(string.Empty, result.Stderr);
            // In-process the program name is the test host's; ProcessTests checks the real one.
            Assert.StartsWith($"Description:\n  {definition.Description}\n\nUsage:\n  {root.Name} {command} ", result.Stdout, StringComparison.Ordinal);
            foreach (Option option in definition.Options)
            {
                string synopsis = option.HelpName is null ? option.Name : $"{option.Name} <{option.HelpName}>";
                Assert.Contains($"\n  {synopsis} ", result.Stdout, StringComparison.Ordinal);
                Assert.Contains(option.Description!, result.Stdout, StringComparison.Ordinal);
            }

            // The command's details, re-indented but word for word.
            Assert.Contains("\nDetails:\n  " + definition.Details.Split('\n')[0] + "\n", result.Stdout, StringComparison.Ordinal);
            Assert.Contains("Exit codes:\n  0  success\n  1  ", result.Stdout, StringComparison.Ordinal);
            Assert.Contains("\n  2  usage error", result.Stdout, StringComparison.Ordinal);
            Assert.Contains("\n  3  network error", result.Stdout, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("-?")]
    public async Task Top_level_help_lists_the_commands(string help)
    {
        ToolResult result = await ToolRunner.RunAsync(help);
        RootCommand root = ProxyProtocolTool.CreateRootCommand(s_noStreams);

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith($"Description:\n  {ProxyProtocolTool.Description}\n\nUsage:\n  {root.Name} [command] [options]\n", result.Stdout, StringComparison.Ordinal);
        Assert.Matches("\n  --version +Show version information\n", result.Stdout);
        foreach (string command in new[] { "decode", "encode", "listen", "send" })
        {
            Command definition = Assert.Single(root.Subcommands, c => c.Name == command);
            Assert.Matches($"\n  {command}( <HOST:PORT>)? +{Regex.Escape(definition.Description!)}\n", result.Stdout);
        }

        Assert.Contains("Exit codes:\n  0  success\n", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_arguments_prints_help_on_stderr_and_exits_2()
    {
        ToolResult result = await ToolRunner.RunAsync();

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(string.Empty, result.Stdout);
        Assert.StartsWith($"Description:\n  {ProxyProtocolTool.Description}\n\nUsage:\n", result.Stderr, StringComparison.Ordinal);
        Assert.Contains(" [command] [options]\n", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_prints_the_version_on_one_line()
    {
        ToolResult result = await ToolRunner.RunAsync("--version");

        Assert.Equal(0, result.ExitCode);
        Assert.Matches("^[0-9]+\\.[0-9]+\\.[0-9]+[^\n]*\n$", result.Stdout);
        string? expected = typeof(ProxyProtocolTool).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        Assert.Equal(expected + "\n", result.Stdout);
    }

    [Fact]
    public async Task Response_files_supply_arguments()
    {
        string path = Path.Combine(Path.GetTempPath(), $"proxyproto-{Guid.NewGuid():N}.rsp");
        await File.WriteAllTextAsync(path, "--local\n--hex\n");
        try
        {
            ToolResult result = await ToolRunner.RunAsync("encode", "@" + path);

            Assert.Equal(0, result.ExitCode);
            Assert.Equal("0d0a0d0a000d0a515549540a20000000\n", result.Stdout); // LOCAL, spec section 2.2 example layout
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Suggest_directive_completes_commands_and_options()
    {
        ToolResult commands = await ToolRunner.RunAsync("[suggest:3]", "dec");
        ToolResult options = await ToolRunner.RunAsync("[suggest:12]", "encode --ssl");

        Assert.Equal(0, commands.ExitCode);
        Assert.Equal("decode\n", commands.Stdout);
        Assert.Equal(0, options.ExitCode);
        Assert.Equal("--ssl-cipher\n--ssl-client\n--ssl-cn\n--ssl-verify\n--ssl-version\n", options.Stdout);
    }

    [Theory]
    [InlineData("proxyproto: unknown command 'frobnicate' (see 'proxyproto --help')", "frobnicate")]
    [InlineData("proxyproto decode: Unrecognized command or argument '--bogus' (see 'proxyproto decode --help')", "decode", "--bogus")]
    [InlineData("proxyproto decode: Unrecognized command or argument '-x' (see 'proxyproto decode --help')", "decode", "-x")]
    [InlineData("proxyproto decode: give at most one of --hex and --file (see 'proxyproto decode --help')", "decode", "--hex", "00", "--file", "x")]
    [InlineData("proxyproto decode: --hex: hex has an odd number of digits (3) (see 'proxyproto decode --help')", "decode", "--hex", "0d0")]
    [InlineData("proxyproto decode: --hex: 'zz' is not hex (see 'proxyproto decode --help')", "decode", "--hex", "zz")]
    [InlineData("proxyproto decode: Required argument missing for option: '--hex' (see 'proxyproto decode --help')", "decode", "--hex")]
    [InlineData("proxyproto decode: Unrecognized command or argument 'yes' (see 'proxyproto decode --help')", "decode", "--pretty=yes")]
    [InlineData("proxyproto decode: Unrecognized command or argument 'extra' (see 'proxyproto decode --help')", "decode", "extra")]
    [InlineData("proxyproto decode: Unrecognized command or argument '--hex' (see 'proxyproto decode --help')", "decode", "--", "--hex")]
    [InlineData("proxyproto decode: --max-header-length: '15' is not a whole number from 16 to 65551 (see 'proxyproto decode --help')", "decode", "--max-header-length", "15")]
    [InlineData("proxyproto encode: say what to encode: --src and --dst, --local, or --unknown (see 'proxyproto encode --help')", "encode")]
    [InlineData("proxyproto encode: Required argument missing for option: '--src' (see 'proxyproto encode --help')", "encode", "--src")]
    [InlineData("proxyproto encode: Option '--src' expects a single argument but 2 were provided (see 'proxyproto encode --help')", "encode", "--src", "1.2.3.4:5", "--src", "1.2.3.4:5")]
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
    [InlineData("proxyproto send: Required argument missing for command: 'send' (see 'proxyproto send --help')", "send")]
    [InlineData("proxyproto send: HOST:PORT: 'localhost' has no port (write HOST:PORT, IPv6 as [addr]:port) (see 'proxyproto send --help')", "send", "localhost")]
    [InlineData("proxyproto send: Unrecognized command or argument 'b:2' (see 'proxyproto send --help')", "send", "a:1", "b:2")]
    [InlineData("proxyproto send: --v1 headers have no TLVs; use --v2 (see 'proxyproto send --help')", "send", "127.0.0.1:1", "--v1", "--crc32c")]
    public async Task Usage_errors_exit_2_with_one_line_on_stderr_and_nothing_on_stdout(string message, params string[] args)
    {
        ToolResult result = await ToolRunner.RunAsync(args);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(string.Empty, result.Stdout);
        Assert.Equal(message + "\n", result.Stderr);
    }
}
