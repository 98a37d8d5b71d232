using System;
using System.Buffers;
using System.Collections.Generic;
using System.Net;
using System.Text;

namespace ProxyProtocol.Tool;

/// <summary>
/// The header that <c>encode</c> and <c>send</c> are asked to build, checked when parsed so that every
/// mistake is a usage error before anything is written or any connection is made.
/// </summary>
/// <remarks>TLVs are written in the order their options appear; the SSL TLV's sub-TLVs go together, where the first <c>--ssl*</c> option is.</remarks>
internal sealed class HeaderRequest
{
    private const string V1 = "--v1";
    private const string V2 = "--v2";
    private const string Source = "--src";
    private const string Destination = "--dst";
    private const string Local = "--local";
    private const string Unknown = "--unknown";
    private const string Unix = "--unix";
    private const string Dgram = "--dgram";
    private const string Tlv = "--tlv";
    private const string Alpn = "--alpn";
    private const string Authority = "--authority";
    private const string UniqueId = "--unique-id";
    private const string NetworkNamespace = "--netns";
    private const string Crc32c = "--crc32c";
    private const string AwsVpce = "--aws-vpce";
    private const string AzureLinkId = "--azure-linkid";
    private const string GcpPsc = "--gcp-psc";
    private const string Ssl = "--ssl";
    private const string SslClient = "--ssl-client";
    private const string SslVerify = "--ssl-verify";
    private const string SslVersion = "--ssl-version";
    private const string SslCipher = "--ssl-cipher";
    private const string SslCommonName = "--ssl-cn";
    private const string Align = "--align";

    private const int UniqueIdMaxLength = 128;

    private readonly ParsedArguments _args;
    private readonly bool _hasTlvs;

    private HeaderRequest(ParsedArguments args, ProxyVersion version, ProxyTransport transport, bool hasTlvs)
    {
        _args = args;
        Version = version;
        Transport = transport;
        _hasTlvs = hasTlvs;
    }

    public static IReadOnlyList<OptionSpec> Options { get; } =
    [
        new(V1, null, "Write a v1 text header (TCP4, TCP6 or UNKNOWN; no TLVs)."),
        new(V2, null, "Write a v2 binary header (the default)."),
        new(Source, "ADDR", "Source (client) address: IP:PORT, [IPv6]:PORT, or a path with --unix."),
        new(Destination, "ADDR", "Destination (proxy) address, written like --src."),
        new(Local, null, "Write a v2 LOCAL header (a proxy's own connection, such as a health check)."),
        new(Unknown, null, "Write a header with unknown family: v1 PROXY UNKNOWN, v2 PROXY UNSPEC."),
        new(Unix, null, "--src and --dst are Unix socket paths, at most 108 bytes (v2 only)."),
        new(Dgram, null, "Datagram transport: UDP, or a Unix datagram socket (v2 only)."),
        new(Tlv, "TYPE=HEX", "Append a raw TLV, TYPE decimal or 0xNN, written as given; one a receiver would reject is refused.", repeatable: true),
        new(Alpn, "PROTO", "Append ALPN (0x01), for example h2."),
        new(Authority, "HOST", "Append AUTHORITY (0x02): the host name (TLS SNI)."),
        new(UniqueId, "TEXT", "Append UNIQUE_ID (0x05), at most 128 bytes."),
        new(NetworkNamespace, "NAME", "Append NETNS (0x30)."),
        new(Crc32c, null, "Append CRC32C (0x03), computed over the finished header."),
        new(AwsVpce, "ID", "Append the AWS VPC endpoint id (0xEA subtype 0x01), for example vpce-0123abcd."),
        new(AzureLinkId, "N", "Append the Azure Private Link LINKID (0xEE subtype 0x01), a 32-bit number."),
        new(GcpPsc, "N", "Append the GCP Private Service Connect connection id (0xE0), a 64-bit number."),
        new(Ssl, null, "Append an SSL TLV (0x20): client connected over TLS."),
        new(SslClient, "FLAGS", "SSL client flags byte (default 0x01, or 0x07 with --ssl-cn)."),
        new(SslVerify, "N", "SSL verify result (default 0)."),
        new(SslVersion, "TEXT", "SSL_VERSION sub-TLV (0x21), for example TLSv1.3."),
        new(SslCipher, "TEXT", "SSL_CIPHER sub-TLV (0x23)."),
        new(SslCommonName, "TEXT", "SSL_CN sub-TLV (0x22): the client certificate's Common Name."),
        new(Align, "N", "Pad the v2 header with a NOOP TLV to a multiple of N bytes (1 to 4096)."),
    ];

    public ProxyVersion Version { get; }

    public ProxyTransport Transport { get; }

    /// <summary>Whether the addresses come from the options; otherwise <see cref="Build"/> needs the connection's endpoints.</summary>
    public bool HasAddressOptions => _args.Has(Source) || _args.Has(Local) || _args.Has(Unknown);

    /// <summary>Checks the header options.</summary>
    /// <param name="args">The parsed command line.</param>
    /// <param name="addressesRequired">Whether the addresses must be given (<c>encode</c>), rather than taken from a connection (<c>send</c>).</param>
    public static HeaderRequest Parse(ParsedArguments args, bool addressesRequired)
    {
        if (args.Has(V1) && args.Has(V2))
        {
            throw new UsageException("give at most one of --v1 and --v2");
        }

        bool source = args.Has(Source);
        if (source != args.Has(Destination))
        {
            throw new UsageException(source ? "--src needs --dst too" : "--dst needs --src too");
        }

        int kinds = (source ? 1 : 0) + (args.Has(Local) ? 1 : 0) + (args.Has(Unknown) ? 1 : 0);
        if (kinds > 1)
        {
            throw new UsageException("give only one of --src/--dst, --local and --unknown");
        }

        if (args.Has(Unix) && !source)
        {
            throw new UsageException("--unix needs --src and --dst socket paths");
        }

        if (kinds == 0 && addressesRequired)
        {
            throw new UsageException("say what to encode: --src and --dst, --local, or --unknown");
        }

        if (args.Has(Dgram) && (args.Has(Local) || args.Has(Unknown)))
        {
            throw new UsageException("--dgram needs addresses; LOCAL and UNKNOWN headers have no transport");
        }

        bool hasTlvs = false;
        foreach (ParsedOption option in args.Options)
        {
            if (IsTlvOption(option.Name))
            {
                hasTlvs = true;
                CheckTlvValue(option);
            }
        }

        ProxyVersion version = args.Has(V1) ? ProxyVersion.V1 : ProxyVersion.V2;
        if (version == ProxyVersion.V1)
        {
            // v1 has TCP4, TCP6 and UNKNOWN only (V1-02, UDP-02): say so rather than silently write UNKNOWN.
            foreach (string option in (ReadOnlySpan<string>)[Unix, Dgram, Local, Align])
            {
                if (args.Has(option))
                {
                    throw new UsageException($"--v1 cannot be combined with {option}; use --v2");
                }
            }

            if (hasTlvs)
            {
                throw new UsageException("--v1 headers have no TLVs; use --v2");
            }
        }

        if (args.GetValue(Align) is string align)
        {
            ValueParsers.ParseInt32(Align, align, 1, 4096);
        }

        if (source)
        {
            // Parse the addresses now so that a bad one is reported before anything happens.
            _ = CreateAddresses(args, args.Has(Dgram) ? ProxyTransport.Datagram : ProxyTransport.Stream);
        }

        return new HeaderRequest(args, version, args.Has(Dgram) ? ProxyTransport.Datagram : ProxyTransport.Stream, hasTlvs);
    }

    /// <summary>Writes the header.</summary>
    /// <param name="connectionSource">Used as the source when no address option was given (<c>send</c>: the socket's local endpoint).</param>
    /// <param name="connectionDestination">Used as the destination likewise (the socket's remote endpoint).</param>
    public byte[] Build(EndPoint? connectionSource, EndPoint? connectionDestination)
    {
        ProxyHeader header = HasAddressOptions
            ? CreateAddresses(_args, Transport)
            : ProxyHeader.Create(connectionSource, connectionDestination, Transport);

        if (Version == ProxyVersion.V1)
        {
            byte[] line = new byte[ProxyHeaderWriter.MaxV1Length];
            ProxyHeaderWriter.WriteV1(header, line, out int lineLength);
            return line.AsSpan(0, lineLength).ToArray();
        }

        if (!_hasTlvs && !_args.Has(Align))
        {
            byte[] plain = new byte[ProxyHeaderWriter.GetV2Length(header)];
            ProxyHeaderWriter.WriteV2(header, plain, out _);
            return plain;
        }

        byte[] buffer = new byte[ProxyParserOptions.MaxMaxHeaderLength];
        try
        {
            ProxyV2HeaderBuilder builder = new(buffer, header);
            AddTlvs(ref builder);
            int alignment = _args.GetValue(Align) is string align ? ValueParsers.ParseInt32(Align, align, 1, 4096) : 0;
            builder.Complete(alignment, out int written);
            return buffer.AsSpan(0, written).ToArray();
        }
        catch (ArgumentException e)
        {
            // The builder refuses a header over 65551 bytes.
            throw new UsageException($"the TLVs do not fit in a v2 header: {e.Message}", e);
        }
    }

    private static ProxyHeader CreateAddresses(ParsedArguments args, ProxyTransport transport)
    {
        if (args.Has(Local))
        {
            return ProxyHeader.CreateLocal();
        }

        if (args.Has(Unknown))
        {
            return ProxyHeader.CreateUnknown();
        }

        string source = args.GetValue(Source)!;
        string destination = args.GetValue(Destination)!;
        if (args.Has(Unix))
        {
            CheckPath(Source, source);
            CheckPath(Destination, destination);
            return ProxyHeader.CreateUnix(source, destination, transport);
        }

        // Mixed families are written as IPv6 with the IPv4 side v4-mapped, as HAProxy does (TX-03).
        return ProxyHeader.CreateProxy(ValueParsers.ParseIPEndPoint(Source, source), ValueParsers.ParseIPEndPoint(Destination, destination), transport);
    }

    private static void CheckPath(string option, string path)
    {
        if (Encoding.UTF8.GetByteCount(path) > 108)
        {
            throw new UsageException($"{option}: a Unix socket path is at most 108 bytes in UTF-8");
        }
    }

    private static bool IsTlvOption(string name) => name is Tlv or Alpn or Authority or UniqueId or NetworkNamespace or Crc32c
        or AwsVpce or AzureLinkId or GcpPsc || IsSslOption(name);

    private static bool IsSslOption(string name) => name is Ssl or SslClient or SslVerify or SslVersion or SslCipher or SslCommonName;

    private static void CheckTlvValue(ParsedOption option)
    {
        switch (option.Name)
        {
            case Tlv:
                ValueParsers.ParseTlv(Tlv, option.Value!);
                break;
            case UniqueId when Encoding.UTF8.GetByteCount(option.Value!) > UniqueIdMaxLength:
                throw new UsageException($"{UniqueId}: a UNIQUE_ID is at most {UniqueIdMaxLength} bytes");
            case AzureLinkId:
                ValueParsers.ParseUnsigned(AzureLinkId, option.Value!, uint.MaxValue);
                break;
            case GcpPsc:
                ValueParsers.ParseUnsigned(GcpPsc, option.Value!, ulong.MaxValue);
                break;
            case SslClient:
                ValueParsers.ParseUnsigned(SslClient, option.Value!, byte.MaxValue);
                break;
            case SslVerify:
                ValueParsers.ParseUnsigned(SslVerify, option.Value!, uint.MaxValue);
                break;
        }
    }

    private void AddTlvs(ref ProxyV2HeaderBuilder builder)
    {
        bool sslWritten = false;
        foreach (ParsedOption option in _args.Options)
        {
            string value = option.Value ?? string.Empty;
            switch (option.Name)
            {
                case Tlv:
                    (byte type, byte[] bytes) = ValueParsers.ParseTlv(Tlv, value);
                    builder.AddTlv((ProxyTlvType)type, bytes);
                    break;
                case Alpn:
                    builder.AddAlpn(Encoding.UTF8.GetBytes(value));
                    break;
                case Authority:
                    builder.AddAuthority(value);
                    break;
                case UniqueId:
                    builder.AddUniqueId(Encoding.UTF8.GetBytes(value));
                    break;
                case NetworkNamespace:
                    builder.AddNetworkNamespace(Encoding.UTF8.GetBytes(value));
                    break;
                case Crc32c:
                    builder.AddCrc32c();
                    break;
                case AwsVpce:
                    builder.AddAwsVpcEndpointId(Encoding.ASCII.GetBytes(value));
                    break;
                case AzureLinkId:
                    builder.AddAzureLinkId((uint)ValueParsers.ParseUnsigned(AzureLinkId, value, uint.MaxValue));
                    break;
                case GcpPsc:
                    builder.AddGcpPscConnectionId(ValueParsers.ParseUnsigned(GcpPsc, value, ulong.MaxValue));
                    break;
                case string name when IsSslOption(name) && !sslWritten:
                    AddSsl(ref builder);
                    sslWritten = true;
                    break;
            }
        }
    }

    private void AddSsl(ref ProxyV2HeaderBuilder builder)
    {
        ProxySslClientFlags client = _args.GetValue(SslClient) is string flags
            ? (ProxySslClientFlags)ValueParsers.ParseUnsigned(SslClient, flags, byte.MaxValue)
            : _args.Has(SslCommonName)
                ? ProxySslClientFlags.Ssl | ProxySslClientFlags.CertificateConnection | ProxySslClientFlags.CertificateSession
                : ProxySslClientFlags.Ssl;
        uint verify = _args.GetValue(SslVerify) is string v ? (uint)ValueParsers.ParseUnsigned(SslVerify, v, uint.MaxValue) : 0;

        builder.BeginSsl(client, verify);
        foreach (ParsedOption option in _args.Options)
        {
            switch (option.Name)
            {
                case SslVersion:
                    builder.AddSslVersion(Encoding.UTF8.GetBytes(option.Value!));
                    break;
                case SslCipher:
                    builder.AddSslCipher(Encoding.UTF8.GetBytes(option.Value!));
                    break;
                case SslCommonName:
                    builder.AddSslCommonName(Encoding.UTF8.GetBytes(option.Value!));
                    break;
            }
        }

        builder.EndSsl();
    }
}
