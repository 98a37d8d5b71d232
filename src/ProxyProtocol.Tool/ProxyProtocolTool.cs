using System;
using System.IO;
using System.Reflection;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace ProxyProtocol.Tool;

/// <summary>
/// The <c>proxyproto</c> entry point without the console: picks the command, runs it, and turns usage
/// mistakes into one line on stderr and exit code 2. Tests call it in-process with memory streams.
/// </summary>
internal static class ProxyProtocolTool
{
    public static CommandDefinition[] Commands { get; } =
    [
        DecodeCommand.Definition,
        EncodeCommand.Definition,
        ListenCommand.Definition,
        SendCommand.Definition,
        ForwardCommand.Definition,
    ];

    public static async Task<int> RunAsync(string[] args, Stream stdin, Stream stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        StandardStreams streams = new(stdin, stdout, stderr);
        if (args.Length == 0)
        {
            await stderr.WriteAsync(GetHelp()).ConfigureAwait(false);
            return ExitCodes.UsageError;
        }

        string name = args[0];
        if (name is "--help" or "-h" or "help")
        {
            streams.WriteOutput(GetHelp());
            return ExitCodes.Success;
        }

        if (name == "--version")
        {
            streams.WriteOutput(GetVersion() + "\n");
            return ExitCodes.Success;
        }

        CommandDefinition? command = Array.Find(Commands, c => c.Name == name);
        if (command is null)
        {
            await stderr.WriteLineAsync($"proxyproto: unknown command '{name}' (see 'proxyproto --help')").ConfigureAwait(false);
            return ExitCodes.UsageError;
        }

        try
        {
            return await command.RunAsync(args.AsSpan(1), streams, cancellationToken).ConfigureAwait(false);
        }
        catch (UsageException e)
        {
            await stderr.WriteLineAsync($"proxyproto {command.Name}: {e.Message} (see 'proxyproto {command.Name} --help')").ConfigureAwait(false);
            return ExitCodes.UsageError;
        }
    }

    public static string GetHelp()
    {
        StringBuilder help = new();
        help.Append("Usage: proxyproto <command> [options]\n\n");
        help.Append("Decode, encode, receive and send HAProxy PROXY protocol headers (v1 and v2).\n\n");
        help.Append("Commands:\n");
        foreach (CommandDefinition command in Commands)
        {
            help.Append("  ").Append(command.Name.PadRight(8)).Append(command.Summary).Append('\n');
        }

        help.Append("\nRun 'proxyproto <command> --help' for a command's options; 'proxyproto --version' for the version.\n\n");
        help.Append(ExitCodes.HelpText).Append('\n');
        return help.ToString();
    }

    private static string GetVersion()
    {
        Assembly assembly = typeof(ProxyProtocolTool).Assembly;
        string? version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        return $"proxyproto {version ?? assembly.GetName().Version?.ToString() ?? "?"}";
    }
}
