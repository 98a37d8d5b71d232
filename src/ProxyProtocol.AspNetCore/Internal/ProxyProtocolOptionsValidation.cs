using System;

namespace ProxyProtocol.AspNetCore.Internal;

/// <summary>Checks that need several options at once; single values are checked by their setters.</summary>
internal static class ProxyProtocolOptionsValidation
{
    /// <summary>The problem with the options, or null when there is none.</summary>
    public static string? Validate(ProxyProtocolOptions options)
    {
        if (options.TrustAnySource && options.TrustedProxies.Count > 0)
        {
            return $"TrustAnySource is true while TrustedProxies lists {options.TrustedProxies.Count} network(s): " +
                "remove TrustAnySource to trust only those networks, or empty TrustedProxies to trust every source.";
        }

        return null;
    }

    public static void ThrowIfInvalid(ProxyProtocolOptions options, string? endpoint)
    {
        if (Validate(options) is { } problem)
        {
            throw new InvalidOperationException($"UseProxyProtocol() on {endpoint}: {problem}");
        }
    }
}
