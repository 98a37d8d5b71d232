namespace ProxyProtocol.Tool;

/// <summary>One option a command accepts: its name, whether it takes a value, and its line in the help.</summary>
internal sealed class OptionSpec
{
    /// <param name="name">The long name with its dashes, for example <c>--src</c>.</param>
    /// <param name="valueName">The placeholder shown in help for the value, or <see langword="null"/> for a flag.</param>
    /// <param name="description">One sentence for the help.</param>
    /// <param name="repeatable">Whether the option may be given more than once.</param>
    public OptionSpec(string name, string? valueName, string description, bool repeatable = false)
    {
        Name = name;
        ValueName = valueName;
        Description = description;
        Repeatable = repeatable;
    }

    public string Name { get; }

    public string? ValueName { get; }

    public string Description { get; }

    public bool Repeatable { get; }

    public bool IsFlag => ValueName is null;

    /// <summary>The option as shown in help: <c>--src IP:PORT</c>.</summary>
    public string Synopsis => IsFlag ? Name : $"{Name} {ValueName}";
}
