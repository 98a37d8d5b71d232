using System;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ProxyProtocol.AspNetCore.Tests.Infrastructure;

/// <summary>
/// A real Kestrel server on a loopback port chosen by the OS, with one endpoint, <c>/conn</c>, that describes the
/// connection as the application sees it, one <c>key=value</c> per line.
/// </summary>
public sealed class TestServer : IAsyncDisposable
{
    private TestServer(WebApplication app, ListenOptions listenOptions, LogSink logs, MetricCollector metrics, IPAddress address)
    {
        App = app;
        ListenOptions = listenOptions;
        Logs = logs;
        Metrics = metrics;
        Address = address;
    }

    public WebApplication App { get; }

    public ListenOptions ListenOptions { get; }

    public LogSink Logs { get; }

    public MetricCollector Metrics { get; }

    public IPAddress Address { get; }

    public int Port => ListenOptions.IPEndPoint!.Port;

    public IPEndPoint EndPoint => new(Address, Port);

    public static Task<TestServer> StartAsync(Action<ListenOptions> configure) => StartAsync(IPAddress.Loopback, configure);

    public static async Task<TestServer> StartAsync(
        IPAddress address,
        Action<ListenOptions> configure,
        Action<KestrelServerOptions>? configureKestrel = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        var logs = new LogSink();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        ListenOptions? captured = null;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            configureKestrel?.Invoke(kestrel);
            kestrel.Listen(address, 0, listenOptions =>
            {
                captured = listenOptions;
                configure(listenOptions);
            });
        });

        WebApplication app = builder.Build();
        app.MapGet("/conn", async (HttpContext context) =>
        {
            // With a Content-Length, raw clients read the body without decoding chunks.
            byte[] body = Encoding.UTF8.GetBytes(Describe(context));
            context.Response.ContentType = "text/plain";
            context.Response.ContentLength = body.Length;
            await context.Response.Body.WriteAsync(body);
        });
        var metrics = new MetricCollector(app.Services.GetRequiredService<IMeterFactory>());
        await app.StartAsync();
        return new TestServer(app, captured!, logs, metrics, address);
    }

    /// <summary>What the application sees of its connection.</summary>
    public static string Describe(HttpContext context)
    {
        ConnectionInfo connection = context.Connection;
        IProxyProtocolFeature? proxy = context.Features.Get<IProxyProtocolFeature>();
        var text = new StringBuilder();
        Add("remote", $"{connection.RemoteIpAddress}:{connection.RemotePort}");
        Add("local", $"{connection.LocalIpAddress}:{connection.LocalPort}");
        Add("protocol", context.Request.Protocol);
        Add("scheme", context.Request.Scheme);
        Add("https", context.Request.IsHttps.ToString());
        Add("tls", context.Features.Get<ITlsConnectionFeature>()?.GetType().Name);
        Add("feature", (proxy is not null).ToString());
        if (proxy is not null)
        {
            Add("version", proxy.Header.Version.ToString());
            Add("command", proxy.Header.Command.ToString());
            Add("clientTls", proxy.ClientUsedTls.ToString());
            Add("source", proxy.SourceEndPoint?.ToString());
            Add("destination", proxy.DestinationEndPoint?.ToString());
            Add("transportRemote", proxy.TransportRemoteEndPoint?.ToString());
            Add("transportLocal", proxy.TransportLocalEndPoint?.ToString());
            Add("alpn", proxy.Alpn);
            Add("authority", proxy.Authority);
            Add("uniqueId", proxy.UniqueId.IsEmpty ? null : Convert.ToHexString(proxy.UniqueId.Span));
            Add("netns", proxy.NetworkNamespace);
            Add("aws", proxy.AwsVpcEndpointId);
            Add("azure", proxy.AzureLinkId?.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Add("gcp", proxy.GcpPscConnectionId?.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (proxy.Ssl is { } ssl)
            {
                Add("ssl.client", ssl.Client.ToString());
                Add("ssl.verified", ssl.IsClientCertificateVerified.ToString());
                Add("ssl.version", ssl.Version);
                Add("ssl.cn", ssl.CommonName);
                Add("ssl.cipher", ssl.Cipher);
                Add("ssl.cert", Convert.ToHexString(ssl.ClientCertificate.Span));
            }

            var types = new List<string>();
            foreach (ProxyTlv tlv in proxy.Tlvs)
            {
                types.Add(((byte)tlv.Type).ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }

            Add("tlvs", string.Join(",", types));
        }

        return text.ToString();

        void Add(string key, string? value) => text.Append(key).Append('=').Append(value).Append('\n');
    }

    public async ValueTask DisposeAsync()
    {
        Metrics.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
