using System;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ProxyProtocol.AspNetCore;
using ProxyProtocol.AspNetCore.Internal;

namespace Microsoft.AspNetCore.Hosting;

/// <summary>
/// Extension methods for <see cref="ListenOptions"/> that make an endpoint read a PROXY protocol header (v1 or
/// v2) at the start of every connection.
/// </summary>
/// <remarks>
/// <para>
/// The header arrives in cleartext before anything else, the TLS handshake included, so call
/// <c>UseProxyProtocol()</c> <b>before</b> <c>UseHttps()</c>: connection middleware runs in the order it is
/// registered. Calling it after <c>UseHttps()</c>, or twice on one endpoint, throws
/// <see cref="InvalidOperationException"/>.
/// </para>
/// <para>
/// When Kestrel binds the endpoint, an endpoint that also serves HTTP/3 fails (QUIC carries no header; see
/// <see cref="ProxyProtocolOptions.AllowHttp3WithoutHeader"/>), and an endpoint that trusts every source logs a
/// Warning (see <see cref="ProxyProtocolOptions.TrustedProxies"/>). Rejected connections are logged at Debug under
/// the category <c>ProxyProtocol.AspNetCore.ProxyProtocolConnectionMiddleware</c>, summed up in a Warning at most
/// once a minute per endpoint and reason, and counted by the meter <c>ProxyProtocol.AspNetCore</c>.
/// </para>
/// </remarks>
public static class ListenOptionsProxyProtocolExtensions
{
    // The endpoints UseProxyProtocol() was called on, to refuse a second call (ConfigureEndpointDefaults plus a
    // per-endpoint call is the usual way to get one): two middlewares would read the request as a header.
    private static readonly ConditionalWeakTable<ListenOptions, object> s_registered = new();

    /// <summary>
    /// Requires every connection to this endpoint to start with a PROXY header, with the
    /// <see cref="ProxyProtocolOptions"/> configured in DI (<c>services.AddProxyProtocol(...)</c> or
    /// <c>services.Configure&lt;ProxyProtocolOptions&gt;(...)</c>), or the defaults when none are.
    /// </summary>
    /// <param name="listenOptions">The endpoint.</param>
    /// <returns>The <see cref="ListenOptions"/>, for chaining (for example <c>.UseHttps()</c>).</returns>
    /// <exception cref="InvalidOperationException"><c>UseHttps()</c> or <c>UseProxyProtocol()</c> was already called on
    /// this endpoint.</exception>
    public static ListenOptions UseProxyProtocol(this ListenOptions listenOptions)
    {
        ArgumentNullException.ThrowIfNull(listenOptions);
        return listenOptions.UseProxyProtocol(GetConfiguredOptions(listenOptions));
    }

    /// <summary>
    /// Reads a PROXY header at the start of every connection to this endpoint, with the options configured in DI
    /// (or the defaults) changed for this endpoint by a callback.
    /// </summary>
    /// <param name="listenOptions">The endpoint.</param>
    /// <param name="configureOptions">Changes this endpoint's copy of the options, for example its trusted proxies.</param>
    /// <returns>The <see cref="ListenOptions"/>, for chaining.</returns>
    /// <exception cref="InvalidOperationException"><c>UseHttps()</c> or <c>UseProxyProtocol()</c> was already called on
    /// this endpoint.</exception>
    public static ListenOptions UseProxyProtocol(this ListenOptions listenOptions, Action<ProxyProtocolOptions> configureOptions)
    {
        ArgumentNullException.ThrowIfNull(listenOptions);
        ArgumentNullException.ThrowIfNull(configureOptions);
        ProxyProtocolOptions options = GetConfiguredOptions(listenOptions);
        configureOptions(options);
        return listenOptions.UseProxyProtocol(options);
    }

    /// <summary>Reads a PROXY header at the start of every connection to this endpoint, with exactly these options.</summary>
    /// <param name="listenOptions">The endpoint.</param>
    /// <param name="options">The options; they are read when Kestrel binds the endpoint.</param>
    /// <returns>The <see cref="ListenOptions"/>, for chaining.</returns>
    /// <exception cref="InvalidOperationException"><c>UseHttps()</c> or <c>UseProxyProtocol()</c> was already called on
    /// this endpoint.</exception>
    public static ListenOptions UseProxyProtocol(this ListenOptions listenOptions, ProxyProtocolOptions options)
    {
        ArgumentNullException.ThrowIfNull(listenOptions);
        ArgumentNullException.ThrowIfNull(options);

        if (HasTls(listenOptions))
        {
            throw new InvalidOperationException(
                $"UseProxyProtocol() was called after UseHttps() on the endpoint {listenOptions}. The PROXY header arrives in " +
                "cleartext before the TLS handshake, so it must be read first: swap the two calls, as in " +
                "listenOptions.UseProxyProtocol().UseHttps(...).");
        }

        if (!s_registered.TryAdd(listenOptions, options))
        {
            throw new InvalidOperationException(
                $"UseProxyProtocol() was called twice on the endpoint {listenOptions}; the second middleware would read each " +
                "request as a PROXY header and close every connection. Call it once per endpoint: either in " +
                "ConfigureEndpointDefaults (every endpoint) or on the endpoints that need it. For options that differ per " +
                "endpoint, call UseProxyProtocol(o => ...) on each endpoint instead of in ConfigureEndpointDefaults.");
        }

        return AddMiddleware(listenOptions, options);
    }

    /// <summary>Adds the middleware without the registration checks (tests use it to stand for a check that was missed).</summary>
    internal static ListenOptions AddMiddleware(ListenOptions listenOptions, ProxyProtocolOptions options)
    {
        // The host's services, as UseHttps() and UseConnectionLogging() use them; absent outside a host.
        IServiceProvider? services = listenOptions.ApplicationServices;
        ILogger logger = (services?.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger<ProxyProtocolConnectionMiddleware>();
        var metrics = new ProxyProtocolMetrics(services?.GetService<IMeterFactory>());

        listenOptions.Use(next =>
        {
            // Runs when Kestrel binds, after every Use...() call: only now are the endpoint's TLS, protocols and the
            // middleware after this one final.
            ProxyProtocolOptionsValidation.ThrowIfInvalid(options, listenOptions.ToString());
            EndpointBinding endpoint = Bind(listenOptions, options, next, logger);
            return new ProxyProtocolConnectionMiddleware(next, options, endpoint, logger, metrics).OnConnectionAsync;
        });

        return listenOptions;
    }

    /// <summary>A copy of the options configured in DI, or new defaults outside a host or when none are configured.</summary>
    private static ProxyProtocolOptions GetConfiguredOptions(ListenOptions listenOptions) =>
        listenOptions.ApplicationServices?.GetService<IOptions<ProxyProtocolOptions>>()?.Value.Clone() ?? new ProxyProtocolOptions();

    /// <summary>The checks and decisions that need the endpoint's final configuration.</summary>
    private static EndpointBinding Bind(ListenOptions listenOptions, ProxyProtocolOptions options, ConnectionDelegate next, ILogger logger)
    {
        string name = listenOptions.ToString() ?? "the endpoint";
        bool tls = HasTls(listenOptions);
        HttpProtocols protocols = listenOptions.Protocols;

        // Kestrel binds QUIC only for TLS endpoints; there, HTTP/3 connections would never see this middleware.
        if (tls && (protocols & HttpProtocols.Http3) != 0)
        {
            if (!options.AllowHttp3WithoutHeader)
            {
                throw new InvalidOperationException(
                    $"The endpoint {name} serves HTTP/3 ({protocols}), whose QUIC connections carry no PROXY header and would bypass " +
                    "UseProxyProtocol() and its TrustedProxies: the socket's address would be taken as the client's. Set the " +
                    "endpoint's Protocols to Http1AndHttp2 (\"Protocols\": \"Http1AndHttp2\" in Kestrel's configuration), or set " +
                    "ProxyProtocolOptions.AllowHttp3WithoutHeader = true to serve HTTP/3 without the header on purpose.");
            }

            ProxyProtocolLog.Http3WithoutHeader(logger, name);
        }

        if (options.TrustedProxies.Count == 0 && !options.TrustAnySource)
        {
            ProxyProtocolLog.TrustingAnySource(logger, name);
        }

        bool bothVersions = (protocols & HttpProtocols.Http1AndHttp2) == HttpProtocols.Http1AndHttp2;
        bool detect = false;
        if (!tls && bothVersions)
        {
            (detect, string reason) = options.DetectHttp2Preface switch
            {
                Http2PrefaceDetection.Enabled => (true, "DetectHttp2Preface = Enabled"),
                Http2PrefaceDetection.Disabled => (false, "DetectHttp2Preface = Disabled"),
                _ => NextMiddleware.IsConnectionHandler(next)
                    ? (false, $"the next middleware, {NextMiddleware.Describe(next)}, is a connection handler that may speak first")
                    : (true, $"the next middleware, {NextMiddleware.Describe(next)}, hands connections to Kestrel's HTTP layer"),
            };
            ProxyProtocolLog.Http2Detection(logger, name, detect ? "on" : "off", reason);
        }

        return new EndpointBinding(
            name,
            DetectHttp2Preface: detect,
            Http2Only: (protocols & HttpProtocols.Http1AndHttp2) == HttpProtocols.Http2,
            HttpsFromHeader: options.HttpsFromHeader && !tls);
    }

    /// <summary>
    /// Whether <c>UseHttps()</c> was called on the endpoint. <c>ListenOptions.IsTls</c> is internal; its public
    /// trace is the display name, whose scheme every <c>UseHttps()</c> overload turns to <c>https</c> at once.
    /// </summary>
    private static bool HasTls(ListenOptions listenOptions) =>
        listenOptions.ToString()?.StartsWith("https:", StringComparison.OrdinalIgnoreCase) == true;
}
