using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace ProxyProtocol.Tool;

/// <summary>
/// <c>proxyproto decode</c>: reads header bytes from standard input, <c>--hex</c> or <c>--file</c>, and prints
/// the header as one JSON object; bytes after the header are ignored.
/// </summary>
internal static class DecodeCommand
{
    private const string Hex = "--hex";
    private const string File = "--file";
    private const string Pretty = "--pretty";

    public static CommandDefinition Definition { get; } = new(
        "decode",
        "Decode a header from stdin, --hex or --file and print it as JSON.",
        "decode [--hex HEX | --file PATH] [options]",
        """
        Reads a PROXY protocol header (v1 or v2) from standard input, or from --hex or --file, and
        prints it as one JSON object on stdout. Bytes after the header are ignored; reading stops as
        soon as the header is complete. When the input does not start with a valid header, prints
        {"error":"<ErrorCode>","message":"..."} on stdout and the reason on stderr, and exits 1.
        Input that ends inside the header is IncompleteHeader.
        """,
        [
            new(Hex, "HEX", "Decode these hex bytes instead of standard input (spaces allowed)."),
            new(File, "PATH", "Decode the start of this file instead of standard input."),
            new(Pretty, null, "Indent the JSON."),
            .. ParserOptionArguments.Options,
        ],
        maxPositionals: 0,
        RunAsync);

    private static async Task<int> RunAsync(ParsedArguments args, StandardStreams streams, CancellationToken cancellationToken)
    {
        string? hex = args.GetValue(Hex);
        string? path = args.GetValue(File);
        if (hex is not null && path is not null)
        {
            throw new UsageException("give at most one of --hex and --file");
        }

        ProxyParserOptions options = ParserOptionArguments.Parse(args);
        HeaderReadResult result;
        if (hex is not null)
        {
            result = HeaderReader.ParseComplete(ValueParsers.ParseHex(Hex, hex), options);
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
            result = await HeaderReader.ReadAsync(streams.Input.ReadAsync, options, 0, Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
        }

        bool indented = args.Has(Pretty);
        if (result.IsDone)
        {
            streams.Output.Write(HeaderJson.Serialize(result.Header, result.HeaderBytes, options.VerifyCrc32c, indented));
            streams.WriteOutput("\n");
            return ExitCodes.Success;
        }

        string code = result.Error.ToString();
        string message = ProxyProtocolException.GetMessage(result.Error);
        streams.Output.Write(HeaderJson.SerializeError(code, message, indented));
        streams.WriteOutput("\n");
        await streams.Error.WriteLineAsync($"proxyproto decode: {code}: {message}").ConfigureAwait(false);
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
