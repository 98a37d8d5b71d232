using System;
using System.Globalization;
using System.Net;
using System.Threading;
using Microsoft.Extensions.Configuration;

namespace ProxyProtocol.AspNetCore.Internal;

/// <summary>
/// Reads <see cref="ProxyProtocolOptions"/> from a configuration section, every option by name, without the
/// reflection-based binder (which cannot turn CIDR strings into <see cref="IPNetwork"/> and would leave the trust
/// list silently empty). A value that does not parse, or a key that is not an option, is an error that names the
/// key and says what it should be.
/// </summary>
internal static class ProxyProtocolConfigurationReader
{
    private const string Keys =
        "RequireHeader, TrustedProxies, TrustAnySource, UntrustedSourceAction, HeaderTimeout, MaxHeaderLength, AllowedVersions, " +
        "HttpsFromHeader, DetectHttp2Preface, AllowHttp3WithoutHeader, ParserOptions";

    private const string ParserKeys = "MaxHeaderLength, AllowedVersions, VerifyCrc32c, AllowIPv4InTcp6";

    public static void Apply(IConfiguration configuration, ProxyProtocolOptions options)
    {
        foreach (IConfigurationSection entry in configuration.GetChildren())
        {
            switch (entry.Key.ToUpperInvariant())
            {
                case "REQUIREHEADER":
                    options.RequireHeader = ReadBool(entry);
                    break;
                case "TRUSTANYSOURCE":
                    options.TrustAnySource = ReadBool(entry);
                    break;
                case "TRUSTEDPROXIES":
                    ReadNetworks(entry, options);
                    break;
                case "UNTRUSTEDSOURCEACTION":
                    options.UntrustedSourceAction = ReadEnum<UntrustedSourceAction>(entry);
                    break;
                case "HEADERTIMEOUT":
                    Set(entry, () => options.HeaderTimeout = ReadTimeSpan(entry));
                    break;
                case "MAXHEADERLENGTH":
                    Set(entry, () => options.MaxHeaderLength = ReadInt(entry));
                    break;
                case "ALLOWEDVERSIONS":
                    Set(entry, () => options.AllowedVersions = ReadFlags(entry));
                    break;
                case "HTTPSFROMHEADER":
                    options.HttpsFromHeader = ReadBool(entry);
                    break;
                case "DETECTHTTP2PREFACE":
                    options.DetectHttp2Preface = ReadEnum<Http2PrefaceDetection>(entry);
                    break;
                case "ALLOWHTTP3WITHOUTHEADER":
                    options.AllowHttp3WithoutHeader = ReadBool(entry);
                    break;
                case "PARSEROPTIONS":
                    options.ParserOptions = ReadParserOptions(entry, options.ParserOptions);
                    break;
                case "HEADERVALIDATION":
                    throw Error(entry, "is a callback and can only be set in code (services.AddProxyProtocol(o => o.HeaderValidation = ...))");
                default:
                    throw Error(entry, $"is not an option of UseProxyProtocol(); the options are {Keys}");
            }
        }
    }

    private static ProxyParserOptions ReadParserOptions(IConfigurationSection section, ProxyParserOptions parser)
    {
        foreach (IConfigurationSection entry in section.GetChildren())
        {
            switch (entry.Key.ToUpperInvariant())
            {
                case "MAXHEADERLENGTH":
                    Set(entry, () => parser = parser with { MaxHeaderLength = ReadInt(entry) });
                    break;
                case "ALLOWEDVERSIONS":
                    Set(entry, () => parser = parser with { AllowedVersions = ReadFlags(entry) });
                    break;
                case "VERIFYCRC32C":
                    parser = parser with { VerifyCrc32c = ReadBool(entry) };
                    break;
                case "ALLOWIPV4INTCP6":
                    parser = parser with { AllowIPv4InTcp6 = ReadBool(entry) };
                    break;
                default:
                    throw Error(entry, $"is not a parser option; the parser options are {ParserKeys}");
            }
        }

        return parser;
    }

    /// <summary>A JSON array (<c>TrustedProxies:0</c>, <c>:1</c>, ...) or one comma-separated string, handy in environment variables.</summary>
    private static void ReadNetworks(IConfigurationSection section, ProxyProtocolOptions options)
    {
        options.TrustedProxies.Clear();
        if (section.Value is { } list)
        {
            foreach (string item in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                options.TrustedProxies.Add(ParseNetwork(section, item));
            }
        }

        foreach (IConfigurationSection entry in section.GetChildren())
        {
            if (entry.Value is { } value && !string.IsNullOrWhiteSpace(value))
            {
                options.TrustedProxies.Add(ParseNetwork(entry, value.Trim()));
            }
            else
            {
                throw Error(entry, "is not a network: write a CIDR string such as 10.0.0.0/8 or 2001:db8::/32, or a single address");
            }
        }
    }

    private static IPNetwork ParseNetwork(IConfigurationSection entry, string text)
    {
        if (IPNetwork.TryParse(text, out IPNetwork network))
        {
            // A typo such as 10.0.0.1/8 for 10.0.0.0/8 is refused rather than silently widened or narrowed.
            if (IPAddress.TryParse(text.AsSpan(0, text.IndexOf('/', StringComparison.Ordinal)), out IPAddress? written) && !written.Equals(network.BaseAddress))
            {
                throw Error(entry, $"has '{text}', which is not a network: the address bits after the prefix must be zero (did you mean {network}?)");
            }

            return network;
        }

        if (!text.Contains('/', StringComparison.Ordinal) && IPAddress.TryParse(text, out IPAddress? address))
        {
            return new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
        }

        throw Error(entry, $"has '{text}', which is not a network: write a CIDR string such as 10.0.0.0/8 or 2001:db8::/32 " +
            "(the address bits after the prefix must be zero), or a single address");
    }

    private static bool ReadBool(IConfigurationSection entry) =>
        bool.TryParse(entry.Value, out bool value) ? value : throw Error(entry, $"has '{entry.Value}': write true or false");

    private static int ReadInt(IConfigurationSection entry) =>
        int.TryParse(entry.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value)
            ? value
            : throw Error(entry, $"has '{entry.Value}': write a whole number");

    private static TimeSpan ReadTimeSpan(IConfigurationSection entry)
    {
        string? text = entry.Value;
        if (string.Equals(text, "Infinite", StringComparison.OrdinalIgnoreCase))
        {
            return Timeout.InfiniteTimeSpan;
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out TimeSpan value)
            ? value
            : throw Error(entry, $"has '{text}': write a time span such as 00:00:10 (10 seconds), or Infinite");
    }

    private static TEnum ReadEnum<TEnum>(IConfigurationSection entry)
        where TEnum : struct, Enum
    {
        // Names only: Enum.TryParse would also take any number.
        foreach (TEnum value in Enum.GetValues<TEnum>())
        {
            if (string.Equals(value.ToString(), entry.Value?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        throw Error(entry, $"has '{entry.Value}': write one of {string.Join(", ", Enum.GetNames<TEnum>())}");
    }

    private static ProxyVersions ReadFlags(IConfigurationSection entry)
    {
        ProxyVersions versions = ProxyVersions.None;
        foreach (string name in (entry.Value ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            versions |= name.ToUpperInvariant() switch
            {
                "V1" => ProxyVersions.V1,
                "V2" => ProxyVersions.V2,
                "ALL" => ProxyVersions.All,
                _ => throw Error(entry, $"has '{entry.Value}': write V1, V2 or \"V1, V2\""),
            };
        }

        return versions;
    }

    /// <summary>Runs a setter that validates, turning its <see cref="ArgumentOutOfRangeException"/> into a configuration error.</summary>
    private static void Set(IConfigurationSection entry, Action set)
    {
        try
        {
            set();
        }
        catch (ArgumentOutOfRangeException ex)
        {
            throw Error(entry, $"has '{entry.Value}', which is out of range: {FirstLine(ex.Message)}");
        }
    }

    private static string FirstLine(string message)
    {
        int end = message.IndexOfAny(['\r', '\n']);
        return end < 0 ? message : message[..end];
    }

    private static InvalidOperationException Error(IConfigurationSection entry, string problem) =>
        new($"Configuration '{entry.Path}' {problem}.");
}
