using System;
using System.Collections.Generic;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace ProxyProtocol.Tool;

/// <summary>
/// A subcommand: its name, its options, its help, and the code that runs it. The help is generated from
/// the same option list the parser uses, so the two cannot drift apart.
/// </summary>
internal sealed class CommandDefinition
{
    private readonly Func<ParsedArguments, StandardStreams, CancellationToken, Task<int>> _run;

    public CommandDefinition(
        string name,
        string summary,
        string usage,
        string description,
        IReadOnlyList<OptionSpec> options,
        int maxPositionals,
        Func<ParsedArguments, StandardStreams, CancellationToken, Task<int>> run)
    {
        Name = name;
        Summary = summary;
        Usage = usage;
        Description = description;
        Options = options;
        MaxPositionals = maxPositionals;
        _run = run;
    }

    public string Name { get; }

    /// <summary>One line for the top-level command list.</summary>
    public string Summary { get; }

    /// <summary>The synopsis after <c>Usage: proxyproto</c>.</summary>
    public string Usage { get; }

    public string Description { get; }

    public IReadOnlyList<OptionSpec> Options { get; }

    public int MaxPositionals { get; }

    /// <summary>Parses <paramref name="args"/> (the arguments after the command name) and runs the command, or prints its help.</summary>
    /// <exception cref="UsageException">The arguments are wrong.</exception>
    public Task<int> RunAsync(ReadOnlySpan<string> args, StandardStreams streams, CancellationToken cancellationToken)
    {
        ParsedArguments parsed = ArgumentParser.Parse(args, Options, MaxPositionals);
        if (parsed.HelpRequested)
        {
            streams.WriteOutput(GetHelp());
            return Task.FromResult(ExitCodes.Success);
        }

        return _run(parsed, streams, cancellationToken);
    }

    public string GetHelp()
    {
        StringBuilder help = new();
        help.Append("Usage: proxyproto ").Append(Usage).Append('\n').Append('\n');
        help.Append(Description).Append('\n').Append('\n');
        help.Append("Options:\n");
        int width = ArgumentParser.HelpOption.Length + 4;
        foreach (OptionSpec option in Options)
        {
            width = Math.Max(width, option.Synopsis.Length);
        }

        foreach (OptionSpec option in Options)
        {
            help.Append("  ").Append(option.Synopsis.PadRight(width)).Append("  ").Append(option.Description);
            if (option.Repeatable)
            {
                help.Append(" (repeatable)");
            }

            help.Append('\n');
        }

        help.Append("  ").Append("-h, --help".PadRight(width)).Append("  Show this help.\n\n");
        help.Append(ExitCodes.HelpText).Append('\n');
        return help.ToString();
    }
}
