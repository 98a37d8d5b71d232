using System;
using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
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
/// registered. Calling it after <c>UseHttps()</c> throws <see cref="InvalidOperationException"/>.
/// </para>
/// <para>
/// Rejected connections are logged at Debug under the category
/// <c>ProxyProtocol.AspNetCore.ProxyProtocolConnectionMiddleware</c> and counted by the meter
/// <c>ProxyProtocol.AspNetCore</c>.
/// </para>
/// </remarks>
public static class ListenOptionsProxyProtocolExtensions
{
    /// <summary>
    /// Requires every connection to this endpoint to start with a PROXY header, with the default
    /// <see cref="ProxyProtocolOptions"/>, and serves it with the client's endpoints from the header.
    /// </summary>
    /// <param name="listenOptions">The endpoint.</param>
    /// <returns>The <see cref="ListenOptions"/>, for chaining (for example <c>.UseHttps()</c>).</returns>
    /// <exception cref="InvalidOperationException"><c>UseHttps()</c> was already called on this endpoint.</exception>
    public static ListenOptions UseProxyProtocol(this ListenOptions listenOptions) =>
        listenOptions.UseProxyProtocol(new ProxyProtocolOptions());

    /// <summary>Reads a PROXY header at the start of every connection to this endpoint, configured by a callback.</summary>
    /// <param name="listenOptions">The endpoint.</param>
    /// <param name="configureOptions">Sets the options, for example the trusted proxies.</param>
    /// <returns>The <see cref="ListenOptions"/>, for chaining.</returns>
    /// <exception cref="InvalidOperationException"><c>UseHttps()</c> was already called on this endpoint.</exception>
    public static ListenOptions UseProxyProtocol(this ListenOptions listenOptions, Action<ProxyProtocolOptions> configureOptions)
    {
        ArgumentNullException.ThrowIfNull(configureOptions);
        var options = new ProxyProtocolOptions();
        configureOptions(options);
        return listenOptions.UseProxyProtocol(options);
    }

    /// <summary>Reads a PROXY header at the start of every connection to this endpoint.</summary>
    /// <param name="listenOptions">The endpoint.</param>
    /// <param name="options">The options; they are read when Kestrel binds the endpoint.</param>
    /// <returns>The <see cref="ListenOptions"/>, for chaining.</returns>
    /// <exception cref="InvalidOperationException"><c>UseHttps()</c> was already called on this endpoint.</exception>
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

        // The host's services, as UseHttps() and UseConnectionLogging() use them; absent outside a host.
        IServiceProvider? services = listenOptions.ApplicationServices;
        ILogger logger = (services?.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger<ProxyProtocolConnectionMiddleware>();
        var metrics = new ProxyProtocolMetrics(services?.GetService<IMeterFactory>());

        listenOptions.Use(next =>
        {
            // Runs when Kestrel binds, after every Use...() call: only now is the endpoint's TLS and protocol set final.
            bool alpnSelectsHttp2 = options.UseAlpnForHttp2
                && !HasTls(listenOptions)
                && (listenOptions.Protocols & HttpProtocols.Http1AndHttp2) == HttpProtocols.Http1AndHttp2;
            return new ProxyProtocolConnectionMiddleware(next, options, alpnSelectsHttp2, logger, metrics).OnConnectionAsync;
        });

        return listenOptions;
    }

    /// <summary>
    /// Whether <c>UseHttps()</c> was called on the endpoint. <c>ListenOptions.IsTls</c> is internal; its public
    /// trace is the display name, whose scheme every <c>UseHttps()</c> overload turns to <c>https</c> at once.
    /// </summary>
    private static bool HasTls(ListenOptions listenOptions) =>
        listenOptions.ToString()?.StartsWith("https:", StringComparison.OrdinalIgnoreCase) == true;
}
