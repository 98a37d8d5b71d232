using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Connections;

namespace ProxyProtocol.Hostile.Tests.Infrastructure;

/// <summary>
/// Weak references to every connection Kestrel handed to the pipeline, to tell when it has let go of all of them.
/// </summary>
/// <remarks>
/// A client sees the server's close before Kestrel has torn the connection down: the transport is disposed, and
/// the connection leaves Kestrel's connection manager, after the pipeline returns and after Kestrel's own
/// <c>kestrel.active_connections</c> metric has already counted it out. Kestrel signals none of that, so the
/// only way to know that no connection is still on its way out is to see each one collected.
/// </remarks>
public sealed class ConnectionTracker
{
    private readonly Lock _lock = new();
    private List<WeakReference<ConnectionContext>> _connections = [];

    public void Track(ConnectionContext connection)
    {
        lock (_lock)
        {
            _connections.Add(new WeakReference<ConnectionContext>(connection));
        }
    }

    /// <summary>
    /// Collects garbage until every tracked connection is gone, checking again every few milliseconds (a
    /// condition checked in a bounded loop, not a guess at how long the teardown takes), then forgets them.
    /// </summary>
    public async Task WaitUntilAllCollectedAsync()
    {
        using var timeout = new CancellationTokenSource(Wire.Timeout);
        while (true)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            lock (_lock)
            {
                _connections = _connections.FindAll(static w => w.TryGetTarget(out _));
                if (_connections.Count == 0)
                {
                    _connections = [];
                    return;
                }
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), timeout.Token);
        }
    }
}
