using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using ProxyProtocol.Hostile.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ProxyProtocol.Hostile.Tests;

/// <summary>
/// Slowloris against Kestrel with <c>UseProxyProtocol()</c>: a thousand connections that send nothing or trickle a
/// header that never ends must all be closed at the header timeout (RX-04), which counts from the moment Kestrel
/// hands the connection over, whatever trickles in (go-proxyproto CVE-2021-23409 had no such timeout), while
/// proxied requests keep being answered at once.
/// </summary>
public class SlowlorisTests(ITestOutputHelper output)
{
    // Short so that the test is short; the default is 10 s. The closes are judged against this value.
    private static readonly TimeSpan s_headerTimeout = TimeSpan.FromSeconds(2);

    // A close this much before the timeout would mean the timer is not the one closing the connection.
    private static readonly TimeSpan s_earlyTolerance = TimeSpan.FromMilliseconds(100);

    // Late closes are allowed this much: a thousand timers fire at once on a shared 2-core machine.
    private static readonly TimeSpan s_lateTolerance = TimeSpan.FromSeconds(3);

    private static readonly TimeSpan s_trickleInterval = TimeSpan.FromMilliseconds(100);

    private const int SilentCount = 500;
    private const int TricklingCount = 500;
    private const int ConnectsInFlight = 50;

    [Fact]
    public async Task Thousand_slow_connections_are_closed_at_the_header_timeout_and_proxied_requests_are_served_meanwhile()
    {
        const int Total = SilentCount + TricklingCount;
        // Client and server ends of every connection live in this process, plus the host's own.
        output.WriteLine(ProcessLimits.RequireOpenFiles((2 * Total) + 512));
        using TestHostThreads threads = TestHostThreads.Compensate();

        await using HostileServer server = await HostileServer.StartAsync(o => o.HeaderTimeout = s_headerTimeout);

        // Warm up (JIT, pools), then measure the unloaded latency for comparison.
        for (int i = 0; i < 10; i++)
        {
            await ProbeAsync(server.EndPoint, i);
        }

        var baseline = new List<double>();
        for (int i = 0; i < 50; i++)
        {
            baseline.Add(await ProbeAsync(server.EndPoint, i));
        }

        TimeSpan gcPausesBefore = GC.GetTotalPauseDuration();
        var clock = Stopwatch.StartNew();
        var probes = new ConcurrentQueue<(double At, double Latency)>();
        using var stopProbing = new CancellationTokenSource();
        Task probing = ProbeUntilAsync(server.EndPoint, clock, probes, stopProbing.Token);

        var connections = new SlowConnection[Total];
        using var stopTrickling = new CancellationTokenSource();
        Task trickling = TrickleAsync(connections, stopTrickling.Token); // each connection trickles from its connect on
        using (var gate = new SemaphoreSlim(ConnectsInFlight))
        {
            await Task.WhenAll(Enumerable.Range(0, Total).Select(async i =>
            {
                await gate.WaitAsync();
                try
                {
                    Volatile.Write(ref connections[i], await SlowConnection.OpenAsync(i, server.EndPoint, i < SilentCount ? null : TrickleScript(i), clock));
                }
                finally
                {
                    gate.Release();
                }
            }));
        }

        double connectPhase = clock.Elapsed.TotalMilliseconds;
        int descriptorsAtPeak = ProcessLimits.OpenDescriptors();

        Task allEnded = Task.WhenAll(connections.Select(c => c.Ended));
        await allEnded.WaitAsync(s_headerTimeout + s_lateTolerance + Wire.Timeout);
        await stopTrickling.CancelAsync();
        await stopProbing.CancelAsync();
        await probing;
        await trickling;

        // Every slow connection was closed by the server: not before the timeout, not long after it.
        var lifetimes = new List<double>();
        var closedAt = new List<double>();
        var failures = new List<string>();
        foreach (SlowConnection connection in connections)
        {
            (ConnectionEnd end, double lifetime, int received, double at) = await connection.Ended;
            lifetimes.Add(lifetime);
            closedAt.Add(at);
            if (end == ConnectionEnd.StillOpen || received != 0
                || lifetime < (s_headerTimeout - s_earlyTolerance).TotalMilliseconds
                || lifetime > (s_headerTimeout + s_lateTolerance).TotalMilliseconds)
            {
                failures.Add($"#{connection.Index} ({(connection.IsTrickling ? "trickling" : "silent")}): {end} after {lifetime:F0} ms, {received} bytes received, {connection.Sent} sent");
            }
        }

        var silent = new Stats(lifetimes.Take(SilentCount));
        var trickled = new Stats(lifetimes.Skip(SilentCount));
        var underAttack = new Stats(probes.Select(p => p.Latency));
        (double firstClose, double lastClose) = (closedAt.Min(), closedAt.Max());
        double[] duringMassClose = probes.Where(p => p.At + p.Latency >= firstClose && p.At <= lastClose).Select(p => p.Latency).ToArray();
        output.WriteLine($"header timeout {s_headerTimeout.TotalMilliseconds} ms; {Total} slow connections opened in {connectPhase:F0} ms; descriptors open at peak: {descriptorsAtPeak}");
        output.WriteLine($"silent connections, connect-to-close: {silent}");
        output.WriteLine($"trickling connections ({connections.Skip(SilentCount).Sum(c => c.Sent)} bytes trickled), connect-to-close: {trickled}");
        output.WriteLine($"probe latency before the attack: {new Stats(baseline)}");
        output.WriteLine($"probe latency during the attack: {underAttack}");
        output.WriteLine($"probes while the 1,000 closes happened ({firstClose:F0} to {lastClose:F0} ms): {(duringMassClose.Length > 0 ? new Stats(duringMassClose).ToString() : "none")}");
        output.WriteLine("slowest probes (at ms since the first slow connect: latency): " + string.Join(", ", probes.OrderByDescending(p => p.Latency).Take(5).Select(p => $"{p.At:F0}: {p.Latency:F1}")));
        output.WriteLine($"middleware events: {server.Logs.Summary()}; GC pauses during the attack: {(GC.GetTotalPauseDuration() - gcPausesBefore).TotalMilliseconds:F1} ms in all");

        // The trickling ones kept sending until the end: the timeout bounds the whole header, it is not an idle timeout.
        Assert.All(connections.Skip(SilentCount), c => Assert.True(c.Sent >= 5, $"#{c.Index} trickled only {c.Sent} bytes"));
        Assert.True(failures.Count == 0, $"{failures.Count} slow connections ended outside [{(s_headerTimeout - s_earlyTolerance).TotalMilliseconds}, {(s_headerTimeout + s_lateTolerance).TotalMilliseconds}] ms:\n" + string.Join("\n", failures.Take(20)));
        Assert.Equal(Total, server.Logs.Count("HeaderTimeout"));
        Assert.Empty(server.Logs.Errors);

        // Probes ran during the whole attack, the mass close at the timeout included.
        Assert.True(underAttack.Count >= 10, $"only {underAttack.Count} probes");
        Assert.NotEmpty(duringMassClose);
        // What the middleware controls is asserted: no probe waited for the slow connections. A server that served
        // connections in turn, or whose header wait held a thread or a lock the next connection needs, would make a
        // probe wait until the slow connections ahead of it timed out: at least the header timeout. How fast the
        // probes are beyond that depends on the machine (on a loaded 2-core VM another process can take the CPU for
        // tens of milliseconds at any time), so the latencies are reported above, not asserted.
        double slowest = probes.Max(p => p.Latency);
        Assert.True(slowest < s_headerTimeout.TotalMilliseconds, $"a probe took {slowest:F0} ms, as long as the header timeout: it waited for the slow connections");
    }

    /// <summary>A valid header's beginning that is never finished: v1 or v2 by turns.</summary>
    private static byte[] TrickleScript(int i)
    {
        if (i % 2 == 0)
        {
            // Without its CRLF; far longer than the bytes a connection can trickle before the timeout.
            return Encoding.ASCII.GetBytes($"PROXY TCP6 2001:db8:0:0:0:0:{i:x}:1 2001:db8:0:0:0:0:0:ffff {1024 + i} 443");
        }

        // v2 announcing 200 bytes of addresses and a NOOP TLV; at 10 bytes a second it never gets there.
        byte[] header = new byte[16 + 200];
        var builder = new ProxyV2HeaderBuilder(header, ProxyHeader.CreateProxy(new IPEndPoint(IPAddress.Parse("203.0.113.9"), 1024 + i), new IPEndPoint(IPAddress.Parse("198.51.100.1"), 443)));
        builder.AddNoop(200 - 12 - 3);
        Assert.Equal(System.Buffers.OperationStatus.Done, builder.Complete(out int written));
        Assert.Equal(header.Length, written);
        return header;
    }

    /// <summary>Every 100 ms, one more byte on every trickling connection opened so far and still open.</summary>
    private static async Task TrickleAsync(SlowConnection?[] connections, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(s_trickleInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                for (int i = 0; i < connections.Length; i++)
                {
                    Volatile.Read(ref connections[i])?.TrickleOneByte();
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    /// <summary>A proxied request every 10 ms (or right after the previous one if it took longer), until told to stop.</summary>
    private static async Task ProbeUntilAsync(IPEndPoint server, Stopwatch clock, ConcurrentQueue<(double, double)> probes, CancellationToken stop)
    {
        using var pace = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        int i = 1000;
        while (!stop.IsCancellationRequested && probes.Count < 5_000)
        {
            double at = clock.Elapsed.TotalMilliseconds;
            probes.Enqueue((at, await ProbeAsync(server, i++)));
            await pace.WaitForNextTickAsync(CancellationToken.None);
        }
    }

    /// <summary>One proxied request on a new connection; returns its latency (connect to last byte) in ms.</summary>
    private static async Task<double> ProbeAsync(IPEndPoint server, int i)
    {
        var source = new IPEndPoint(IPAddress.Parse("192.0.2.10"), 1024 + (i % 60000));
        byte[] header = new byte[64];
        Assert.Equal(System.Buffers.OperationStatus.Done, ProxyHeaderWriter.WriteV2(ProxyHeader.CreateProxy(source, new IPEndPoint(IPAddress.Parse("192.0.2.1"), 443)), header, out int length));

        long start = Stopwatch.GetTimestamp();
        Received received = await Wire.ExchangeAsync(server, Wire.Concat(header[..length], Wire.Get));
        double latency = Stopwatch.GetElapsedTime(start).TotalMilliseconds;

        Assert.Equal(source.ToString(), received.Echo?["remote"]);
        return latency;
    }

    /// <summary>One slow client: connected, watching for the server's close, maybe trickling a header.</summary>
    private sealed class SlowConnection
    {
        private readonly Socket _socket;
        private readonly byte[]? _script;
        private int _sent;
        private int _sending;

        private SlowConnection(int index, Socket socket, byte[]? script, Task<(ConnectionEnd, double, int, double)> ended)
        {
            Index = index;
            _socket = socket;
            _script = script;
            Ended = ended;
        }

        public int Index { get; }

        public bool IsTrickling => _script is not null;

        public int Sent => Volatile.Read(ref _sent);

        /// <summary>
        /// How the connection ended, its lifetime from connect in ms, the bytes the server wrote, and when it ended
        /// on the test's clock.
        /// </summary>
        public Task<(ConnectionEnd End, double Lifetime, int Received, double At)> Ended { get; }

        public static async Task<SlowConnection> OpenAsync(int index, IPEndPoint server, byte[]? script, Stopwatch clock)
        {
            Socket socket = await Wire.ConnectAsync(server);
            long connected = Stopwatch.GetTimestamp();
            return new SlowConnection(index, socket, script, WatchAsync(socket, connected, clock));
        }

        private static async Task<(ConnectionEnd, double, int, double)> WatchAsync(Socket socket, long connected, Stopwatch clock)
        {
            using (socket)
            {
                Received received = await Wire.ReadToEndAsync(socket, s_headerTimeout + s_lateTolerance + TimeSpan.FromSeconds(2));
                return (received.End, Stopwatch.GetElapsedTime(connected).TotalMilliseconds, received.Bytes.Length, clock.Elapsed.TotalMilliseconds);
            }
        }

        public void TrickleOneByte()
        {
            if (_script is null || Ended.IsCompleted || _sent >= _script.Length || Interlocked.Exchange(ref _sending, 1) == 1)
            {
                return;
            }

            _ = SendAsync();

            async Task SendAsync()
            {
                if (await Wire.TrySendAsync(_socket, _script.AsMemory(_sent, 1)))
                {
                    Interlocked.Increment(ref _sent);
                }

                Volatile.Write(ref _sending, 0);
            }
        }
    }
}
