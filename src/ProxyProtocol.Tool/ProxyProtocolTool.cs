using System;
using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.IO;
using System.Reflection;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace ProxyProtocol.Tool;

/// <summary>
/// The <c>proxyproto</c> entry point without the console: builds the command tree, parses with
/// System.CommandLine (help, <c>--version</c>, response files, the <c>[suggest]</c> completion directive) and
/// runs the command. Usage mistakes become one line on stderr and exit code 2. Tests call it in-process with
/// memory streams.
/// </summary>
internal static class ProxyProtocolTool
{
    public const string Description = "Decode, encode, receive and send HAProxy PROXY protocol headers (v1 and v2).";

    private static readonly UTF8Encoding s_utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>The command tree; commands write to <paramref name="streams"/>.</summary>
    public static RootCommand CreateRootCommand(StandardStreams streams)
    {
        RootCommand root = new(Description)
        {
            new DecodeCommand(streams),
            new EncodeCommand(streams),
            new ListenCommand(streams),
            new SendCommand(streams),
            new ForwardCommand(streams),
        };

        foreach (Option option in root.Options)
        {
            if (option is HelpOption { Action: HelpAction help } helpOption)
            {
                helpOption.Action = new ToolHelpAction(help);
            }
            else if (option is VersionOption version)
            {
                // The tool's own version, also when it runs inside another process (the tests' host).
                version.Action = new VersionAction();
            }
        }

        return root;
    }

    public static async Task<int> RunAsync(string[] args, Stream stdin, Stream stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        StandardStreams streams = new(stdin, stdout, stderr);
        RootCommand root = CreateRootCommand(streams);
        StreamWriter output = new(stdout, s_utf8, bufferSize: 1024, leaveOpen: true) { AutoFlush = true, NewLine = "\n" };
        await using (output.ConfigureAwait(false))
        {
            InvocationConfiguration invocation = new()
            {
                Output = output,
                Error = stderr,
                // Program handles Ctrl+C itself (the first one stops listen/send cleanly); exceptions are bugs and should show.
                ProcessTerminationTimeout = null,
                EnableDefaultExceptionHandler = false,
            };

            if (args.Length == 0)
            {
                // No command: the overview goes to stderr, as for any usage error.
                await root.Parse(["--help"]).InvokeAsync(new InvocationConfiguration { Output = stderr }, cancellationToken).ConfigureAwait(false);
                return ExitCodes.UsageError;
            }

            ParseResult parse = root.Parse(args);
            if (parse.Action is ParseErrorAction || (parse.Errors.Count > 0 && parse.Action is not ToolHelpAction))
            {
                string? command = parse.CommandResult.Command is ToolCommand tool ? tool.Name : null;
                string message = command is null && parse.UnmatchedTokens.Count > 0
                    ? $"unknown command '{parse.UnmatchedTokens[0]}'"
                    : parse.Errors[0].Message;
                await stderr.WriteLineAsync(FormatUsageError(command, message)).ConfigureAwait(false);
                return ExitCodes.UsageError;
            }

            return await parse.InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The one line a usage mistake prints on stderr.</summary>
    /// <param name="command">The subcommand, or <see langword="null"/> for the top level.</param>
    /// <param name="message">What is wrong.</param>
    public static string FormatUsageError(string? command, string message)
    {
        // System.CommandLine's own messages end with a period; ours go inside a longer line.
        message = message.TrimEnd('.');
        return command is null
            ? $"proxyproto: {message} (see 'proxyproto --help')"
            : $"proxyproto {command}: {message} (see 'proxyproto {command} --help')";
    }

    /// <summary>Prints the tool's informational version (the package version, then <c>+</c> and the commit when known).</summary>
    private sealed class VersionAction : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            Assembly assembly = typeof(ProxyProtocolTool).Assembly;
            string? version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
            parseResult.InvocationConfiguration.Output.Write((version ?? assembly.GetName().Version?.ToString() ?? "?") + "\n");
            return ExitCodes.Success;
        }
    }

    /// <summary>System.CommandLine's help, then the command's details and the exit codes.</summary>
    private sealed class ToolHelpAction : SynchronousCommandLineAction
    {
        private readonly HelpAction _help;

        public ToolHelpAction(HelpAction help) => _help = help;

        public override int Invoke(ParseResult parseResult)
        {
            _help.Invoke(parseResult);
            TextWriter output = parseResult.InvocationConfiguration.Output;
            if (parseResult.CommandResult.Command is ToolCommand command)
            {
                output.Write("Details:\n");
                output.Write(Indent(command.Details));
                output.Write("\n\n");
            }

            output.Write(ExitCodes.HelpText);
            output.Write("\n\n");
            return ExitCodes.Success;
        }

        private static string Indent(string text) => "  " + text.Replace("\n", "\n  ", StringComparison.Ordinal).Replace("\n  \n", "\n\n", StringComparison.Ordinal);
    }
}
