using System;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ProxyProtocol.Yarp;
using ProxyProtocol.Yarp.Internal;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Transforms;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Adds PROXY protocol headers to YARP's connections to destinations:
/// <c>builder.Services.AddReverseProxy().LoadFromConfig(...).AddProxyProtocol()</c>.
/// </summary>
/// <remarks>
/// <para>
/// Only clusters that opt in send headers: with metadata <c>"ProxyProtocol": "v2"</c> (or <c>"v1"</c>, see
/// <see cref="ProxyProtocolMetadata"/>) or in code through <see cref="ProxyProtocolForwarderOptions"/>. Each
/// header describes the inbound client connection as the server reports it, so after any
/// <c>UseProxyProtocol()</c> on the listener it names the real client of a balancer in front.
/// </para>
/// <para>
/// Destination connections of such a cluster are never shared between client connections: each client
/// connection gets its own, closed when it closes. This replaces YARP's <see cref="IForwarderHttpClientFactory"/>,
/// so it cannot be combined with <c>ConfigureHttpClient(...)</c> or another custom factory.
/// </para>
/// </remarks>
public static class ReverseProxyBuilderProxyProtocolExtensions
{
    /// <summary>Sends PROXY headers to the destinations of the clusters whose metadata enables them.</summary>
    /// <param name="builder">The reverse proxy builder.</param>
    /// <returns>The builder, to chain calls.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IReverseProxyBuilder AddProxyProtocol(this IReverseProxyBuilder builder) => builder.AddProxyProtocol(static _ => { });

    /// <summary>Sends PROXY headers to the destinations of the clusters enabled in metadata or in <paramref name="configure"/>.</summary>
    /// <param name="builder">The reverse proxy builder.</param>
    /// <param name="configure">Enables clusters in code, for example <c>o =&gt; o.EnableCluster("backend", ProxyVersion.V1)</c>.</param>
    /// <returns>The builder, to chain calls.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="configure"/> is <see langword="null"/>.</exception>
    public static IReverseProxyBuilder AddProxyProtocol(this IReverseProxyBuilder builder, Action<ProxyProtocolForwarderOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure(configure);
        builder.Services.Replace(ServiceDescriptor.Singleton<IForwarderHttpClientFactory, ProxyProtocolForwarderHttpClientFactory>());

        // Tells the destination handler which client connection each request belongs to.
        builder.AddTransforms(static context => context.AddRequestTransform(static transform =>
        {
            transform.ProxyRequest.Options.Set(InboundContext.Key, transform.HttpContext);
            return default;
        }));
        return builder;
    }
}
