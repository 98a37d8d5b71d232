using System;
using System.Threading;
using System.Threading.Tasks;

namespace ProxyProtocol.Tool;

/// <summary><c>proxyproto encode</c>: builds a header from options and writes its bytes, raw or as hex.</summary>
internal static class EncodeCommand
{
    private const string Hex = "--hex";

    public static CommandDefinition Definition { get; } = new(
        "encode",
        "Build a header from options and write it to stdout (raw, or hex with --hex).",
        "encode (--src ADDR --dst ADDR | --local | --unknown) [options]",
        """
        Builds a PROXY protocol header and writes its raw bytes to stdout, or lowercase hex and a
        newline with --hex. v2 is the default; --v1 writes the text form. IPv6 endpoints are written
        [addr]:port; when one side is IPv4 and the other IPv6, the IPv4 one is sent as ::ffff:a.b.c.d.
        TLVs appear in the order of their options.

        Example: proxyproto encode --src 192.0.2.1:56324 --dst 192.0.2.11:443 --alpn h2 --crc32c --hex
        """,
        [
            new(Hex, null, "Write lowercase hex and a newline instead of raw bytes."),
            .. HeaderRequest.Options,
        ],
        maxPositionals: 0,
        RunAsync);

    private static Task<int> RunAsync(ParsedArguments args, StandardStreams streams, CancellationToken cancellationToken)
    {
        HeaderRequest request = HeaderRequest.Parse(args, addressesRequired: true);
        byte[] header = request.Build(null, null);
        if (args.Has(Hex))
        {
            streams.WriteOutput(Convert.ToHexStringLower(header) + "\n");
        }
        else
        {
            streams.Output.Write(header);
            streams.Output.Flush();
        }

        return Task.FromResult(ExitCodes.Success);
    }
}
