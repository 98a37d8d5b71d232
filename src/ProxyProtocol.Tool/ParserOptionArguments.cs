using System.Collections.Generic;

namespace ProxyProtocol.Tool;

/// <summary>The options that tune the parser, shared by <c>decode</c> and <c>listen</c>.</summary>
internal static class ParserOptionArguments
{
    public const string NoVerifyCrc = "--no-verify-crc";
    public const string MaxHeaderLength = "--max-header-length";
    public const string AllowIPv4InTcp6 = "--allow-ipv4-in-tcp6";

    public static IReadOnlyList<OptionSpec> Options { get; } =
    [
        new(NoVerifyCrc, null, "Accept a header whose CRC32C does not match; \"crc32c\" then says \"invalid\"."),
        new(MaxHeaderLength, "N", $"Largest v2 header accepted, {ProxyParserOptions.MinMaxHeaderLength} to {ProxyParserOptions.MaxMaxHeaderLength} (default {ProxyParserOptions.DefaultMaxHeaderLength})."),
        new(AllowIPv4InTcp6, null, "Accept a bare IPv4 address in a v1 TCP6 line, as some nginx versions send."),
    ];

    public static ProxyParserOptions Parse(ParsedArguments args)
    {
        ProxyParserOptions options = new()
        {
            VerifyCrc32c = !args.Has(NoVerifyCrc),
            AllowIPv4InTcp6 = args.Has(AllowIPv4InTcp6),
        };

        if (args.GetValue(MaxHeaderLength) is string max)
        {
            options = options with
            {
                MaxHeaderLength = ValueParsers.ParseInt32(MaxHeaderLength, max, ProxyParserOptions.MinMaxHeaderLength, ProxyParserOptions.MaxMaxHeaderLength),
            };
        }

        return options;
    }
}
