using System.CommandLine;

namespace ProxyProtocol.Tool;

/// <summary>
/// The options that describe a header to build, shared by <c>encode</c> and <c>send</c>. Values are kept as
/// typed text; <see cref="HeaderRequest.Parse"/> checks them together, since most mistakes involve two options.
/// </summary>
internal sealed class HeaderOptions
{
    public Option<bool> V1 { get; } = ToolOptions.Flag("--v1", "Write a v1 text header (TCP4, TCP6 or UNKNOWN; no TLVs).");

    public Option<bool> V2 { get; } = ToolOptions.Flag("--v2", "Write a v2 binary header (the default).");

    public Option<string> Source { get; } = ToolOptions.Text("--src", "ADDR", "Source (client) address: IP:PORT, [IPv6]:PORT, or a path with --unix.");

    public Option<string> Destination { get; } = ToolOptions.Text("--dst", "ADDR", "Destination (proxy) address, written like --src.");

    public Option<bool> Local { get; } = ToolOptions.Flag("--local", "Write a v2 LOCAL header (a proxy's own connection, such as a health check).");

    public Option<bool> Unknown { get; } = ToolOptions.Flag("--unknown", "Write a header with unknown family: v1 PROXY UNKNOWN; in v2 a LOCAL header, as HAProxy accepts (TX-04).");

    public Option<bool> Unix { get; } = ToolOptions.Flag("--unix", "--src and --dst are Unix socket paths, at most 108 bytes (v2 only).");

    public Option<bool> Dgram { get; } = ToolOptions.Flag("--dgram", "Datagram transport: UDP, or a Unix datagram socket (v2 only).");

    public Option<string[]> Tlv { get; } = ToolOptions.Repeatable("--tlv", "TYPE=HEX", "Append a raw TLV, TYPE decimal or 0xNN, written as given; one a receiver would reject is refused.");

    public Option<string> Alpn { get; } = ToolOptions.Text("--alpn", "PROTO", "Append ALPN (0x01), for example h2.");

    public Option<string> Authority { get; } = ToolOptions.Text("--authority", "HOST", "Append AUTHORITY (0x02): the host name (TLS SNI).");

    public Option<string> UniqueId { get; } = ToolOptions.Text("--unique-id", "TEXT", "Append UNIQUE_ID (0x05), at most 128 bytes.");

    public Option<string> NetworkNamespace { get; } = ToolOptions.Text("--netns", "NAME", "Append NETNS (0x30).");

    public Option<bool> Crc32c { get; } = ToolOptions.Flag("--crc32c", "Append CRC32C (0x03), computed over the finished header.");

    public Option<string> AwsVpce { get; } = ToolOptions.Text("--aws-vpce", "ID", "Append the AWS VPC endpoint id (0xEA subtype 0x01), for example vpce-0123abcd.");

    public Option<string> AzureLinkId { get; } = ToolOptions.Text("--azure-linkid", "N", "Append the Azure Private Link LINKID (0xEE subtype 0x01), a 32-bit number.");

    public Option<string> GcpPsc { get; } = ToolOptions.Text("--gcp-psc", "N", "Append the GCP Private Service Connect connection id (0xE0), a 64-bit number.");

    public Option<bool> Ssl { get; } = ToolOptions.Flag("--ssl", "Append an SSL TLV (0x20): client connected over TLS.");

    public Option<string> SslClient { get; } = ToolOptions.Text("--ssl-client", "FLAGS", "SSL client flags byte (default 0x01, or 0x07 with --ssl-cn).");

    public Option<string> SslVerify { get; } = ToolOptions.Text("--ssl-verify", "N", "SSL verify result (default 0).");

    public Option<string> SslVersion { get; } = ToolOptions.Text("--ssl-version", "TEXT", "SSL_VERSION sub-TLV (0x21), for example TLSv1.3.");

    public Option<string> SslCipher { get; } = ToolOptions.Text("--ssl-cipher", "TEXT", "SSL_CIPHER sub-TLV (0x23).");

    public Option<string> SslCommonName { get; } = ToolOptions.Text("--ssl-cn", "TEXT", "SSL_CN sub-TLV (0x22): the client certificate's Common Name.");

    public Option<string> Align { get; } = ToolOptions.Text("--align", "N", "Pad the v2 header with a NOOP TLV to a multiple of N bytes (1 to 4096).");

    /// <summary>Every option that adds a TLV, in no particular order; the command line gives the order.</summary>
    public Option[] TlvOptions => [Tlv, Alpn, Authority, UniqueId, NetworkNamespace, Crc32c, AwsVpce, AzureLinkId, GcpPsc, .. SslOptions];

    public Option[] SslOptions => [Ssl, SslClient, SslVerify, SslVersion, SslCipher, SslCommonName];

    public void AddTo(Command command)
    {
        Option[] all =
        [
            V1, V2, Source, Destination, Local, Unknown, Unix, Dgram,
            Tlv, Alpn, Authority, UniqueId, NetworkNamespace, Crc32c, AwsVpce, AzureLinkId, GcpPsc,
            Ssl, SslClient, SslVerify, SslVersion, SslCipher, SslCommonName, Align,
        ];
        foreach (Option option in all)
        {
            command.Options.Add(option);
        }
    }
}
