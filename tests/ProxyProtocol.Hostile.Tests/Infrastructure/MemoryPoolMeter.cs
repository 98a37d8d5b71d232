using System;
using System.Diagnostics.Metrics;
using System.Threading;

namespace ProxyProtocol.Hostile.Tests.Infrastructure;

/// <summary>
/// Kestrel's own account of its pinned block pool (meter <c>Microsoft.AspNetCore.MemoryPool</c>, .NET 10), for one
/// host: how many bytes of blocks sit in the pool ready for reuse, and how many it allocated and evicted.
/// </summary>
/// <remarks>
/// The pool grows to the most blocks in use at once and, since .NET 10, evicts idle blocks every 10 seconds or so,
/// so its size at any moment depends on timing. Pinned-heap growth that the pool reports as pooled is reserve, not
/// memory a connection kept. Counts start when the listener starts; only differences are meaningful.
/// </remarks>
public sealed class MemoryPoolMeter : IDisposable
{
    private const string MeterName = "Microsoft.AspNetCore.MemoryPool";

    private readonly MeterListener _listener = new();
    private long _pooled;
    private long _allocated;
    private long _evicted;

    public MemoryPoolMeter(IMeterFactory scope)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == MeterName && ReferenceEquals(instrument.Meter.Scope, scope))
            {
                listener.EnableMeasurementEvents(instrument, this);
            }
        };
        _listener.SetMeasurementEventCallback<long>(static (instrument, value, _, state) => ((MemoryPoolMeter)state!).Add(instrument.Name, value));
        _listener.Start();
    }

    /// <summary>Bytes in the pool, ready for reuse (relative to when the listener started).</summary>
    public long Pooled => Interlocked.Read(ref _pooled);

    public long Allocated => Interlocked.Read(ref _allocated);

    public long Evicted => Interlocked.Read(ref _evicted);

    public void Dispose() => _listener.Dispose();

    private void Add(string instrument, long value)
    {
        switch (instrument)
        {
            case "aspnetcore.memory_pool.pooled":
                Interlocked.Add(ref _pooled, value);
                break;
            case "aspnetcore.memory_pool.allocated":
                Interlocked.Add(ref _allocated, value);
                break;
            case "aspnetcore.memory_pool.evicted":
                Interlocked.Add(ref _evicted, value);
                break;
        }
    }
}
