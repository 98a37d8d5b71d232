using System;

namespace ProxyProtocol.AspNetCore.Internal;

/// <summary>Why a connection was closed before reaching the application; the <c>error.type</c> metric tag.</summary>
internal enum RejectionReason
{
    None,
    InvalidHeader,
    IncompleteHeader,
    Timeout,
    UntrustedSource,
    ValidationFailed,
    TlsBeforeProxyProtocol,
    ServerShutdown,
    EmptyConnection,
}

/// <summary>Stable, allocation-free tag values.</summary>
internal static class RejectionReasons
{
    private static readonly string?[] s_errorNames = CreateErrorNames();

    public static string GetName(RejectionReason reason) => reason switch
    {
        RejectionReason.InvalidHeader => "invalid_header",
        RejectionReason.IncompleteHeader => "incomplete_header",
        RejectionReason.Timeout => "timeout",
        RejectionReason.UntrustedSource => "untrusted_source",
        RejectionReason.ValidationFailed => "validation_failed",
        RejectionReason.TlsBeforeProxyProtocol => "tls_before_proxy_protocol",
        RejectionReason.EmptyConnection => "empty_connection",
        _ => "server_shutdown",
    };

    /// <summary>The enum member's name (<c>InvalidSignature</c>, ...), cached so tagging does not allocate.</summary>
    public static string GetName(ProxyHeaderError error)
    {
        int index = (int)error;
        return (uint)index < (uint)s_errorNames.Length ? s_errorNames[index] ?? "Unknown" : "Unknown";
    }

    private static string?[] CreateErrorNames()
    {
        ProxyHeaderError[] values = Enum.GetValues<ProxyHeaderError>();
        int max = 0;
        foreach (ProxyHeaderError value in values)
        {
            max = Math.Max(max, (int)value);
        }

        string?[] names = new string?[max + 1];
        foreach (ProxyHeaderError value in values)
        {
            names[(int)value] = value.ToString();
        }

        return names;
    }
}
