using System.Collections.Generic;

namespace ProxyProtocol.Tool;

/// <summary>One option as it appeared on the command line.</summary>
/// <param name="Name">The option's long name, for example <c>--tlv</c>.</param>
/// <param name="Value">Its value; <see langword="null"/> for a flag.</param>
internal readonly record struct ParsedOption(string Name, string? Value);

/// <summary>A command line split into options (in the order given) and positional arguments.</summary>
internal sealed class ParsedArguments
{
    public ParsedArguments(IReadOnlyList<ParsedOption> options, IReadOnlyList<string> positionals, bool helpRequested)
    {
        Options = options;
        Positionals = positionals;
        HelpRequested = helpRequested;
    }

    /// <summary>Every option in command-line order; order matters for TLVs.</summary>
    public IReadOnlyList<ParsedOption> Options { get; }

    public IReadOnlyList<string> Positionals { get; }

    public bool HelpRequested { get; }

    public bool Has(string name)
    {
        foreach (ParsedOption option in Options)
        {
            if (option.Name == name)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Returns the value of a non-repeatable option, or <see langword="null"/> when absent.</summary>
    public string? GetValue(string name)
    {
        foreach (ParsedOption option in Options)
        {
            if (option.Name == name)
            {
                return option.Value;
            }
        }

        return null;
    }
}
