using System;
using System.Diagnostics;
using System.Net;
using System.Net.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;

namespace ProxyProtocol.Yarp.Internal;

/// <summary>
/// YARP's client factory, extended: clusters that send PROXY headers get a <see cref="PerClientHandler"/>
/// around handlers configured exactly as YARP configures its own.
/// </summary>
internal sealed class ProxyProtocolForwarderHttpClientFactory : ForwarderHttpClientFactory
{
    private static readonly byte[] s_v1Unknown = "PROXY UNKNOWN\r\n"u8.ToArray();
    private static readonly byte[] s_v2Local = CreateLocal();

    private readonly ProxyProtocolForwarderOptions _options;
    private readonly ILogger<PerClientHandler> _handlerLogger;

    public ProxyProtocolForwarderHttpClientFactory(ILogger<ForwarderHttpClientFactory> logger, ILogger<PerClientHandler> handlerLogger, IOptions<ProxyProtocolForwarderOptions> options)
        : base(logger)
    {
        _options = options.Value;
        _handlerLogger = handlerLogger;
    }

    /// <summary>The base compares only the HTTP client settings; a change of the PROXY settings alone needs a new client too.</summary>
    protected override bool CanReuseOldClient(ForwarderHttpClientContext context)
    {
        if (!base.CanReuseOldClient(context))
        {
            return false;
        }

        ProxyProtocolClusterOptions? old = _options.Resolve(context.ClusterId, context.OldMetadata);
        ProxyProtocolClusterOptions? current = _options.Resolve(context.ClusterId, context.NewMetadata);
        return old is null ? current is null : old.SameAs(current);
    }

    protected override HttpMessageHandler WrapHandler(ForwarderHttpClientContext context, HttpMessageHandler handler)
    {
        ProxyProtocolClusterOptions? options = _options.Resolve(context.ClusterId, context.NewMetadata);
        if (options is null)
        {
            return base.WrapHandler(context, handler);
        }

        if (context.NewConfig.WebProxy?.Address is not null)
        {
            // The header would describe the client to the web proxy, not to the destination.
            throw new InvalidOperationException($"Cluster '{context.ClusterId}' sends PROXY headers and uses a web proxy (HttpClient.WebProxy); the two cannot be combined.");
        }

        if (handler is not SocketsHttpHandler shared)
        {
            throw new InvalidOperationException($"Cluster '{context.ClusterId}': PROXY headers need YARP's SocketsHttpHandler.");
        }

        shared.ConnectCallback = DestinationConnectCallback.Create(options.Version == ProxyVersion.V1 ? s_v1Unknown : s_v2Local);
        return new PerClientHandler(context.ClusterId, options, shared, (header, onConnected) => CreateClientHandler(context, header, onConnected), _handlerLogger);
    }

    /// <summary>A handler set up as <see cref="ForwarderHttpClientFactory.CreateClient"/> sets up its own, which cannot be reused for this.</summary>
    private SocketsHttpHandler CreateClientHandler(ForwarderHttpClientContext context, ReadOnlyMemory<byte> header, Action onConnected)
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            ActivityHeadersPropagator = new ReverseProxyPropagator(DistributedContextPropagator.Current),
        };
        ConfigureHandler(context, handler);
        handler.ConnectCallback = DestinationConnectCallback.Create(header, onConnected);
        return handler;
    }

    private static byte[] CreateLocal()
    {
        ProxyHeader local = ProxyHeader.CreateLocal();
        byte[] bytes = new byte[ProxyHeaderWriter.GetV2Length(local)];
        ProxyHeaderWriter.WriteV2(local, bytes, out _);
        return bytes;
    }
}
