using System;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using ProxyProtocol.AspNetCore.Internal;
using ProxyProtocol.AspNetCore.Tests.Infrastructure;

namespace ProxyProtocol.AspNetCore.Tests;

/// <summary>
/// The header deadline: a timeout, and server shutdown seen by polling the connection's close token once, then by
/// a registration on it (RX-04 and the "server shutdown also ends the wait" promise of docs/kestrel.md).
/// </summary>
public class HeaderDeadlineTests
{
    private static long In(TimeSpan delay) => Stopwatch.GetTimestamp() + (long)(delay.TotalSeconds * Stopwatch.Frequency);

    private static async Task WaitUntilCancelledAsync(CancellationToken token)
    {
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using CancellationTokenRegistration registration = token.Register(() => cancelled.TrySetResult());
        await cancelled.Task.WaitAsync(RawClient.Timeout);
    }

    [Fact]
    public async Task Fires_at_the_deadline_and_is_not_pooled_again()
    {
        HeaderDeadline deadline = HeaderDeadline.Pool.Rent();
        var stopwatch = Stopwatch.StartNew();

        deadline.Arm(In(TimeSpan.FromMilliseconds(150)), default);
        await WaitUntilCancelledAsync(deadline.Token);

        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromMilliseconds(140), RawClient.Timeout);
        Assert.False(deadline.Disarm());
        HeaderDeadline.Pool.Return(deadline);
        Assert.False(HeaderDeadline.Pool.Rent().IsCancellationRequested);
    }

    [Fact]
    public async Task Close_requested_during_the_first_poll_interval_is_seen_at_the_poll()
    {
        using var close = new CancellationTokenSource();
        HeaderDeadline deadline = HeaderDeadline.Pool.Rent();
        deadline.Arm(long.MaxValue, close.Token);

        close.Cancel();
        await WaitUntilCancelledAsync(deadline.Token);

        HeaderDeadline.Pool.Return(deadline);
    }

    [Fact]
    public async Task Close_requested_after_the_poll_cancels_at_once()
    {
        using var close = new CancellationTokenSource();
        HeaderDeadline deadline = HeaderDeadline.Pool.Rent();
        deadline.Arm(In(TimeSpan.FromSeconds(30)), close.Token);
        await Task.Delay(HeaderDeadline.ShutdownPollDelay * 4);
        Assert.False(deadline.IsCancellationRequested);

        // Registered by now: the cancellation runs the callback on this thread.
        close.Cancel();

        Assert.True(deadline.IsCancellationRequested);
        HeaderDeadline.Pool.Return(deadline);
    }

    [Fact]
    public async Task Disarmed_before_the_deadline_never_fires_and_is_reused()
    {
        using var close = new CancellationTokenSource();
        HeaderDeadline deadline = HeaderDeadline.Pool.Rent();
        deadline.Arm(In(TimeSpan.FromMilliseconds(50)), close.Token);

        Assert.True(deadline.Disarm());
        await Task.Delay(300);
        close.Cancel();

        Assert.False(deadline.IsCancellationRequested);
        HeaderDeadline.Pool.Return(deadline);
    }

    [Fact]
    public async Task Shutdown_ends_a_wait_that_already_outlasted_the_poll()
    {
        ConnectionDelegate app = InMemoryConnection.BuildPipeline(listenOptions => listenOptions.UseProxyProtocol());
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync("PROXY TCP4 "u8.ToArray());
        var connection = new InMemoryConnection(pipe.Reader);

        Task running = app(connection);
        await Task.Delay(HeaderDeadline.ShutdownPollDelay * 4);
        Assert.False(running.IsCompleted);
        var stopwatch = Stopwatch.StartNew();
        connection.RequestClose();
        await running.WaitAsync(RawClient.Timeout);

        // The default header timeout is 10 s: the wait ended on the close request.
        Assert.InRange(stopwatch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        Assert.Null(connection.Features.Get<IProxyProtocolFeature>());
    }
}
