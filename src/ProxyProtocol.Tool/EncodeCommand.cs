using System;
using System.CommandLine;
using System.Threading;
using System.Threading.Tasks;

namespace ProxyProtocol.Tool;

/// <summary><c>proxyproto encode</c>: builds a header from options and writes its bytes, raw or as hex.</summary>
internal sealed class EncodeCommand : ToolCommand
{
    private readonly Option<bool> _hex = ToolOptions.Flag("--hex", "Write lowercase hex and a newline instead of raw bytes.");
    private readonly HeaderOptions _header = new();

    public EncodeCommand(StandardStreams streams)
        : base(
            "encode",
            "Build a header from options and write it to stdout (raw, or hex with --hex).",
            """
            Builds a PROXY protocol header and writes its raw bytes to stdout, or lowercase hex and a
            newline with --hex. v2 is the default; --v1 writes the text form. Give --src and --dst,
            --local or --unknown. IPv6 endpoints are written [addr]:port; when one side is IPv4 and the
            other IPv6, the IPv4 one is sent as ::ffff:a.b.c.d. TLVs appear in the order of their options.

            Example: proxyproto encode --src 192.0.2.1:56324 --dst 192.0.2.11:443 --alpn h2 --crc32c --hex
            """,
            streams)
    {
        Options.Add(_hex);
        _header.AddTo(this);
    }

    protected override Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        HeaderRequest request = HeaderRequest.Parse(_header, parse, addressesRequired: true);
        byte[] header = request.Build(null, null);
        if (parse.GetValue(_hex))
        {
            Streams.WriteOutput(Convert.ToHexStringLower(header) + "\n");
        }
        else
        {
            Streams.Output.Write(header);
            Streams.Output.Flush();
        }

        return Task.FromResult(ExitCodes.Success);
    }
}
