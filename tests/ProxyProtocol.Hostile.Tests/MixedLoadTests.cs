using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using ProxyProtocol.Hostile.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ProxyProtocol.Hostile.Tests;

/// <summary>
/// Ten thousand connections, two hundred at a time, each with a random (seeded, reproducible) valid or hostile
/// header: every valid one sees exactly its own address, every invalid one is closed without a response, nothing
/// reaches the log at Error level, and managed memory comes back to where it was (checked over that run and a
/// second one like it).
/// </summary>
public class MixedLoadTests(ITestOutputHelper output)
{
    private const int Seed = 20261126;
    private const int Connections = 10_000;
    private const int WarmupConnections = 4000;
    private const int Concurrency = 200;

    // Short enough that a connection the middleware wrongly kept waiting shows up as a HeaderTimeout (asserted
    // to be zero) within the test's time, long enough never to fire for a client that is merely slow.
    private static readonly TimeSpan s_headerTimeout = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Ten_thousand_valid_and_hostile_connections_each_get_exactly_their_due()
    {
        output.WriteLine(ProcessLimits.RequireOpenFiles((2 * Concurrency) + 512));
        using TestHostThreads threads = TestHostThreads.Compensate();
        await using HostileServer server = await HostileServer.StartAsync(o => o.HeaderTimeout = s_headerTimeout);

        // Warm-up (the JIT, the thread pool's size: every thread keeps pooled arrays, about 30 KB each), then the
        // baseline. Kestrel lets go of a connection some time after its client saw the close, so every measurement
        // first waits until all connections are collected.
        RunResult warmup = await RunAsync(server.EndPoint, first: 2 * Connections, count: WarmupConnections, Concurrency);
        Assert.Empty(warmup.Failures);
        await server.Connections.WaitUntilAllCollectedAsync();
        Memory baseline = MeasureManagedMemory(server);
        int threadsBefore = ThreadPool.ThreadCount;
        server.Logs.ResetCounts();

        var clock = Stopwatch.StartNew();
        RunResult run = await RunAsync(server.EndPoint, first: 0, count: Connections, Concurrency);
        TimeSpan elapsed = clock.Elapsed;
        await server.Connections.WaitUntilAllCollectedAsync();
        Memory afterRun = MeasureManagedMemory(server);

        output.WriteLine($"seed {Seed}: {Connections} connections, {Concurrency} at a time, in {elapsed.TotalSeconds:F1} s ({Connections / elapsed.TotalSeconds:F0}/s)");
        output.WriteLine("cases: " + string.Join(", ", run.Kinds.OrderByDescending(p => p.Value).Select(p => $"{p.Key}={p.Value}")));
        output.WriteLine($"valid {run.Valid} (echo checked), invalid {run.Invalid} (closed with no response: {run.ClosedByEof} FIN, {run.ClosedByReset} RST), client resets {run.ClientResets}");
        output.WriteLine($"middleware events: {server.Logs.Summary()}");
        foreach (LogEntry entry in server.Logs.WarningsAndAbove.Take(10))
        {
            output.WriteLine("log: " + entry);
        }

        Assert.True(run.Failures.IsEmpty, $"{run.Failures.Count} connections misbehaved:\n" + string.Join("\n", run.Failures.Take(20)));
        Assert.Empty(server.Logs.Errors);
        Assert.Equal(Connections, run.Valid + run.Invalid + run.ClientResets);

        // The middleware saw every connection for what it was.
        Assert.Equal(run.Valid, server.Logs.Count("HeaderAccepted"));
        Assert.Equal(run.InvalidHeaders, server.Logs.Count("InvalidHeader"));
        // Cut off with FIN: always seen as incomplete; with RST: seen as incomplete unless the kernel dropped it first.
        Assert.InRange(server.Logs.Count("IncompleteHeader"), run.Truncated, run.Truncated + run.ClientResets);
        Assert.Equal(0, server.Logs.Count("HeaderTimeout"));

        // The same load once more (other seed indexes): memory is compared over both runs, see below.
        RunResult again = await RunAsync(server.EndPoint, first: Connections, count: Connections, Concurrency);
        await server.Connections.WaitUntilAllCollectedAsync();
        Memory afterAgain = MeasureManagedMemory(server);
        Assert.True(again.Failures.IsEmpty, $"{again.Failures.Count} connections misbehaved in the second run:\n" + string.Join("\n", again.Failures.Take(20)));
        Assert.Empty(server.Logs.Errors);

        Growth first = Growth.Between(baseline, afterRun);
        Growth second = Growth.Between(afterRun, afterAgain);
        output.WriteLine($"managed memory after full GCs, after a {WarmupConnections}-connection warm-up / after the run / after the second run:");
        output.WriteLine($"  live heap bytes (GCMemoryInfo: size - fragmentation): {baseline.Live:N0} / {afterRun.Live:N0} / {afterAgain.Live:N0}");
        output.WriteLine($"  pinned object heap: {baseline.Pinned:N0} / {afterRun.Pinned:N0} / {afterAgain.Pinned:N0}");
        output.WriteLine($"  Kestrel's block pool, bytes pooled for reuse (its metric, relative): {baseline.Pooled:N0} / {afterRun.Pooled:N0} / {afterAgain.Pooled:N0}; allocated {server.MemoryPool.Allocated:N0} B, evicted {server.MemoryPool.Evicted:N0} B since start");
        output.WriteLine($"  GC.GetTotalMemory(true): {baseline.TotalMemory:N0} / {afterRun.TotalMemory:N0} / {afterAgain.TotalMemory:N0}");
        output.WriteLine($"  growth less the pool's new reserve, first run: {first}; second run: {second}");
        output.WriteLine($"  thread pool threads: {threadsBefore} -> {ThreadPool.ThreadCount}");

        // Kestrel's block pool grows to the most blocks in use at once and evicts idle ones every 10 s or so: its
        // size follows timing, not the number of connections (from +0 to +480 KB in one run). Every byte the pinned
        // heap gained must be a block the pool holds for reuse, none a buffer a connection kept.
        Assert.True(first.PinnedOutsidePool <= 64 * 1024, $"first run: the pinned heap grew {first.PinnedOutsidePool:N0} bytes beyond the pool's reserve");
        Assert.True(second.PinnedOutsidePool <= 64 * 1024, $"second run: the pinned heap grew {second.PinnedOutsidePool:N0} bytes beyond the pool's reserve");

        // Everything else back within 10%, in at least one of two identical runs: the test host builds some state
        // of its own at a time of its choosing (about 300 KB: its JSON serializer's contract caches and the
        // reflection objects behind them, seen in a heap diff), which lands in one run, in practice the first;
        // what connections left behind would grow in both. Measured as the
        // live heap and as GC.GetTotalMemory's difference; its absolute value is not the base, as it read anywhere
        // from -0.6 to +4.8 MB in the same state from run to run, while the live heap read 2.4 to 4.8 MB.
        Assert.True(Math.Min(first.Live, second.Live) <= baseline.Live / 10, $"live heap grew {first.Live:N0} then {second.Live:N0} bytes on {baseline.Live:N0}");
        Assert.True(Math.Min(first.TotalMemory, second.TotalMemory) <= baseline.Live / 10, $"GC.GetTotalMemory grew {first.TotalMemory:N0} then {second.TotalMemory:N0} bytes");
    }

    /// <summary>
    /// Managed memory after full, blocking GCs: what <see cref="GC.GetTotalMemory"/> reports, the heap's live bytes
    /// (size less fragmentation) from <see cref="GC.GetGCMemoryInfo()"/>, of which the pinned object heap, and the bytes
    /// Kestrel's block pool holds for reuse.
    /// </summary>
    private static Memory MeasureManagedMemory(HostileServer server)
    {
        for (int i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        long total = GC.GetTotalMemory(forceFullCollection: true);
        GCMemoryInfo info = GC.GetGCMemoryInfo(GCKind.FullBlocking);
        GCGenerationInfo pinned = info.GenerationInfo[4];
        return new Memory(total, info.HeapSizeBytes - info.FragmentedBytes, pinned.SizeAfterBytes - pinned.FragmentationAfterBytes, server.MemoryPool.Pooled);
    }

    private readonly record struct Memory(long TotalMemory, long Live, long Pinned, long Pooled);

    /// <summary>Growth between two measurements, less what Kestrel's block pool added to its reserve.</summary>
    private readonly record struct Growth(long Live, long TotalMemory, long PinnedOutsidePool, double Percent)
    {
        public static Growth Between(Memory from, Memory to)
        {
            long pool = Math.Max(0, to.Pooled - from.Pooled);
            long live = to.Live - from.Live - pool;
            return new Growth(live, to.TotalMemory - from.TotalMemory - pool, to.Pinned - from.Pinned - pool, 100.0 * live / from.Live);
        }

        public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"live {Live:+#,0;-#,0;0} B ({Percent:+0.00;-0.00;0.00}%), GC.GetTotalMemory {TotalMemory:+#,0;-#,0;0} B");
    }

    private static async Task<RunResult> RunAsync(IPEndPoint server, int first, int count, int concurrency)
    {
        var result = new RunResult();
        int next = first - 1;
        int end = first + count;
        Task[] workers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            await Task.Yield();
            int index;
            while ((index = Interlocked.Increment(ref next)) < end)
            {
                MixedCase testCase = MixedCase.Create(Seed, index);
                string? failure;
                try
                {
                    failure = await RunOneAsync(server, testCase, result);
                }
                catch (Exception ex) when (ex is SocketException or OperationCanceledException)
                {
                    failure = ex.GetType().Name + ": " + ex.Message;
                }

                result.Kinds.AddOrUpdate(testCase.Category, 1, static (_, n) => n + 1);
                if (failure is not null)
                {
                    result.Failures.Enqueue($"#{index} {testCase.Kind}: {failure}");
                }
            }
        }).ToArray();

        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(90));
        return result;
    }

    /// <summary>Runs one connection; returns null when it went as it must, else what went wrong.</summary>
    private static async Task<string?> RunOneAsync(IPEndPoint server, MixedCase testCase, RunResult result)
    {
        Socket socket = await Wire.ConnectAsync(server);
        try
        {
            int start = 0;
            foreach (int split in testCase.Splits.Append(testCase.Bytes.Length))
            {
                if (!await Wire.TrySendAsync(socket, testCase.Bytes.AsMemory(start, split - start)))
                {
                    break; // the server already closed; what it wrote (nothing, one hopes) is read below
                }

                start = split;
            }

            switch (testCase.Ending)
            {
                case ClientEnding.Reset:
                    Wire.Reset(socket);
                    Interlocked.Increment(ref result.ClientResets);
                    return null;
                case ClientEnding.ShutdownSend:
                    socket.Shutdown(SocketShutdown.Send);
                    Interlocked.Increment(ref result.Truncated);
                    break;
            }

            Received received = await Wire.ReadToEndAsync(socket, Wire.Timeout);
            if (testCase.Expectation == Expectation.Closed)
            {
                Interlocked.Increment(ref result.Invalid);
                if (testCase.IsInvalidHeader)
                {
                    Interlocked.Increment(ref result.InvalidHeaders);
                }

                if (!received.IsClosedWithoutResponse)
                {
                    return $"expected a close without response, got {received.End} after {received.Bytes.Length} bytes";
                }

                Interlocked.Increment(ref received.End == ConnectionEnd.Eof ? ref result.ClosedByEof : ref result.ClosedByReset);
                return null;
            }

            Interlocked.Increment(ref result.Valid);
            IReadOnlyDictionary<string, string>? echo = received.Echo;
            if (echo is null)
            {
                return $"expected a 200 response, got {received.End} after {received.Bytes.Length} bytes: {System.Text.Encoding.ASCII.GetString(received.Bytes)}";
            }

            string expected = testCase.Expectation switch
            {
                Expectation.HeaderSource => testCase.ExpectedSource!,
                Expectation.SocketSource => ((IPEndPoint)socket.LocalEndPoint!).Address + ":" + ((IPEndPoint)socket.LocalEndPoint!).Port,
                _ => ":0", // AF_UNIX: no IP address, no port
            };

            if (echo["remote"] != expected)
            {
                return $"remote {echo["remote"]}, expected {expected}";
            }

            if (testCase.Expectation == Expectation.UnixSource && echo["source"] != testCase.ExpectedSource)
            {
                return $"source {echo["source"]}, expected {testCase.ExpectedSource}";
            }

            return null;
        }
        finally
        {
            socket.Dispose();
        }
    }

    private sealed class RunResult
    {
        public ConcurrentQueue<string> Failures { get; } = new();

        public ConcurrentDictionary<string, int> Kinds { get; } = new();

#pragma warning disable CA1051 // counters updated with Interlocked
        public int Valid;
        public int Invalid;
        public int InvalidHeaders;
        public int Truncated;
        public int ClientResets;
        public int ClosedByEof;
        public int ClosedByReset;
#pragma warning restore CA1051
    }
}
