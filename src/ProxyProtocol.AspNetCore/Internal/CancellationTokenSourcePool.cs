using System.Collections.Concurrent;
using System.Threading;

namespace ProxyProtocol.AspNetCore.Internal;

/// <summary>
/// Reuses the header timeout's <see cref="CancellationTokenSource"/> (and its timer) across connections, as
/// Kestrel does for its own per-request sources: a source that did not fire is reset and kept.
/// </summary>
internal sealed class CancellationTokenSourcePool
{
    private const int MaxPooled = 1024;

    private readonly ConcurrentQueue<CancellationTokenSource> _queue = new();
    private int _count;

    public CancellationTokenSource Rent()
    {
        if (_queue.TryDequeue(out CancellationTokenSource? source))
        {
            Interlocked.Decrement(ref _count);
            return source;
        }

        return new CancellationTokenSource();
    }

    public void Return(CancellationTokenSource source)
    {
        // TryReset fails once the source fired (the connection timed out): such a source is done.
        if (!source.TryReset())
        {
            source.Dispose();
            return;
        }

        if (Interlocked.Increment(ref _count) > MaxPooled)
        {
            Interlocked.Decrement(ref _count);
            source.Dispose();
            return;
        }

        _queue.Enqueue(source);
    }
}
