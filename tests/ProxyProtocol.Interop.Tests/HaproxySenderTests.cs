using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;
using ProxyProtocol.Interop.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ProxyProtocol.Interop.Tests;

/// <summary>HAProxy (mode tcp) with send-proxy / send-proxy-v2 in front of Kestrel with UseProxyProtocol().</summary>
public sealed class HaproxySenderTests(ITestOutputHelper output) : InteropTest(output)
{
    [PeerTheory(Peers.Haproxy)]
    [InlineData("send-proxy", "V1", "127.0.0.1")]
    [InlineData("send-proxy", "V1", "::1")]
    [InlineData("send-proxy-v2", "V2", "127.0.0.1")]
    [InlineData("send-proxy-v2", "V2", "::1")]
    public async Task Kestrel_behind_HAProxy_sees_the_real_client_address_and_port(string sendProxy, string version, string loopback)
    {
        // Client, HAProxy and Kestrel all on the same family: IPv4 throughout, or IPv6 throughout.
        IPAddress address = IPAddress.Parse(loopback);
        KestrelBackend kestrel = await KestrelBackend.StartAsync(Scope, address);
        int port = 0;
        await HaproxyPeer.StartAsync(Scope, () =>
        {
            port = FreePort.Reserve();
            return $"""
                frontend fe
                    bind 127.0.0.1:{port}
                    bind [::1]:{port}
                    default_backend be

                backend be
                    server kestrel {kestrel.EndPoint} {sendProxy}

                """;
        });

        var frontend = new IPEndPoint(address, port);
        using Socket client = await RawHttp.ConnectAsync(frontend);
        HttpReply reply = await Scope.WithinAsync(RawHttp.GetAsync(new NetworkStream(client), "localhost"), "GET through HAProxy");
        Assert.True(reply.Status == 200, $"{reply.Text}\n{Scope.Diagnostics}");

        var fields = reply.Fields;
        Assert.Equal(version, fields["version"]);
        Assert.Equal("Proxy", fields["command"]);
        Assert.Equal(client.LocalEndPoint!.ToString(), fields["remote"]);    // the client's own address and port
        Assert.Equal(frontend.ToString(), fields["local"]);                  // what the client connected to
        Assert.NotEqual(fields["remote"], fields["transportRemote"]);        // the socket's peer is HAProxy
    }
}
