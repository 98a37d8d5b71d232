using System;
using System.IO;
using System.Threading.Tasks;

namespace ProxyProtocol.Interop.Tests.Infrastructure;

/// <summary>HAProxy in the foreground (<c>-db</c>) with a configuration written to the test's directory.</summary>
internal sealed class HaproxyPeer
{
    private HaproxyPeer(PeerProcess process, string statsSocket)
    {
        Process = process;
        StatsSocket = statsSocket;
    }

    public PeerProcess Process { get; }

    /// <summary>The admin stats socket (<c>show stat</c>, <c>show servers state</c>).</summary>
    public string StatsSocket { get; }

    /// <summary>
    /// Starts HAProxy with the shared global and defaults sections (mode tcp) followed by what
    /// <paramref name="renderProxies"/> returns: frontends, backends, listens. It runs once per start attempt and
    /// reserves its ports there (<see cref="FreePort"/>). Ready when the stats socket answers; stopped with SIGUSR1
    /// (soft stop, bounded by hard-stop-after).
    /// </summary>
    public static async Task<HaproxyPeer> StartAsync(InteropScope scope, Func<string> renderProxies)
    {
        string binary = Peers.Require(Peers.Haproxy);
        string config = scope.PathOf("haproxy.cfg");
        string socket = scope.PathOf("haproxy.sock");
        PeerProcess process = await PeerProcess.StartAsync("haproxy", () =>
        {
            File.Delete(socket);
            File.WriteAllText(config, GetGlobal(socket) + renderProxies());
            return new PeerCommand(binary, ["-db", "-f", config], Signals.User1, ct => Readiness.HaproxyStatsAsync(socket, ct));
        });
        scope.Track(process, "haproxy", () => $"{File.ReadAllText(config)}\n{process.Output}");
        return new HaproxyPeer(process, socket);
    }

    private static string GetGlobal(string socket) => $"""
        global
            maxconn 256
            nbthread 1
            hard-stop-after 3s
            stats socket {socket} mode 600 level admin
            log stderr format short local0 info

        defaults
            mode tcp
            log global
            option tcplog
            timeout connect 2s
            timeout client  10s
            timeout server  10s
            timeout check   2s


        """;
}
