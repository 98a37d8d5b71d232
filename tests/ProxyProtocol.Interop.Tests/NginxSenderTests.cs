using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;
using ProxyProtocol.Interop.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ProxyProtocol.Interop.Tests;

/// <summary>nginx's stream module with <c>proxy_protocol on</c> (it sends v1 only) in front of Kestrel.</summary>
public sealed class NginxSenderTests(ITestOutputHelper output) : InteropTest(output)
{
    [PeerTheory(Peers.NginxStream)]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public async Task Kestrel_behind_nginx_stream_sees_the_real_client_address_and_port(string loopback)
    {
        IPAddress address = IPAddress.Parse(loopback);
        KestrelBackend kestrel = await KestrelBackend.StartAsync(Scope, address);
        int port = 0;
        await NginxPeer.StartAsync(Scope, stream: true, () =>
        {
            port = FreePort.Reserve();
            return $$"""
                    server {
                        listen 127.0.0.1:{{port}};
                        listen [::1]:{{port}};
                        proxy_pass {{kestrel.EndPoint}};
                        proxy_protocol on;
                        proxy_connect_timeout 2s;
                        proxy_timeout 10s;
                    }
                """;
        });

        var frontend = new IPEndPoint(address, port);
        using Socket client = await RawHttp.ConnectAsync(frontend);
        HttpReply reply = await Scope.WithinAsync(RawHttp.GetAsync(new NetworkStream(client), "localhost"), "GET through nginx");
        Assert.True(reply.Status == 200, $"{reply.Text}\n{Scope.Diagnostics}");

        var fields = reply.Fields;
        Assert.Equal("V1", fields["version"]);
        Assert.Equal(client.LocalEndPoint!.ToString(), fields["remote"]);
        Assert.Equal(frontend.ToString(), fields["local"]);
        Assert.NotEqual(fields["remote"], fields["transportRemote"]);
    }
}
