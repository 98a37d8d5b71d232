using System;
using System.CommandLine;
using System.CommandLine.Parsing;

namespace ProxyProtocol.Tool;

/// <summary>
/// Builds the options every command uses: a long name, a placeholder for help, one sentence of description,
/// and a parser from <see cref="ValueParsers"/> whose mistakes become parse errors that name the option.
/// </summary>
internal static class ToolOptions
{
    /// <summary>An option without a value, such as <c>--pretty</c>.</summary>
    public static Option<bool> Flag(string name, string description) =>
        new(name) { Description = description, Arity = ArgumentArity.Zero };

    /// <summary>An option taking one value, kept as the text given.</summary>
    public static Option<string> Text(string name, string helpName, string description) =>
        new(name) { HelpName = helpName, Description = description };

    /// <summary>An option taking one value, turned into <typeparamref name="T"/> by <paramref name="parse"/> (which throws <see cref="UsageException"/>).</summary>
    public static Option<T> Value<T>(string name, string helpName, string description, Func<string, T> parse) =>
        new(name)
        {
            HelpName = helpName,
            Description = description,
            CustomParser = result => ParseOne(result, parse),
        };

    /// <summary>An option that may be given several times, one value each time.</summary>
    public static Option<string[]> Repeatable(string name, string helpName, string description) =>
        new(name)
        {
            HelpName = helpName,
            Description = description + " (repeatable)",
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = false,
        };

    private static T ParseOne<T>(ArgumentResult result, Func<string, T> parse)
    {
        try
        {
            return parse(result.Tokens[0].Value);
        }
        catch (UsageException e)
        {
            result.AddError(e.Message);
            return default!;
        }
    }
}
