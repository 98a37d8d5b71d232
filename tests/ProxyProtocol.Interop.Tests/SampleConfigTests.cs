using System;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;
using ProxyProtocol.Interop.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ProxyProtocol.Interop.Tests;

/// <summary>
/// The configurations beside samples/ProxyProtocol.AspNetCore.Sample, run as shipped except for their ports (the
/// app's 127.0.0.1:5000 becomes a Kestrel on port 0, the listen ports become free ones).
/// </summary>
public sealed class SampleConfigTests(ITestOutputHelper output) : InteropTest(output)
{
    [PeerFact(Peers.Haproxy)]
    public async Task The_samples_haproxy_cfg_puts_the_real_client_in_front_of_Kestrel()
    {
        KestrelBackend kestrel = await KestrelBackend.StartAsync(Scope, IPAddress.Loopback);
        string binary = Peers.Require(Peers.Haproxy);
        string config = Scope.PathOf("haproxy.cfg");
        int port = 0;
        PeerProcess haproxy = await PeerProcess.StartAsync("haproxy", () =>
        {
            port = FreePort.Reserve();
            File.WriteAllText(config, Rewrite(ReadSampleConfig("haproxy.cfg"), kestrel, ":8080", port));
            return new PeerCommand(binary, ["-db", "-f", config], Signals.User1, ct => Readiness.TcpConnectAsync(new IPEndPoint(IPAddress.Loopback, port), ct));
        });
        Scope.Track(haproxy, "haproxy (sample configuration)", () => $"{File.ReadAllText(config)}\n{haproxy.Output}");

        // Its HTTP health check arrives after a LOCAL header.
        await Scope.WithinAsync(kestrel.WaitForConnectionAsync(c => c.Header is { Command: ProxyCommand.Local }), "the sample's health check");
        await AssertClientSeenAsync(new IPEndPoint(IPAddress.Loopback, port), "V2");
        await AssertClientSeenAsync(new IPEndPoint(IPAddress.IPv6Loopback, port), "V2");
    }

    [PeerFact(Peers.NginxStream)]
    public async Task The_samples_nginx_conf_puts_the_real_client_in_front_of_Kestrel()
    {
        KestrelBackend kestrel = await KestrelBackend.StartAsync(Scope, IPAddress.Loopback);
        string binary = Peers.Require(Peers.NginxStream);
        string loadModule = Peers.Find(Peers.NginxStream).LoadModule;
        string config = Scope.PathOf("nginx.conf");
        int port = 0;
        PeerProcess nginx = await PeerProcess.StartAsync("nginx", () =>
        {
            port = FreePort.Reserve();
            string text = Rewrite(ReadSampleConfig("nginx.conf"), kestrel, ":8081", port);
            const string ShippedModule = "load_module /usr/lib/nginx/modules/ngx_stream_module.so;";
            Assert.Contains(ShippedModule, text, StringComparison.Ordinal);
            File.WriteAllText(config, text.Replace(ShippedModule, loadModule, StringComparison.Ordinal));

            // The sample says "daemon off;" itself and keeps its pid file in the prefix (-p).
            return new PeerCommand(
                binary,
                ["-p", Scope.Directory + "/", "-c", config, "-e", "stderr"],
                Signals.Terminate,
                ct => Readiness.TcpConnectAsync(new IPEndPoint(IPAddress.Loopback, port), ct));
        });
        Scope.Track(nginx, "nginx (sample configuration)", () => $"{File.ReadAllText(config)}\n{nginx.Output}");

        await AssertClientSeenAsync(new IPEndPoint(IPAddress.Loopback, port), "V1");
        await AssertClientSeenAsync(new IPEndPoint(IPAddress.IPv6Loopback, port), "V1");
    }

    private static string ReadSampleConfig(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "SampleConfigs", name));

    private static string Rewrite(string text, KestrelBackend kestrel, string listenPort, int port)
    {
        Assert.Contains("127.0.0.1:5000", text, StringComparison.Ordinal);
        Assert.Contains(listenPort, text, StringComparison.Ordinal);
        return text
            .Replace("127.0.0.1:5000", kestrel.EndPoint.ToString(), StringComparison.Ordinal)
            .Replace(listenPort, $":{port}", StringComparison.Ordinal);
    }

    private async Task AssertClientSeenAsync(IPEndPoint frontend, string version)
    {
        using Socket client = await RawHttp.ConnectAsync(frontend);
        HttpReply reply = await Scope.WithinAsync(RawHttp.GetAsync(new NetworkStream(client), "localhost"), $"GET {frontend}");
        Assert.True(reply.Status == 200, $"{reply.Text}\n{Scope.Diagnostics}");
        Assert.Equal(version, reply.Fields["version"]);
        Assert.Equal(client.LocalEndPoint!.ToString(), reply.Fields["remote"]);
        Assert.Equal(frontend.ToString(), reply.Fields["local"]);
    }
}
