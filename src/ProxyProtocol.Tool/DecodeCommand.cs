using System;
using System.CommandLine;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace ProxyProtocol.Tool;

/// <summary>
/// <c>proxyproto decode</c>: reads header bytes from standard input (raw, or as hex text), <c>--hex</c> or
/// <c>--file</c>, and prints the header as one JSON object; bytes after the header are ignored.
/// </summary>
internal sealed class DecodeCommand : ToolCommand
{
    private readonly Option<byte[]> _hex = ToolOptions.Value(
        "--hex", "HEX", "Decode these hex bytes instead of standard input (spaces allowed).", text => ValueParsers.ParseHex("--hex", text));

    private readonly Option<string> _file = ToolOptions.Text("--file", "PATH", "Decode the start of this file instead of standard input.");
    private readonly Option<bool> _pretty = ToolOptions.Flag("--pretty", "Indent the JSON.");
    private readonly ParserOptionArguments _parserOptions = new();

    public DecodeCommand(StandardStreams streams)
        : base(
            "decode",
            "Decode a header from stdin, --hex or --file and print it as JSON.",
            """
            Reads a PROXY protocol header (v1 or v2) from standard input, or from --hex or --file, and
            prints it as one JSON object on stdout. Standard input may hold the raw header or its hex
            (only hex digits and whitespace, as 'encode --hex' writes). Bytes after the header are
            ignored; reading raw input stops as soon as the header is complete. When the input does not
            start with a valid header, prints {"error":"<ErrorCode>","message":"..."} on stdout and the
            reason on stderr, and exits 1. Input that ends inside the header is IncompleteHeader.
            """,
            streams)
    {
        Options.Add(_hex);
        Options.Add(_file);
        Options.Add(_pretty);
        _parserOptions.AddTo(this);
    }

    protected override async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        // An array option reads as empty when absent: ask whether it was given.
        byte[]? hex = parse.GetResult(_hex) is null ? null : parse.GetValue(_hex);
        string? path = parse.GetValue(_file);
        if (hex is not null && path is not null)
        {
            throw new UsageException("give at most one of --hex and --file");
        }

        ProxyParserOptions options = _parserOptions.Get(parse);
        HeaderReadResult result;
        string? hint = null;
        if (hex is not null)
        {
            result = HeaderReader.ParseComplete(hex, options);
        }
        else if (path is not null)
        {
            FileStream file = OpenFile(path);
            await using (file.ConfigureAwait(false))
            {
                result = await HeaderReader.ReadAsync(file.ReadAsync, options, 0, Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
            }
        }
        else
        {
            StandardInputHeader input = await StandardInputHeader.ReadAsync(Streams.Input, options, cancellationToken).ConfigureAwait(false);
            result = input.Result;
            hint = input.Hint;
        }

        bool indented = parse.GetValue(_pretty);
        if (result.IsDone)
        {
            Streams.Output.Write(HeaderJson.Serialize(result.Header, result.HeaderBytes, options.VerifyCrc32c, indented));
            Streams.WriteOutput("\n");
            return ExitCodes.Success;
        }

        string code = result.Error.ToString();
        string message = ProxyProtocolException.GetMessage(result.Error);
        Streams.Output.Write(HeaderJson.SerializeError(code, message, indented));
        Streams.WriteOutput("\n");
        await Streams.Error.WriteLineAsync($"proxyproto decode: {code}: {message}").ConfigureAwait(false);
        if (hint is not null)
        {
            await Streams.Error.WriteLineAsync($"proxyproto decode: {hint}").ConfigureAwait(false);
        }

        return ExitCodes.InvalidHeader;
    }

    private static FileStream OpenFile(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1, useAsync: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new UsageException($"cannot read '{path}': {e.Message}", e);
        }
    }
}
