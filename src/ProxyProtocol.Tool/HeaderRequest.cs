using System;
using System.Buffers;
using System.Collections.Generic;
using System.CommandLine;
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
    private const int UniqueIdMaxLength = 128;

    private readonly HeaderOptions _options;
    private readonly ParseResult _parse;
    private readonly List<OptionOccurrence> _tlvs;

    private HeaderRequest(HeaderOptions options, ParseResult parse, List<OptionOccurrence> tlvs, ProxyVersion version, ProxyTransport transport)
    {
        _options = options;
        _parse = parse;
        _tlvs = tlvs;
        Version = version;
        Transport = transport;
    }

    public ProxyVersion Version { get; }

    public ProxyTransport Transport { get; }

    /// <summary>Whether the addresses come from the options; otherwise <see cref="Build"/> needs the connection's endpoints.</summary>
    public bool HasAddressOptions => Has(_parse, _options.Source) || Has(_parse, _options.Local) || Has(_parse, _options.Unknown);

    /// <summary>Checks the header options.</summary>
    /// <param name="options">The header options of the command.</param>
    /// <param name="parse">The parsed command line.</param>
    /// <param name="addressesRequired">Whether the addresses must be given (<c>encode</c>), rather than taken from a connection (<c>send</c>).</param>
    public static HeaderRequest Parse(HeaderOptions options, ParseResult parse, bool addressesRequired)
    {
        if (Has(parse, options.V1) && Has(parse, options.V2))
        {
            throw new UsageException("give at most one of --v1 and --v2");
        }

        bool source = Has(parse, options.Source);
        if (source != Has(parse, options.Destination))
        {
            throw new UsageException(source ? "--src needs --dst too" : "--dst needs --src too");
        }

        bool local = Has(parse, options.Local);
        bool unknown = Has(parse, options.Unknown);
        int kinds = (source ? 1 : 0) + (local ? 1 : 0) + (unknown ? 1 : 0);
        if (kinds > 1)
        {
            throw new UsageException("give only one of --src/--dst, --local and --unknown");
        }

        if (Has(parse, options.Unix) && !source)
        {
            throw new UsageException("--unix needs --src and --dst socket paths");
        }

        if (kinds == 0 && addressesRequired)
        {
            throw new UsageException("say what to encode: --src and --dst, --local, or --unknown");
        }

        bool dgram = Has(parse, options.Dgram);
        if (dgram && (local || unknown))
        {
            throw new UsageException("--dgram needs addresses; LOCAL and UNKNOWN headers have no transport");
        }

        List<OptionOccurrence> tlvs = CommandLineOrder.Get(parse, options.TlvOptions);
        foreach (OptionOccurrence tlv in tlvs)
        {
            CheckTlvValue(options, tlv);
        }

        ProxyVersion version = Has(parse, options.V1) ? ProxyVersion.V1 : ProxyVersion.V2;
        if (version == ProxyVersion.V1)
        {
            // v1 has TCP4, TCP6 and UNKNOWN only (V1-02, UDP-02): say so rather than silently write UNKNOWN.
            foreach (Option option in (ReadOnlySpan<Option>)[options.Unix, options.Dgram, options.Local, options.Align])
            {
                if (Has(parse, option))
                {
                    throw new UsageException($"--v1 cannot be combined with {option.Name}; use --v2");
                }
            }

            if (tlvs.Count > 0)
            {
                throw new UsageException("--v1 headers have no TLVs; use --v2");
            }
        }

        if (parse.GetValue(options.Align) is string align)
        {
            ValueParsers.ParseInt32("--align", align, 1, 4096);
        }

        ProxyTransport transport = dgram ? ProxyTransport.Datagram : ProxyTransport.Stream;
        HeaderRequest request = new(options, parse, tlvs, version, transport);
        if (source)
        {
            // Parse the addresses now so that a bad one is reported before anything happens.
            _ = request.CreateAddresses();
        }

        return request;
    }

    /// <summary>Writes the header.</summary>
    /// <param name="connectionSource">Used as the source when no address option was given (<c>send</c>: the socket's local endpoint).</param>
    /// <param name="connectionDestination">Used as the destination likewise (the socket's remote endpoint).</param>
    public byte[] Build(EndPoint? connectionSource, EndPoint? connectionDestination)
    {
        ProxyHeader header = HasAddressOptions
            ? CreateAddresses()
            : ProxyHeader.Create(connectionSource, connectionDestination, Transport);

        if (Version == ProxyVersion.V1)
        {
            byte[] line = new byte[ProxyHeaderWriter.MaxV1Length];
            ProxyHeaderWriter.WriteV1(header, line, out int lineLength);
            return line.AsSpan(0, lineLength).ToArray();
        }

        string? align = _parse.GetValue(_options.Align);
        if (_tlvs.Count == 0 && align is null)
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
            int alignment = align is null ? 0 : ValueParsers.ParseInt32("--align", align, 1, 4096);
            builder.Complete(alignment, out int written);
            return buffer.AsSpan(0, written).ToArray();
        }
        catch (ArgumentException e)
        {
            // The builder refuses a header over 65551 bytes.
            throw new UsageException($"the TLVs do not fit in a v2 header: {e.Message}", e);
        }
    }

    /// <summary>Whether a flag is set or a valued option was given.</summary>
    private static bool Has(ParseResult parse, Option option) =>
        option is Option<bool> flag ? parse.GetValue(flag) : parse.GetResult(option) is { Implicit: false };

    private ProxyHeader CreateAddresses()
    {
        if (Has(_parse, _options.Local))
        {
            return ProxyHeader.CreateLocal();
        }

        if (Has(_parse, _options.Unknown))
        {
            return ProxyHeader.CreateUnknown();
        }

        string source = _parse.GetValue(_options.Source)!;
        string destination = _parse.GetValue(_options.Destination)!;
        if (Has(_parse, _options.Unix))
        {
            CheckPath("--src", source);
            CheckPath("--dst", destination);
            return ProxyHeader.CreateUnix(source, destination, Transport);
        }

        // Mixed families are written as IPv6 with the IPv4 side v4-mapped, as HAProxy does (TX-03).
        return ProxyHeader.CreateProxy(ValueParsers.ParseIPEndPoint("--src", source), ValueParsers.ParseIPEndPoint("--dst", destination), Transport);
    }

    private static void CheckPath(string option, string path)
    {
        if (Encoding.UTF8.GetByteCount(path) > 108)
        {
            throw new UsageException($"{option}: a Unix socket path is at most 108 bytes in UTF-8");
        }
    }

    private static void CheckTlvValue(HeaderOptions options, OptionOccurrence tlv)
    {
        string value = tlv.Value ?? string.Empty;
        if (tlv.Option == options.Tlv)
        {
            ValueParsers.ParseTlv("--tlv", value);
        }
        else if (tlv.Option == options.UniqueId && Encoding.UTF8.GetByteCount(value) > UniqueIdMaxLength)
        {
            throw new UsageException($"--unique-id: a UNIQUE_ID is at most {UniqueIdMaxLength} bytes");
        }
        else if (tlv.Option == options.AzureLinkId)
        {
            ValueParsers.ParseUnsigned("--azure-linkid", value, uint.MaxValue);
        }
        else if (tlv.Option == options.GcpPsc)
        {
            ValueParsers.ParseUnsigned("--gcp-psc", value, ulong.MaxValue);
        }
        else if (tlv.Option == options.SslClient)
        {
            ValueParsers.ParseUnsigned("--ssl-client", value, byte.MaxValue);
        }
        else if (tlv.Option == options.SslVerify)
        {
            ValueParsers.ParseUnsigned("--ssl-verify", value, uint.MaxValue);
        }
    }

    private void AddTlvs(ref ProxyV2HeaderBuilder builder)
    {
        bool sslWritten = false;
        foreach (OptionOccurrence tlv in _tlvs)
        {
            Option option = tlv.Option;
            string value = tlv.Value ?? string.Empty;
            if (option == _options.Tlv)
            {
                (byte type, byte[] bytes) = ValueParsers.ParseTlv("--tlv", value);
                builder.AddTlv((ProxyTlvType)type, bytes);
            }
            else if (option == _options.Alpn)
            {
                builder.AddAlpn(Encoding.UTF8.GetBytes(value));
            }
            else if (option == _options.Authority)
            {
                builder.AddAuthority(value);
            }
            else if (option == _options.UniqueId)
            {
                builder.AddUniqueId(Encoding.UTF8.GetBytes(value));
            }
            else if (option == _options.NetworkNamespace)
            {
                builder.AddNetworkNamespace(Encoding.UTF8.GetBytes(value));
            }
            else if (option == _options.Crc32c)
            {
                builder.AddCrc32c();
            }
            else if (option == _options.AwsVpce)
            {
                builder.AddAwsVpcEndpointId(Encoding.ASCII.GetBytes(value));
            }
            else if (option == _options.AzureLinkId)
            {
                builder.AddAzureLinkId((uint)ValueParsers.ParseUnsigned("--azure-linkid", value, uint.MaxValue));
            }
            else if (option == _options.GcpPsc)
            {
                builder.AddGcpPscConnectionId(ValueParsers.ParseUnsigned("--gcp-psc", value, ulong.MaxValue));
            }
            else if (!sslWritten && Array.IndexOf(_options.SslOptions, option) >= 0)
            {
                AddSsl(ref builder);
                sslWritten = true;
            }
        }
    }

    private void AddSsl(ref ProxyV2HeaderBuilder builder)
    {
        ProxySslClientFlags client = _parse.GetValue(_options.SslClient) is string flags
            ? (ProxySslClientFlags)ValueParsers.ParseUnsigned("--ssl-client", flags, byte.MaxValue)
            : Has(_parse, _options.SslCommonName)
                ? ProxySslClientFlags.Ssl | ProxySslClientFlags.CertificateConnection | ProxySslClientFlags.CertificateSession
                : ProxySslClientFlags.Ssl;
        uint verify = _parse.GetValue(_options.SslVerify) is string v ? (uint)ValueParsers.ParseUnsigned("--ssl-verify", v, uint.MaxValue) : 0;

        builder.BeginSsl(client, verify);
        foreach (OptionOccurrence tlv in _tlvs)
        {
            byte[] value = Encoding.UTF8.GetBytes(tlv.Value ?? string.Empty);
            if (tlv.Option == _options.SslVersion)
            {
                builder.AddSslVersion(value);
            }
            else if (tlv.Option == _options.SslCipher)
            {
                builder.AddSslCipher(value);
            }
            else if (tlv.Option == _options.SslCommonName)
            {
                builder.AddSslCommonName(value);
            }
        }

        builder.EndSsl();
    }
}
