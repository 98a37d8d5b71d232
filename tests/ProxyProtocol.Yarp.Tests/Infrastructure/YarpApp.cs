using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ProxyProtocol.Interop.Tests.Infrastructure;

namespace ProxyProtocol.Yarp.Tests.Infrastructure;

/// <summary>
/// A YARP app as a user writes it: <c>AddReverseProxy().LoadFromConfig(...).AddProxyProtocol()</c>, one catch-all
/// route to cluster <c>c1</c> configured through <see cref="IConfiguration"/> (the appsettings.json path), Kestrel
/// on port 0 of each given address, optionally with <c>UseProxyProtocol()</c> for a balancer in front.
/// </summary>
internal sealed class YarpApp : IAsyncDisposable
{
    private readonly ConcurrentQueue<string> _log = new();
    private WebApplication? _app;

    public IReadOnlyList<IPEndPoint> EndPoints { get; private set; } = [];

    public IServiceProvider Services => _app!.Services;

    /// <summary>Starts the app.</summary>
    /// <param name="cluster">Settings under <c>ReverseProxy:Clusters:c1</c>, for example <c>Metadata:ProxyProtocol</c>.</param>
    public static async Task<YarpApp> StartAsync(
        InteropScope scope,
        IReadOnlyDictionary<string, string?> cluster,
        IPAddress[]? listen = null,
        bool acceptProxyProtocol = false,
        Action<ProxyProtocolForwarderOptions>? configure = null,
        HttpProtocols protocols = HttpProtocols.Http1,
        Action<ListenOptions>? configureListen = null)
    {
        var yarp = new YarpApp();
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new QueueLoggerProvider(yarp._log));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("ProxyProtocol", LogLevel.Debug);
        var settings = new Dictionary<string, string?>
        {
            ["ReverseProxy:Routes:r1:ClusterId"] = "c1",
            ["ReverseProxy:Routes:r1:Match:Path"] = "{**catch-all}",
        };
        foreach ((string key, string? value) in cluster)
        {
            settings["ReverseProxy:Clusters:c1:" + key] = value;
        }

        builder.Configuration.AddInMemoryCollection(settings);
        var listeners = new List<ListenOptions>();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            foreach (IPAddress address in listen ?? [IPAddress.Loopback])
            {
                kestrel.Listen(address, 0, options =>
                {
                    listeners.Add(options);
                    options.Protocols = protocols;
                    if (acceptProxyProtocol)
                    {
                        options.UseProxyProtocol();
                    }

                    configureListen?.Invoke(options);
                });
            }
        });
        IReverseProxyBuilder proxy = builder.Services.AddReverseProxy().LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"));
        if (configure is null)
        {
            proxy.AddProxyProtocol();
        }
        else
        {
            proxy.AddProxyProtocol(configure);
        }

        WebApplication app = builder.Build();
        app.MapReverseProxy();
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        yarp._app = app;
        yarp.EndPoints = listeners.Select(l => l.IPEndPoint!).ToArray();
        return scope.Track(yarp, $"yarp {string.Join(' ', yarp.EndPoints)}", () => string.Join('\n', yarp._log));
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
