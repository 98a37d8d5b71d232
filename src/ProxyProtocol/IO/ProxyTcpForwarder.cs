using System;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace ProxyProtocol;

/// <summary>
/// A TCP forwarder that tells its backend who the client is: it accepts connections (optionally reading a PROXY
/// header from a trusted balancer in front), connects to the backend, sends a header naming the client, and
/// relays bytes both ways until both sides are done.
/// </summary>
/// <remarks>
/// <para>
/// For custom TCP servers and L4 proxies in front of backends that require a header (nginx
/// <c>listen ... proxy_protocol</c>, HAProxy <c>accept-proxy</c>, Postfix, Dovecot). Each direction is relayed
/// through a <see cref="System.IO.Pipelines.PipeReader"/> with at most
/// <see cref="ProxyTcpForwarderOptions.BufferSize"/> bytes in flight: nothing more is read from one side until the
/// other has taken it. A side that finishes sending (TCP FIN) is half-closed on the other side, so protocols
/// that signal the end of a request by shutting down their sending side work; the connection ends when both
/// directions are done, on an error of either side, or after <see cref="ProxyTcpForwarderOptions.IdleTimeout"/>.
/// </para>
/// <code>
/// await using var forwarder = new ProxyTcpForwarder(new ProxyTcpForwarderOptions(new DnsEndPoint("backend", 25)));
/// forwarder.Start(new IPEndPoint(IPAddress.Any, 2525));
/// </code>
/// <para>
/// <see cref="ForwardAsync"/> handles one accepted socket, for servers that run their own accept loop.
/// </para>
/// </remarks>
public sealed partial class ProxyTcpForwarder : IAsyncDisposable
{
    private readonly ProxyTcpForwarderOptions _options;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<long, Task> _connections = new();
    private Socket? _listener;
    private Task _acceptLoop = Task.CompletedTask;
    private long _nextId;

    /// <summary>Creates a forwarder; <see cref="Start"/> starts it.</summary>
    /// <param name="options">Where to forward and how.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    public ProxyTcpForwarder(ProxyTcpForwarderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    /// <summary>The address and port the forwarder listens on (the real port when started on port 0); <see langword="null"/> before <see cref="Start"/>.</summary>
    public IPEndPoint? LocalEndPoint { get; private set; }

    /// <summary>The connections being forwarded now.</summary>
    public int ActiveConnections => _connections.Count;

    /// <summary>Binds <paramref name="endPoint"/> and starts accepting connections in the background.</summary>
    /// <param name="endPoint">Where to listen; port 0 picks a free port (read it from <see cref="LocalEndPoint"/>). <see cref="IPAddress.IPv6Any"/> also accepts IPv4.</param>
    /// <exception cref="ArgumentNullException"><paramref name="endPoint"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">The forwarder was already started.</exception>
    /// <exception cref="ObjectDisposedException">The forwarder was disposed.</exception>
    /// <exception cref="SocketException">The address cannot be bound.</exception>
    public void Start(IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
        if (_listener is not null)
        {
            throw new InvalidOperationException("The forwarder is already started.");
        }

        var listener = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endPoint.Address.Equals(IPAddress.IPv6Any))
            {
                listener.DualMode = true;
            }

            listener.Bind(endPoint);
            listener.Listen(512);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        _listener = listener;
        LocalEndPoint = (IPEndPoint)listener.LocalEndPoint!;
        _acceptLoop = AcceptLoopAsync(listener);
    }

    /// <summary>Stops accepting, closes the connections in progress, and waits for them to end.</summary>
    /// <returns>A task that completes when every connection has ended.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        _listener?.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        await Task.WhenAll(_connections.Values).ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException || (e is SocketException && _stop.IsCancellationRequested))
            {
                return;
            }
            catch (SocketException)
            {
                // A connection reset while in the backlog, or a transient resource shortage: keep accepting.
                continue;
            }

            long id = Interlocked.Increment(ref _nextId);
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _connections[id] = started.Task;
            _ = RunAsync(id, client, started);
        }
    }

    private async Task RunAsync(long id, Socket client, TaskCompletionSource done)
    {
        try
        {
            await ForwardAsync(client, _options, _stop.Token).ConfigureAwait(false);
        }
        finally
        {
            _connections.TryRemove(id, out _);
            done.TrySetResult();
        }
    }
}
