using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using ProxyProtocol.AspNetCore;
using ProxyProtocol.Interop.Tests.Infrastructure;

namespace ProxyProtocol.Yarp.Tests.Infrastructure;

/// <summary>One destination connection as the backend saw it: the header it started with and the requests on it.</summary>
internal sealed class BackendConnection(string id, ReceivedProxyHeader? header)
{
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Id { get; } = id;

    /// <summary>The PROXY header that opened the connection, with its TLVs, or <see langword="null"/> when it had none.</summary>
    public ReceivedProxyHeader? Received { get; } = header;

    /// <summary>The parsed header, or <see langword="null"/> when the connection had none.</summary>
    public ProxyHeader? Header => Received?.Header;

    /// <summary>The <c>X-Client</c> value of every request that arrived on it, in order.</summary>
    public ConcurrentQueue<string> Clients { get; } = new();

    public Task Closed => _closed.Task;

    public void MarkClosed() => _closed.TrySetResult();
}

/// <summary>
/// Kestrel with <c>UseProxyProtocol()</c> (header required) as a YARP destination, HTTP/1.1 or HTTP/2 without TLS.
/// It records every connection with its header and the <c>X-Client</c> header of each request on it, and answers
/// each request with the connection's header source.
/// </summary>
internal sealed class RecordingBackend : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, BackendConnection> _connections = new();
    private readonly Arrivals<BackendConnection> _arrivals = new();
    private WebApplication? _app;

    public IPEndPoint EndPoint { get; private set; } = null!;

    public IReadOnlyCollection<BackendConnection> Connections => _connections.Values.ToArray();

    public static async Task<RecordingBackend> StartAsync(InteropScope scope, HttpProtocols protocols)
    {
        var backend = new RecordingBackend();
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        ListenOptions? listen = null;
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, options =>
        {
            listen = options;
            options.Protocols = protocols;
            options.UseProxyProtocol();
            options.Use(next => async connection =>
            {
                BackendConnection seen = backend._connections.GetOrAdd(
                    connection.ConnectionId,
                    id => new BackendConnection(id, connection.Features.Get<IProxyProtocolFeature>()?.ReceivedHeader));
                backend._arrivals.Add(seen);
                try
                {
                    await next(connection);
                }
                finally
                {
                    seen.MarkClosed();
                }
            });
        }));

        WebApplication app = builder.Build();
        app.Run(context =>
        {
            BackendConnection connection = backend._connections[context.Connection.Id];
            connection.Clients.Enqueue(context.Request.Headers["X-Client"].ToString());
            return context.Response.WriteAsync($"{connection.Header?.GetSourceEndPoint()}\n");
        });
        await app.StartAsync();
        backend._app = app;
        backend.EndPoint = listen!.IPEndPoint!;
        return scope.Track(backend, $"backend {backend.EndPoint}", () => string.Join('\n', backend.Connections.Select(c => $"{c.Id} {c.Header} [{string.Join(',', c.Clients)}]")));
    }

    /// <summary>The first connection since the start that <paramref name="match"/> accepts (one reader at a time).</summary>
    public Task<BackendConnection> WaitForConnectionAsync(Func<BackendConnection, bool> match) => _arrivals.WaitForAsync(match);

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
