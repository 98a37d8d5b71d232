using System;
using System.Collections.Concurrent;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ProxyProtocol.Yarp.Internal;

/// <summary>
/// The handler of a cluster that sends PROXY headers: gives each inbound client connection its own
/// <see cref="SocketsHttpHandler"/>, so its own destination connections whose header describes it, and disposes
/// them when the client connection closes.
/// </summary>
/// <remarks>
/// A header describes a connection, and a <see cref="SocketsHttpHandler"/> pools connections by destination
/// only: one shared handler would carry one client's requests on a connection announced for another (RX-07).
/// Requests that come from no client connection (YARP's active health probes) use the shared handler, whose
/// connections start with <c>PROXY UNKNOWN</c> (v1) or a LOCAL header (v2), as HAProxy's health checks do.
/// </remarks>
internal sealed partial class PerClientHandler : HttpMessageHandler
{
    private readonly string _clusterId;
    private readonly ProxyProtocolClusterOptions _options;
    private readonly HttpMessageInvoker _unattributed;
    private readonly Func<ReadOnlyMemory<byte>, Action, SocketsHttpHandler> _createHandler;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, ClientEntry> _clients = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private bool _disposed;

    public PerClientHandler(string clusterId, ProxyProtocolClusterOptions options, HttpMessageHandler unattributed, Func<ReadOnlyMemory<byte>, Action, SocketsHttpHandler> createHandler, ILogger logger)
    {
        _clusterId = clusterId;
        _options = options;
        _unattributed = new HttpMessageInvoker(unattributed, disposeHandler: true);
        _createHandler = createHandler;
        _logger = logger;
    }

    /// <summary>The client connections that have destination handlers now (for tests and diagnostics).</summary>
    internal int ClientCount => _clients.Count;

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!request.Options.TryGetValue(InboundContext.Key, out HttpContext? context))
        {
            return _unattributed.SendAsync(request, cancellationToken);
        }

        return GetClient(context).Invoker.SendAsync(request, cancellationToken);
    }

    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!request.Options.TryGetValue(InboundContext.Key, out HttpContext? context))
        {
            return _unattributed.Send(request, cancellationToken);
        }

        return GetClient(context).Invoker.Send(request, cancellationToken);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            lock (_gate)
            {
                _disposed = true;
            }

            foreach (ClientEntry entry in _clients.Values)
            {
                Close(entry);
            }

            _unattributed.Dispose();
        }

        base.Dispose(disposing);
    }

    private ClientEntry GetClient(HttpContext context)
    {
        string id = context.Connection.Id;
        if (_clients.TryGetValue(id, out ClientEntry? entry))
        {
            return entry;
        }

        // Without a close notification a client's destination connections could not be closed with it.
        IConnectionLifetimeFeature? lifetime = context.Features.Get<IConnectionLifetimeFeature>();
        if (lifetime is null || !lifetime.ConnectionClosed.CanBeCanceled)
        {
            throw new InvalidOperationException($"Cluster '{_clusterId}' sends PROXY headers, which needs a server that reports when a client connection closes (IConnectionLifetimeFeature), such as Kestrel.");
        }

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_clients.TryGetValue(id, out entry))
            {
                return entry;
            }

            byte[] header = ClientHeaderFactory.Create(context, _options);
            entry = new ClientEntry(id, context.Connection.RemoteIpAddress?.ToString(), context.Connection.RemotePort);
            ClientEntry created = entry;
            entry.Invoker = new HttpMessageInvoker(_createHandler(header, () => Interlocked.Increment(ref created.DestinationConnections)), disposeHandler: true);
            _clients[id] = entry;
        }

        LogClientOpened(_logger, _clusterId, id, entry.Address, entry.Port);

        // Registered outside the lock: when the connection is already closed, the callback runs right here.
        entry.Registration = lifetime.ConnectionClosed.Register(static state =>
        {
            var (handler, closed) = ((PerClientHandler, ClientEntry))state!;
            handler.Close(closed);
        }, (this, entry));
        return entry;
    }

    private void Close(ClientEntry entry)
    {
        if (!_clients.TryRemove(new(entry.Id, entry)))
        {
            return;
        }

        entry.Registration.Dispose();
        entry.Invoker.Dispose(); // closes its destination connections
        LogClientClosed(_logger, _clusterId, entry.Id, Volatile.Read(ref entry.DestinationConnections));
    }

    [LoggerMessage(1, LogLevel.Debug, "Cluster '{ClusterId}': destination handler created for client connection {ConnectionId} from {Address}:{Port}.")]
    private static partial void LogClientOpened(ILogger logger, string clusterId, string connectionId, string? address, int port);

    [LoggerMessage(2, LogLevel.Debug, "Cluster '{ClusterId}': client connection {ConnectionId} closed; its {Count} destination connection(s) are closed with it.")]
    private static partial void LogClientClosed(ILogger logger, string clusterId, string connectionId, int count);

    private sealed class ClientEntry(string id, string? address, int port)
    {
        public int DestinationConnections;

        public string Id { get; } = id;

        public string? Address { get; } = address;

        public int Port { get; } = port;

        public HttpMessageInvoker Invoker { get; set; } = null!;

        public CancellationTokenRegistration Registration { get; set; }
    }
}
