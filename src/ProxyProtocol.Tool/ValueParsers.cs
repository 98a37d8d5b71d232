using System;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace ProxyProtocol.Tool;

/// <summary>
/// Turns option values into typed values, or a <see cref="UsageException"/> that names the option and
/// says what was expected.
/// </summary>
internal static class ValueParsers
{
    /// <summary>Parses <c>IP:PORT</c>, with IPv6 in brackets: <c>[2001:db8::1]:443</c>.</summary>
    public static IPEndPoint ParseIPEndPoint(string option, string text)
    {
        (string host, int port) = SplitHostPort(option, text);
        IPAddress address = ParseIPAddress(option, host) ?? throw new UsageException($"{option}: '{text}' is not IP:PORT (IPv6 as [addr]:port)");
        return new IPEndPoint(address, port);
    }

    /// <summary>Parses <c>HOST:PORT</c> where HOST is a name, an IPv4 address or a bracketed IPv6 address.</summary>
    public static (string Host, int Port) ParseHostPort(string option, string text) => SplitHostPort(option, text);

    /// <summary>
    /// Parses an IP address literal strictly: IPv4 only as a dotted quad (<see cref="IPAddress.TryParse(string?, out IPAddress?)"/>
    /// alone would take "1" as 0.0.0.1, QUIRK-08), IPv6 without a zone id, which the protocol cannot carry.
    /// </summary>
    public static IPAddress? ParseIPAddress(string option, string text)
    {
        if (text.Contains(':', StringComparison.Ordinal))
        {
            if (text.Contains('%', StringComparison.Ordinal))
            {
                throw new UsageException($"{option}: '{text}' has an IPv6 zone id, which a PROXY header cannot carry");
            }

            return IPAddress.TryParse(text, out IPAddress? v6) && v6.AddressFamily == AddressFamily.InterNetworkV6 ? v6 : null;
        }

        string[] parts = text.Split('.');
        if (parts.Length != 4)
        {
            return null;
        }

        foreach (string part in parts)
        {
            if (part.Length is 0 or > 3 || !IsDecimal(part))
            {
                return null;
            }
        }

        return IPAddress.TryParse(text, out IPAddress? v4) ? v4 : null;
    }

    /// <summary>Parses hex digits, upper or lower case; spaces between them are ignored.</summary>
    public static byte[] ParseHex(string option, string text)
    {
        string digits = RemoveWhitespace(text);
        if (digits.Length % 2 != 0)
        {
            throw new UsageException($"{option}: hex has an odd number of digits ({digits.Length})");
        }

        try
        {
            return Convert.FromHexString(digits);
        }
        catch (FormatException)
        {
            throw new UsageException($"{option}: '{Shorten(text)}' is not hex");
        }
    }

    /// <summary>Parses <c>TYPE=HEX</c>, TYPE decimal (0-255) or <c>0xNN</c>; HEX may be empty.</summary>
    public static (byte Type, byte[] Value) ParseTlv(string option, string text)
    {
        int equals = text.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            throw new UsageException($"{option}: '{Shorten(text)}' is not TYPE=HEX (for example 0xE1=0a0b)");
        }

        ulong type = ParseUnsigned(option, text.Substring(0, equals), byte.MaxValue);
        return ((byte)type, ParseHex(option, text.Substring(equals + 1)));
    }

    /// <summary>Parses an unsigned integer written in decimal or as <c>0x</c> hex, at most <paramref name="max"/>.</summary>
    public static ulong ParseUnsigned(string option, string text, ulong max)
    {
        bool hex = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase);
        string digits = hex ? text.Substring(2) : text;
        ulong value = 0;
        bool ok = digits.Length > 0 && (hex
            ? ulong.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value)
            : ulong.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out value));
        if (!ok || value > max)
        {
            throw new UsageException($"{option}: '{Shorten(text)}' is not a number from 0 to {max} (decimal or 0x hex)");
        }

        return value;
    }

    /// <summary>Parses a decimal integer in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static int ParseInt32(string option, string text, int min, int max)
    {
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) || value < min || value > max)
        {
            throw new UsageException($"{option}: '{Shorten(text)}' is not a whole number from {min} to {max}");
        }

        return value;
    }

    /// <summary>Parses a positive number of seconds such as <c>10</c> or <c>0.5</c>.</summary>
    public static TimeSpan ParseSeconds(string option, string text)
    {
        if (!double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double seconds) ||
            seconds <= 0 || seconds > int.MaxValue / 1000)
        {
            throw new UsageException($"{option}: '{Shorten(text)}' is not a positive number of seconds");
        }

        return TimeSpan.FromSeconds(seconds);
    }

    private static (string Host, int Port) SplitHostPort(string option, string text)
    {
        string host;
        string port;
        if (text.StartsWith('['))
        {
            int close = text.IndexOf("]:", StringComparison.Ordinal);
            if (close < 0)
            {
                throw new UsageException($"{option}: '{text}' is not [IPv6]:PORT");
            }

            host = text.Substring(1, close - 1);
            port = text.Substring(close + 2);
            if (!host.Contains(':', StringComparison.Ordinal))
            {
                throw new UsageException($"{option}: '{text}' has brackets around something that is not an IPv6 address");
            }
        }
        else
        {
            int colon = text.LastIndexOf(':');
            if (colon <= 0)
            {
                throw new UsageException($"{option}: '{text}' has no port (write HOST:PORT, IPv6 as [addr]:port)");
            }

            host = text.Substring(0, colon);
            port = text.Substring(colon + 1);
            if (host.Contains(':', StringComparison.Ordinal))
            {
                throw new UsageException($"{option}: '{text}' is ambiguous: write IPv6 addresses in brackets, as [addr]:port");
            }
        }

        return (host, ParsePort(option, text, port));
    }

    private static int ParsePort(string option, string whole, string port)
    {
        if (port.Length is 0 or > 5 || !IsDecimal(port) || int.Parse(port, CultureInfo.InvariantCulture) > ushort.MaxValue)
        {
            throw new UsageException($"{option}: '{whole}' has no valid port (0 to 65535)");
        }

        return int.Parse(port, CultureInfo.InvariantCulture);
    }

    private static bool IsDecimal(string text)
    {
        foreach (char c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private static string RemoveWhitespace(string text)
    {
        if (!text.AsSpan().ContainsAny(" \t\r\n"))
        {
            return text;
        }

        return string.Concat(text.Split([' ', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>Keeps messages one short line even when the user pasted a kilobyte of hex.</summary>
    private static string Shorten(string text) => text.Length <= 40 ? text : string.Concat(text.AsSpan(0, 37), "...");
}
