using System.Collections.Generic;
using System.CommandLine;
using System.CommandLine.Parsing;

namespace ProxyProtocol.Tool;

/// <summary>One occurrence of an option on the command line.</summary>
/// <param name="Option">The option.</param>
/// <param name="Value">The value given that time; <see langword="null"/> for a flag.</param>
internal readonly record struct OptionOccurrence(Option Option, string? Value);

/// <summary>
/// Options in the order they were typed, every occurrence with its own value. System.CommandLine groups
/// values by option; <c>encode</c> writes TLVs in the order of their options, so it needs the interleaving.
/// </summary>
internal static class CommandLineOrder
{
    public static List<OptionOccurrence> Get(ParseResult parse, IReadOnlyCollection<Option> options)
    {
        List<OptionOccurrence> occurrences = [];
        Dictionary<Option, int> seen = [];
        foreach (Token token in parse.Tokens)
        {
            Option? option = token.Type == TokenType.Option ? Find(options, token.Value) : null;
            if (option is null)
            {
                continue;
            }

            // The n-th time an option appears, its value is the n-th value of its result (one value per occurrence).
            int index = seen.GetValueOrDefault(option);
            seen[option] = index + 1;
            IReadOnlyList<Token> values = parse.GetResult(option)?.Tokens ?? [];
            occurrences.Add(new OptionOccurrence(option, index < values.Count && option.Arity.MaximumNumberOfValues > 0 ? values[index].Value : null));
        }

        return occurrences;
    }

    private static Option? Find(IReadOnlyCollection<Option> options, string name)
    {
        foreach (Option option in options)
        {
            if (option.Name == name || option.Aliases.Contains(name))
            {
                return option;
            }
        }

        return null;
    }
}
