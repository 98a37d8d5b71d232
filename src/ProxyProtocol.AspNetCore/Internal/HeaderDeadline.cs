using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading;

namespace ProxyProtocol.AspNetCore.Internal;

/// <summary>
/// Ends the wait for a connection's header: cancels <see cref="Token"/> at the header deadline, or when the server
/// asks the connection to close (shutdown). Pooled, with its timer and token source, and armed only when a read has
/// to wait: a header that is already buffered costs no timer and no registration.
/// </summary>
/// <remarks>
/// <para>
/// Shutdown is seen through the connection's <c>ConnectionClosedRequested</c> token. Registering on that token
/// allocates its callback list (about 140 B, the connection's token is new for each connection), so the timer first
/// fires after <see cref="ShutdownPollDelay"/> and looks at the token; only a connection still waiting then registers.
/// A server that stops while a header is pending thus closes the connection within that delay, and at once after it.
/// </para>
/// <para>
/// The timer and the registration decide and cancel under the instance lock, and <see cref="Disarm"/> takes the same
/// lock, so a late tick never cancels the next connection that rents this instance.
/// </para>
/// </remarks>
internal sealed class HeaderDeadline
{
    /// <summary>How long a wait may go before the connection's close token is registered on.</summary>
    internal static readonly TimeSpan ShutdownPollDelay = TimeSpan.FromMilliseconds(100);

    private static readonly long s_pollTicks = (long)(ShutdownPollDelay.TotalSeconds * Stopwatch.Frequency);
    private static readonly Action<object?> s_onCloseRequested = static state => ((HeaderDeadline)state!).OnTimerOrCloseRequested();

    private readonly Lock _lock = new();
    private readonly Timer _timer;
    private CancellationTokenSource _source = new();
    private CancellationToken _closeRequested;
    private CancellationTokenRegistration _closeRegistration;
    private long _deadline;
    private bool _armed;
    private bool _watchingClose;

    private HeaderDeadline()
    {
        // Not flowing the execution context: a pooled timer must not keep the first connection's async locals alive.
        using (ExecutionContext.SuppressFlow())
        {
            _timer = new Timer(static state => ((HeaderDeadline)state!).OnTimerOrCloseRequested(), this, Timeout.Infinite, Timeout.Infinite);
        }
    }

    /// <summary>Cancelled at the deadline or on shutdown; pass it to every read of the header.</summary>
    public CancellationToken Token => _source.Token;

    /// <summary>Whether the token was cancelled (by the deadline or by shutdown).</summary>
    public bool IsCancellationRequested => _source.IsCancellationRequested;

    /// <summary>Starts watching, once a read has to wait. Does nothing when already armed.</summary>
    /// <param name="deadline">The <see cref="Stopwatch"/> timestamp the header must be in by; <see cref="long.MaxValue"/> for none.</param>
    /// <param name="closeRequested">The connection's close token (server shutdown).</param>
    public void Arm(long deadline, CancellationToken closeRequested)
    {
        lock (_lock)
        {
            if (_armed)
            {
                return;
            }

            _armed = true;
            _deadline = deadline;
            _closeRequested = closeRequested;
            ScheduleNext(Stopwatch.GetTimestamp());
        }
    }

    /// <summary>Stops watching. Whether this instance can be pooled again (its token was not cancelled).</summary>
    public bool Disarm()
    {
        // Only the renter arms and disarms, so it reads its own flag without the lock: the usual case, a header that
        // was buffered, never armed.
        if (!_armed)
        {
            return !_source.IsCancellationRequested;
        }

        CancellationTokenRegistration registration;
        lock (_lock)
        {

            _armed = false;
            _watchingClose = false;
            _closeRequested = default;
            registration = _closeRegistration;
            _closeRegistration = default;
            _timer.Change(Timeout.Infinite, Timeout.Infinite);
        }

        // Outside the lock: Dispose waits for a callback running on another thread, which takes the lock.
        registration.Dispose();
        return !_source.IsCancellationRequested;
    }

    private void OnTimerOrCloseRequested()
    {
        lock (_lock)
        {
            if (!_armed || _source.IsCancellationRequested)
            {
                return;
            }

            long now = Stopwatch.GetTimestamp();
            if (_closeRequested.IsCancellationRequested || now >= _deadline)
            {
                // Cancelled under the lock: a Disarm that has not run yet cannot hand this source to another connection.
                _source.Cancel();
                return;
            }

            if (!_watchingClose && _closeRequested.CanBeCanceled)
            {
                _watchingClose = true;
                _closeRegistration = _closeRequested.UnsafeRegister(s_onCloseRequested, this);
            }

            ScheduleNext(now);
        }
    }

    /// <summary>The next tick: the poll of the close token first, then the deadline.</summary>
    private void ScheduleNext(long now)
    {
        long due = _closeRequested.IsCancellationRequested ? now
            : _watchingClose || !_closeRequested.CanBeCanceled ? _deadline
            : Math.Min(_deadline, now + s_pollTicks);
        if (due == long.MaxValue)
        {
            return; // No deadline, and the close token is registered on (or there is none): nothing to time.
        }

        // Rounded up, so the tick does not come a little early and have to be scheduled again.
        long milliseconds = Math.Max(0, ((due - now) * 1000 + Stopwatch.Frequency - 1) / Stopwatch.Frequency);
        _timer.Change(Math.Min(milliseconds, uint.MaxValue - 1), Timeout.Infinite);
    }

    /// <summary>
    /// A process-wide pool (nothing in an instance belongs to an endpoint): one per thread without synchronization,
    /// then a shared queue, as Kestrel keeps its per-request token sources.
    /// </summary>
    internal static class Pool
    {
        private const int MaxPooled = 1024;

        private static readonly ConcurrentQueue<HeaderDeadline> s_queue = new();
        private static int s_count;

        [ThreadStatic]
        private static HeaderDeadline? t_cached;

        public static HeaderDeadline Rent()
        {
            HeaderDeadline? cached = t_cached;
            if (cached is not null)
            {
                t_cached = null;
                return cached;
            }

            if (s_queue.TryDequeue(out HeaderDeadline? deadline))
            {
                Interlocked.Decrement(ref s_count);
                return deadline;
            }

            return new HeaderDeadline();
        }

        public static void Return(HeaderDeadline deadline)
        {
            if (!deadline.Disarm())
            {
                // The token fired (a timeout or shutdown): its source cannot be reset. The timer stays for the next use.
                deadline._source.Dispose();
                deadline._source = new CancellationTokenSource();
            }

            if (t_cached is null)
            {
                t_cached = deadline;
                return;
            }

            if (Interlocked.Increment(ref s_count) > MaxPooled)
            {
                Interlocked.Decrement(ref s_count);
                deadline._timer.Dispose();
                deadline._source.Dispose();
                return;
            }

            s_queue.Enqueue(deadline);
        }
    }
}
