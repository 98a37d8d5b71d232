using System;
using System.CommandLine;
using System.Threading;
using System.Threading.Tasks;

namespace ProxyProtocol.Tool;

/// <summary>
/// A <c>proxyproto</c> subcommand: a System.CommandLine <see cref="Command"/> whose options are fields of the
/// subclass and whose body is <see cref="RunAsync"/>. Adding a command is one file deriving from this class
/// and one line in <see cref="ProxyProtocolTool.CreateRootCommand"/>.
/// </summary>
/// <remarks>
/// Commands are built for each run with the run's standard streams, so tests run every command in-process.
/// A mistake that one option cannot see alone (two options that exclude each other) is a
/// <see cref="UsageException"/>, reported exactly like a parse error: one line on stderr, exit code 2.
/// </remarks>
internal abstract class ToolCommand : Command
{
    protected ToolCommand(string name, string summary, string details, StandardStreams streams)
        : base(name, summary)
    {
        Details = details;
        Streams = streams;
        SetAction(InvokeAsync);
    }

    /// <summary>The paragraphs printed in the command's help after the options list.</summary>
    public string Details { get; }

    protected StandardStreams Streams { get; }

    /// <summary>Runs the command once the command line has parsed without errors.</summary>
    /// <returns>The exit code, one of <see cref="ExitCodes"/>.</returns>
    protected abstract Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken);

    private async Task<int> InvokeAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        try
        {
            return await RunAsync(parse, cancellationToken).ConfigureAwait(false);
        }
        catch (UsageException e)
        {
            await Streams.Error.WriteLineAsync(ProxyProtocolTool.FormatUsageError(Name, e.Message)).ConfigureAwait(false);
            return ExitCodes.UsageError;
        }
    }
}
