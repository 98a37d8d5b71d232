using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Text;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using ProxyProtocol.AspNetCore;

namespace ProxyProtocol.Interop.Tests.Infrastructure;

/// <summary>What a connection looked like right after <c>UseProxyProtocol()</c> accepted it.</summary>
/// <param name="Header">The header, or <see langword="null"/> when the connection had none.</param>
/// <param name="RemoteEndPoint">The connection's remote endpoint as the app sees it.</param>
/// <param name="TransportRemoteEndPoint">The socket's own peer (the balancer).</param>
internal sealed record ObservedConnection(ProxyHeader? Header, EndPoint? RemoteEndPoint, EndPoint? TransportRemoteEndPoint);

/// <summary>
/// Kestrel on 127.0.0.1:0 or [::1]:0 with <c>UseProxyProtocol()</c>. <c>GET /</c> describes the connection as the
/// application sees it (one <c>key=value</c> per line), <c>GET /health</c> answers "ok" for health checks, and
/// every accepted connection is recorded, requests or not (health checks may send none).
/// </summary>
internal sealed class KestrelBackend : IAsyncDisposable
{
    private readonly Arrivals<ObservedConnection> _arrivals = new();
    private readonly ConcurrentQueue<string> _log = new();
    private WebApplication? _app;

    private KestrelBackend()
    {
    }

    public IPEndPoint EndPoint { get; private set; } = null!;

    /// <summary>The middleware's log lines (Trace and up) and everything else at Warning and up.</summary>
    public IEnumerable<string> Log => _log;

    public static async Task<KestrelBackend> StartAsync(InteropScope scope, IPAddress address, Action<ProxyProtocolOptions>? configure = null, Action<KestrelServerOptions>? configureKestrel = null)
    {
        var backend = new KestrelBackend();
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new QueueLoggerProvider(backend._log));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("ProxyProtocol", LogLevel.Trace);
        ListenOptions? listen = null;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            configureKestrel?.Invoke(kestrel);
            kestrel.Listen(address, 0, options =>
            {
                listen = options;
                options.UseProxyProtocol(o => configure?.Invoke(o));
                options.Use(next => connection =>
                {
                    backend._arrivals.Add(new ObservedConnection(
                        connection.Features.Get<IProxyProtocolFeature>()?.Header,
                        connection.RemoteEndPoint,
                        connection.Features.Get<IProxyProtocolFeature>()?.TransportRemoteEndPoint));
                    return next(connection);
                });
            });
        });

        WebApplication app = builder.Build();
        app.MapGet("/", (HttpContext context) => Describe(context));
        app.MapGet("/health", () => "ok\n");
        await app.StartAsync();
        backend._app = app;
        backend.EndPoint = listen!.IPEndPoint!;
        return scope.Track(backend, $"kestrel {backend.EndPoint}", () => string.Join('\n', backend._log));
    }

    /// <summary>The first accepted connection, since the start, that <paramref name="match"/> accepts.</summary>
    public Task<ObservedConnection> WaitForConnectionAsync(Func<ObservedConnection, bool> match) => _arrivals.WaitForAsync(match);

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    /// <summary>The connection as the application sees it: <c>HttpContext.Connection</c> and <see cref="IProxyProtocolFeature"/>.</summary>
    private static string Describe(HttpContext context)
    {
        var text = new StringBuilder();
        ConnectionInfo connection = context.Connection;
        Add("remote", new IPEndPoint(connection.RemoteIpAddress!, connection.RemotePort).ToString());
        Add("local", new IPEndPoint(connection.LocalIpAddress!, connection.LocalPort).ToString());
        Add("protocol", context.Request.Protocol);
        Add("scheme", context.Request.Scheme);
        Add("https", context.Request.IsHttps.ToString());
        IProxyProtocolFeature? proxy = context.Features.Get<IProxyProtocolFeature>();
        Add("feature", (proxy is not null).ToString());
        if (proxy is not null)
        {
            Add("version", proxy.Header.Version.ToString());
            Add("command", proxy.Header.Command.ToString());
            Add("transportRemote", proxy.TransportRemoteEndPoint?.ToString());
            Add("alpn", proxy.Alpn);
            Add("authority", proxy.Authority);
            Add("uniqueId", Encoding.UTF8.GetString(proxy.UniqueId.Span));
            if (proxy.Ssl is { } ssl)
            {
                Add("ssl.client", ssl.Client.ToString());
                Add("ssl.verify", ssl.Verify.ToString(CultureInfo.InvariantCulture));
                Add("ssl.verified", ssl.IsClientCertificateVerified.ToString());
                Add("ssl.version", ssl.Version);
                Add("ssl.cn", ssl.CommonName);
                Add("ssl.cipher", ssl.Cipher);
                Add("ssl.sigalg", ssl.SignatureAlgorithm);
                Add("ssl.keyalg", ssl.KeyAlgorithm);
            }

            var types = new List<string>();
            foreach (ProxyTlv tlv in proxy.Tlvs)
            {
                types.Add(((byte)tlv.Type).ToString("X2", CultureInfo.InvariantCulture));
            }

            Add("tlvs", string.Join(',', types));
            Add("tlvBytes", Convert.ToHexString(proxy.ReceivedHeader.TlvBytes.Span));
        }

        return text.ToString();

        void Add(string key, string? value) => text.Append(key).Append('=').Append(value).Append('\n');
    }
}
