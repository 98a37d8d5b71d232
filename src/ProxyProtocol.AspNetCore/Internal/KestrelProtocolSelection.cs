using System;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace ProxyProtocol.AspNetCore.Internal;

/// <summary>
/// Makes Kestrel serve a cleartext connection on an <c>Http1AndHttp2</c> endpoint as HTTP/2 with scheme
/// <c>http</c>, through the per-connection protocol choice its HTTP layer reads first.
/// </summary>
/// <remarks>
/// <para>
/// On a cleartext endpoint that allows both versions, Kestrel (up to .NET 10) always picks HTTP/1.1 unless the
/// connection has a TLS feature whose ALPN says <c>h2</c>, and a TLS feature also makes every request report
/// <c>https</c>, which an h2c client's <c>:scheme http</c> then contradicts (the stream is reset). Kestrel's
/// <c>HttpConnectionMiddleware</c> first reads an internal <c>HttpProtocolsFeature</c> from the connection (its TLS
/// middleware sets it for per-connection protocol choices); setting it to <c>Http2</c> selects HTTP/2 with no
/// TLS feature. The type is internal, so it is found by name once; where a future Kestrel lacks it,
/// <see cref="Http2Feature"/> is null and the caller falls back to the TLS feature (scheme <c>https</c>).
/// The feature's only state is the protocol, so one instance serves every connection.
/// </para>
/// </remarks>
internal static class KestrelProtocolSelection
{
    private const string FeatureTypeName = "Microsoft.AspNetCore.Server.Kestrel.Core.Internal.HttpProtocolsFeature";
    private const string KestrelCoreAssembly = "Microsoft.AspNetCore.Server.Kestrel.Core";

    private static readonly (Type Type, object Instance)? s_http2 = CreateHttp2Feature();

    /// <summary>Whether HTTP/2 can be selected without a TLS feature on this Kestrel.</summary>
    public static bool CanSelectHttp2WithoutTls => s_http2 is not null;

    /// <summary>The Kestrel-internal feature instance that selects HTTP/2, or null when this Kestrel has none.</summary>
    public static object? Http2Feature => s_http2?.Instance;

    /// <summary>Selects HTTP/2 for the connection; false when this Kestrel offers no way without TLS.</summary>
    public static bool TrySelectHttp2(IFeatureCollection features)
    {
        if (s_http2 is not { } http2)
        {
            return false;
        }

        features[http2.Type] = http2.Instance;
        return true;
    }

    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicConstructors | DynamicallyAccessedMemberTypes.PublicProperties, FeatureTypeName, KestrelCoreAssembly)]
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "The constructor is kept by DynamicDependency; a missing type is handled.")]
    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "The constructor is kept by DynamicDependency; a missing type is handled.")]
    [UnconditionalSuppressMessage("Trimming", "IL2057", Justification = "A constant type name in the same assembly as KestrelServerOptions.")]
    private static (Type, object)? CreateHttp2Feature()
    {
        try
        {
            Type? type = typeof(KestrelServerOptions).Assembly.GetType(FeatureTypeName, throwOnError: false);
            ConstructorInfo? constructor = type?.GetConstructor([typeof(HttpProtocols)]);
            PropertyInfo? protocols = type?.GetProperty(nameof(HttpProtocols));
            if (type is null || constructor is null || protocols?.PropertyType != typeof(HttpProtocols))
            {
                return null;
            }

            return (type, constructor.Invoke([HttpProtocols.Http2]));
        }
        catch (Exception ex) when (ex is MemberAccessException or TargetInvocationException or NotSupportedException)
        {
            return null;
        }
    }
}
