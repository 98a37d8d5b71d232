using System;
using System.Threading;

namespace ProxyProtocol.Hostile.Tests.Infrastructure;

/// <summary>
/// Gives the thread pool back the threads the test host keeps blocked, for the duration of a load test.
/// </summary>
/// <remarks>
/// The test host parks two thread-pool threads for the whole run: VSTest's message loop polls its socket
/// synchronously (<c>TcpClientExtensions.MessageLoopAsync</c>) and the xunit adapter waits synchronously in
/// <c>RunTestsInAssembly</c> (seen in a dump taken mid-test). The pool's minimum is the core count, 2 here, so the
/// server and the clients were left one thread, and every burst stalled until the pool injected another one, about
/// 0.5 s later: a probe took 0.5 to 0.9 s and a batch of slow connections closed that much late, once per run. A
/// server process has no such threads; raising the minimum by those two restores the same headroom.
/// </remarks>
public sealed class TestHostThreads : IDisposable
{
    private const int BlockedByTestHost = 2;

    private readonly int _workers;
    private readonly int _io;

    private TestHostThreads()
    {
        ThreadPool.GetMinThreads(out _workers, out _io);
        ThreadPool.SetMinThreads(_workers + BlockedByTestHost, _io);
    }

    public static TestHostThreads Compensate() => new();

    public void Dispose() => ThreadPool.SetMinThreads(_workers, _io);
}
