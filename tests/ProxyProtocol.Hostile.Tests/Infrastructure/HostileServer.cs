using System;
using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ProxyProtocol.AspNetCore;

namespace ProxyProtocol.Hostile.Tests.Infrastructure;

/// <summary>
/// Kestrel with <c>UseProxyProtocol()</c> on a loopback port chosen by the OS. Its one endpoint echoes what the
/// application sees of the connection, one <c>key=value</c> per line: <c>remote</c> is
/// <c>RemoteIpAddress:RemotePort</c>, the value a client compares with the source it put in its header.
/// </summary>
public sealed class HostileServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private HostileServer(WebApplication app, LogCollector logs, ConnectionTracker connections, IPEndPoint endPoint)
    {
        _app = app;
        Logs = logs;
        Connections = connections;
        EndPoint = endPoint;
        MemoryPool = new MemoryPoolMeter(app.Services.GetRequiredService<IMeterFactory>());
    }

    public LogCollector Logs { get; }

    /// <summary>Every connection Kestrel accepted, to wait until it has let go of them all.</summary>
    public ConnectionTracker Connections { get; }

    public IPEndPoint EndPoint { get; }

    /// <summary>Kestrel's block pool, as its own metrics tell it.</summary>
    public MemoryPoolMeter MemoryPool { get; }

    public static Task<HostileServer> StartAsync(Action<ProxyProtocolOptions> configure) => StartAsync(IPAddress.Loopback, configure);

    public static async Task<HostileServer> StartAsync(IPAddress address, Action<ProxyProtocolOptions> configure)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        var logs = new LogCollector();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        // Warnings and errors from everyone; the middleware's events (Trace for accepted headers) to count them.
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter(LogCollector.MiddlewareCategory, LogLevel.Trace);
        var connections = new ConnectionTracker();
        ListenOptions? listen = null;
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(address, 0, options =>
        {
            listen = options;
            options.Use(next => connection =>
            {
                connections.Track(connection);
                return next(connection);
            });
            options.UseProxyProtocol(configure);
        }));

        WebApplication app = builder.Build();
        app.MapGet("/", async (HttpContext context) =>
        {
            ConnectionInfo connection = context.Connection;
            IProxyProtocolFeature? proxy = context.Features.Get<IProxyProtocolFeature>();
            var text = new StringBuilder()
                .Append("remote=").Append(connection.RemoteIpAddress).Append(':').Append(connection.RemotePort).Append('\n')
                .Append("feature=").Append(proxy is not null).Append('\n')
                .Append("source=").Append(proxy?.SourceEndPoint).Append('\n');
            if (proxy is not null)
            {
                int tlvs = 0;
                foreach (ProxyTlv tlv in proxy.Tlvs)
                {
                    tlvs++;
                }

                text.Append("tlvs=").Append(tlvs).Append('\n');
                if (proxy.Ssl is { } ssl)
                {
                    text.Append("ssl.version=").Append(ssl.Version).Append('\n');
                }
            }

            // With a Content-Length, raw clients read the body without decoding chunks.
            byte[] body = Encoding.UTF8.GetBytes(text.ToString());
            context.Response.ContentType = "text/plain";
            context.Response.ContentLength = body.Length;
            await context.Response.Body.WriteAsync(body);
        });
        await app.StartAsync();
        return new HostileServer(app, logs, connections, new IPEndPoint(address, listen!.IPEndPoint!.Port));
    }

    public async ValueTask DisposeAsync()
    {
        MemoryPool.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
