using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading.Tasks;
using ProxyProtocol.Interop.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ProxyProtocol.Interop.Tests;

/// <summary>HAProxy health checks that carry a PROXY header: LOCAL with send-proxy-v2, v1 with check-send-proxy.</summary>
public sealed class HaproxyHealthCheckTests(ITestOutputHelper output) : InteropTest(output)
{
    [PeerFact(Peers.Haproxy)]
    public async Task Health_checks_with_PROXY_headers_are_accepted_and_HAProxy_marks_the_servers_UP()
    {
        KestrelBackend kestrel = await KestrelBackend.StartAsync(Scope, IPAddress.Loopback);

        // The control: a backend that refuses v2 must make the same check fail, or "UP" would prove nothing
        // (HAProxy 2.6 starts servers UP, and an L4 check passes on connect alone: hence HTTP checks here).
        KestrelBackend v1Only = await KestrelBackend.StartAsync(Scope, IPAddress.Loopback, options => options.AllowedVersions = ProxyVersions.V1);
        const string Check = "check inter 100ms downinter 50ms rise 1 fall 1";
        HaproxyPeer haproxy = await HaproxyPeer.StartAsync(Scope, () => $"""
            backend be_v2
                option httpchk GET /health
                http-check expect status 200
                server s1 {kestrel.EndPoint} send-proxy-v2 {Check}

            backend be_check_send_proxy
                option httpchk GET /health
                http-check expect status 200
                server s1 {kestrel.EndPoint} {Check} check-send-proxy

            backend be_v2_refused
                option httpchk GET /health
                http-check expect status 200
                server s1 {v1Only.EndPoint} send-proxy-v2 {Check}

            """);

        // send-proxy-v2 checks send LOCAL (SEM-01): the feature says so and the app keeps the socket's endpoints.
        ObservedConnection local = await Scope.WithinAsync(
            kestrel.WaitForConnectionAsync(c => c.Header is { Version: ProxyVersion.V2, Command: ProxyCommand.Local }),
            "a LOCAL health check at Kestrel");
        Assert.Equal(local.TransportRemoteEndPoint, local.RemoteEndPoint);

        // check-send-proxy sends v1 with the check connection's own addresses, so the "client" is HAProxy itself.
        ObservedConnection v1 = await Scope.WithinAsync(
            kestrel.WaitForConnectionAsync(c => c.Header is { Version: ProxyVersion.V1, Command: ProxyCommand.Proxy }),
            "a v1 health check at Kestrel");
        Assert.Equal(v1.TransportRemoteEndPoint, v1.RemoteEndPoint);

        await WaitForServerAsync(haproxy, "be_v2", expectUp: true);
        await WaitForServerAsync(haproxy, "be_check_send_proxy", expectUp: true);
        await WaitForServerAsync(haproxy, "be_v2_refused", expectUp: false);
        Assert.Contains(v1Only.Log, line => line.Contains(nameof(ProxyHeaderError.VersionNotAllowed), StringComparison.Ordinal));
    }

    /// <summary>
    /// Polls the stats socket until the server is UP (srv_op_state 2) with a passed HTTP check (L7OK), or DOWN
    /// (srv_op_state 0) with a failed one. HAProxy offers no event to await.
    /// </summary>
    private async Task WaitForServerAsync(HaproxyPeer haproxy, string backend, bool expectUp)
    {
        DateTime deadline = DateTime.UtcNow + InteropScope.DefaultTimeout;
        string last = string.Empty;
        while (DateTime.UtcNow < deadline)
        {
            Dictionary<string, string>? state = await HaproxyStats.GetServerStateAsync(haproxy.StatsSocket, backend, "s1");
            string? checkStatus = await HaproxyStats.GetStatAsync(haproxy.StatsSocket, backend, "s1", "check_status");
            last = $"{string.Join(' ', state?.Select(kv => $"{kv.Key}={kv.Value}") ?? [])} check_status={checkStatus}";
            bool passed = checkStatus == "L7OK";
            if (state?["srv_op_state"] == (expectUp ? "2" : "0") && passed == expectUp && checkStatus is { Length: > 0 } && checkStatus != "INI")
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail($"{backend}/s1 did not become {(expectUp ? "UP" : "DOWN")}; last state: {last}\n{Scope.Diagnostics}");
    }
}
