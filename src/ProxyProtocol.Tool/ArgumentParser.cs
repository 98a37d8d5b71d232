using System;
using System.Collections.Generic;

namespace ProxyProtocol.Tool;

/// <summary>
/// Splits a command's arguments into options and positionals, GNU style: <c>--name value</c>,
/// <c>--name=value</c>, flags, <c>--</c> to end options, <c>-h</c>/<c>--help</c> anywhere.
/// </summary>
/// <remarks>
/// Every mistake is a <see cref="UsageException"/> with a message that names the option, so the user
/// sees one precise line instead of a stack trace.
/// </remarks>
internal static class ArgumentParser
{
    public const string HelpOption = "--help";

    public static ParsedArguments Parse(ReadOnlySpan<string> args, IReadOnlyList<OptionSpec> specs, int maxPositionals)
    {
        // Help wins over every other mistake on the line: "decode --bogus --help" shows the help.
        foreach (string arg in args)
        {
            if (arg == "--")
            {
                break;
            }

            if (arg is HelpOption or "-h")
            {
                return new ParsedArguments([], [], helpRequested: true);
            }
        }

        List<ParsedOption> options = [];
        List<string> positionals = [];
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            if (arg == "--")
            {
                for (i++; i < args.Length; i++)
                {
                    positionals.Add(args[i]);
                }

                break;
            }

            if (!arg.StartsWith('-') || arg == "-")
            {
                positionals.Add(arg);
                continue;
            }

            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                throw new UsageException($"unknown option '{arg}'");
            }

            int equals = arg.IndexOf('=', StringComparison.Ordinal);
            string name = equals < 0 ? arg : arg.Substring(0, equals);
            OptionSpec spec = Find(specs, name) ?? throw new UsageException($"unknown option '{name}'");
            string? value = null;
            if (spec.IsFlag)
            {
                if (equals >= 0)
                {
                    throw new UsageException($"option {name} takes no value");
                }
            }
            else if (equals >= 0)
            {
                value = arg.Substring(equals + 1);
            }
            else if (i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                value = args[++i];
            }
            else
            {
                throw new UsageException($"option {name} needs a value ({spec.ValueName})");
            }

            if (!spec.Repeatable && Contains(options, name))
            {
                throw new UsageException($"option {name} given more than once");
            }

            options.Add(new ParsedOption(name, value));
        }

        if (positionals.Count > maxPositionals)
        {
            throw new UsageException($"unexpected argument '{positionals[maxPositionals]}'");
        }

        return new ParsedArguments(options, positionals, helpRequested: false);
    }

    private static OptionSpec? Find(IReadOnlyList<OptionSpec> specs, string name)
    {
        foreach (OptionSpec spec in specs)
        {
            if (spec.Name == name)
            {
                return spec;
            }
        }

        return null;
    }

    private static bool Contains(List<ParsedOption> options, string name)
    {
        foreach (ParsedOption option in options)
        {
            if (option.Name == name)
            {
                return true;
            }
        }

        return false;
    }
}
