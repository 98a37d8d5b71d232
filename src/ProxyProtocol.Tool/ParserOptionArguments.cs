using System.CommandLine;

namespace ProxyProtocol.Tool;

/// <summary>The options that tune the parser, shared by <c>decode</c> and <c>listen</c>.</summary>
internal sealed class ParserOptionArguments
{
    private readonly Option<bool> _noVerifyCrc = ToolOptions.Flag(
        "--no-verify-crc", "Accept a header whose CRC32C does not match; \"crc32c\" then says \"invalid\".");

    private readonly Option<int?> _maxHeaderLength = ToolOptions.Value<int?>(
        "--max-header-length",
        "N",
        $"Largest v2 header accepted, {ProxyParserOptions.MinMaxHeaderLength} to {ProxyParserOptions.MaxMaxHeaderLength} (default {ProxyParserOptions.DefaultMaxHeaderLength}).",
        text => ValueParsers.ParseInt32("--max-header-length", text, ProxyParserOptions.MinMaxHeaderLength, ProxyParserOptions.MaxMaxHeaderLength));

    private readonly Option<bool> _allowIPv4InTcp6 = ToolOptions.Flag(
        "--allow-ipv4-in-tcp6", "Accept a bare IPv4 address in a v1 TCP6 line, as some nginx versions send.");

    public void AddTo(Command command)
    {
        command.Options.Add(_noVerifyCrc);
        command.Options.Add(_maxHeaderLength);
        command.Options.Add(_allowIPv4InTcp6);
    }

    public ProxyParserOptions Get(ParseResult parse)
    {
        ProxyParserOptions options = new()
        {
            VerifyCrc32c = !parse.GetValue(_noVerifyCrc),
            AllowIPv4InTcp6 = parse.GetValue(_allowIPv4InTcp6),
        };

        return parse.GetValue(_maxHeaderLength) is int max ? options with { MaxHeaderLength = max } : options;
    }
}
