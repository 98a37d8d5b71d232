using System;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;
using ProxyProtocol.Interop.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ProxyProtocol.Forwarder.Tests;

/// <summary>
/// <c>proxyproto forward</c> run as a process between real peers: nginx behind it (<c>listen ... proxy_protocol</c>,
/// answering with <c>$proxy_protocol_addr:$proxy_protocol_port</c>), and HAProxy in front (<c>send-proxy-v2</c>).
/// The expected client is the address the test's own socket has.
/// </summary>
public sealed class ForwardCommandPeerTests(ITestOutputHelper output) : InteropTest(output)
{
    [PeerTheory(Peers.Nginx)]
    [InlineData("--v1", "127.0.0.1")]
    [InlineData("--v2", "127.0.0.1")]
    [InlineData("--v1", "::1")]
    [InlineData("--v2", "::1")]
    public async Task Nginx_behind_the_forwarder_sees_the_client(string version, string loopback)
    {
        int nginx = await StartNginxAsync();
        IPAddress address = IPAddress.Parse(loopback);
        IPEndPoint forward = await StartForwardAsync(address, ["--to", $"127.0.0.1:{nginx}", version]);

        using Socket client = await RawHttp.ConnectAsync(forward);
        HttpReply reply = await Scope.WithinAsync(RawHttp.GetAsync(new NetworkStream(client), "localhost"), "GET through the forwarder");

        var local = (IPEndPoint)client.LocalEndPoint!;
        Assert.True(reply.Status == 200, $"{reply.Text}\n{Scope.Diagnostics}");
        Assert.Equal($"{local.Address}:{local.Port}", reply.Body.Trim());
    }

    [PeerFact(Peers.Haproxy, Peers.Nginx)]
    public async Task Nginx_behind_HAProxy_and_the_forwarder_sees_the_original_client()
    {
        int nginx = await StartNginxAsync();
        IPEndPoint forward = await StartForwardAsync(IPAddress.Loopback, ["--to", $"127.0.0.1:{nginx}", "--accept-proxy", "--trusted", "127.0.0.0/8", "--v1"]);
        int haproxy = 0;
        await HaproxyPeer.StartAsync(Scope, () =>
        {
            haproxy = FreePort.Reserve(alsoIPv6: false);
            return $$"""
                listen balancer
                    bind 127.0.0.1:{{haproxy}}
                    server forwarder {{forward}} send-proxy-v2

                """;
        });

        using Socket client = await RawHttp.ConnectAsync(new IPEndPoint(IPAddress.Loopback, haproxy));
        HttpReply reply = await Scope.WithinAsync(RawHttp.GetAsync(new NetworkStream(client), "localhost"), "GET through HAProxy and the forwarder");

        var local = (IPEndPoint)client.LocalEndPoint!;
        Assert.True(reply.Status == 200, $"{reply.Text}\n{Scope.Diagnostics}");
        Assert.Equal($"{local.Address}:{local.Port}", reply.Body.Trim());
    }

    private async Task<int> StartNginxAsync()
    {
        int port = 0;
        await NginxPeer.StartAsync(Scope, stream: false, () =>
        {
            port = FreePort.Reserve(alsoIPv6: false);
            return $$"""
                    server {
                        listen 127.0.0.1:{{port}} proxy_protocol;
                        location / { return 200 "$proxy_protocol_addr:$proxy_protocol_port"; }
                    }
                """;
        });
        return port;
    }

    /// <summary>Runs <c>dotnet proxyproto.dll forward --listen ADDR:PORT ...</c>; ready when its port accepts.</summary>
    private async Task<IPEndPoint> StartForwardAsync(IPAddress address, string[] arguments)
    {
        IPEndPoint listen = null!;
        string tool = Path.Combine(AppContext.BaseDirectory, "proxyproto.dll");
        string host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } dotnet ? dotnet : "dotnet";
        PeerProcess process = await PeerProcess.StartAsync("proxyproto forward", () =>
        {
            listen = new IPEndPoint(address, FreePort.Reserve());
            // The readiness probe is a connection too: without --accept-proxy it is forwarded, with it it fails its header; both are harmless.
            return new PeerCommand(host, [tool, "forward", "--listen", listen.ToString(), .. arguments], Signals.Terminate, ct => Readiness.TcpConnectAsync(listen, ct));
        });
        Scope.Track(process, "proxyproto forward", () => process.Output);
        return listen;
    }
}
