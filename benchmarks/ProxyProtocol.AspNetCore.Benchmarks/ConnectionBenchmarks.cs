using System;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace ProxyProtocol.AspNetCore.Benchmarks;

/// <summary>
/// Connections per second of a minimal Kestrel app over loopback, with and without <c>UseProxyProtocol()</c>.
/// Each operation is one connection: connect, send (header and) one request in one write, read the response
/// until the server closes, close.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Config))]
public class ConnectionBenchmarks
{
    private const int ConnectionsPerInvoke = 64;
    private const int Concurrency = 4;

    private static readonly byte[] s_request = "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"u8.ToArray();
    private static readonly byte[] s_body = "ok"u8.ToArray();
    private static readonly byte[] s_proxiedRequest = [.. "PROXY TCP4 203.0.113.7 198.51.100.9 4242 443\r\n"u8, .. s_request];

    private WebApplication? _plain;
    private WebApplication? _proxied;
    private WebApplication? _awaiting;
    private IPEndPoint? _plainEndPoint;
    private IPEndPoint? _proxiedEndPoint;
    private IPEndPoint? _awaitingEndPoint;

    private sealed class Config : ManualConfig
    {
        public Config() => AddColumn(new ConnectionsPerSecondColumn());
    }

    [GlobalSetup]
    public void Setup()
    {
        (_plain, _plainEndPoint) = Start(static _ => { });
        (_proxied, _proxiedEndPoint) = Start(static listenOptions => listenOptions.UseProxyProtocol());
        (_awaiting, _awaitingEndPoint) = Start(static listenOptions => listenOptions.Use(next => async context =>
        {
            // The shape of any connection middleware that reads first: one await, nothing consumed.
            System.IO.Pipelines.ReadResult result = await context.Transport.Input.ReadAsync();
            context.Transport.Input.AdvanceTo(result.Buffer.Start);
            await next(context);
        }));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        // Disposing (not only stopping) releases the hosts' configuration file watchers: in-process runs
        // start many hosts in one process.
        foreach (WebApplication? app in new[] { _plain, _proxied, _awaiting })
        {
            if (app is not null)
            {
                app.StopAsync().GetAwaiter().GetResult();
                app.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = ConnectionsPerInvoke)]
    public Task Plain() => RunAsync(_plainEndPoint!, s_request);

    [Benchmark(OperationsPerInvoke = ConnectionsPerInvoke)]
    public Task WithProxyProtocol() => RunAsync(_proxiedEndPoint!, s_proxiedRequest);

    /// <summary>A reference point: a connection middleware that only awaits the first bytes, then goes on.</summary>
    [Benchmark(OperationsPerInvoke = ConnectionsPerInvoke)]
    public Task WithAwaitOnlyMiddleware() => RunAsync(_awaitingEndPoint!, s_request);

    private static (WebApplication App, IPEndPoint EndPoint) Start(Action<ListenOptions> configure)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        ListenOptions? captured = null;
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listenOptions =>
        {
            captured = listenOptions;
            configure(listenOptions);
        }));
        WebApplication app = builder.Build();
        app.Run(static context =>
        {
            context.Response.ContentLength = 2;
            return context.Response.Body.WriteAsync(s_body).AsTask();
        });
        app.StartAsync().GetAwaiter().GetResult();
        return (app, captured!.IPEndPoint!);
    }

    private static Task RunAsync(IPEndPoint server, byte[] request) =>
        Task.WhenAll(Enumerable.Range(0, Concurrency).Select(_ => ClientAsync(server, request, ConnectionsPerInvoke / Concurrency)));

    private static async Task ClientAsync(IPEndPoint server, byte[] request, int connections)
    {
        byte[] buffer = new byte[1024];
        for (int i = 0; i < connections; i++)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await socket.ConnectAsync(server, timeout.Token);
            await socket.SendAsync(request, SocketFlags.None, timeout.Token);
            int total = 0;
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0)
            {
                total += read;
            }

            if (total < 40)
            {
                throw new InvalidOperationException("The server closed the connection without a full response.");
            }
        }
    }
}
