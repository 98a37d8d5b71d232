using System.Collections.Generic;
using System.Net;
using System.Threading.Tasks;
using ProxyProtocol.Interop.Tests.Infrastructure;
using ProxyProtocol.Yarp.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ProxyProtocol.Yarp.Tests;

/// <summary>
/// HAProxy (send-proxy-v2) -> YARP with <c>UseProxyProtocol()</c> -> nginx (proxy_protocol): the header YARP sends
/// names the original client, not HAProxy.
/// </summary>
public sealed class ChainTests(ITestOutputHelper output) : InteropTest(output)
{
    [PeerTheory(Peers.Haproxy, Peers.Nginx)]
    [InlineData("v1")]
    [InlineData("v2")]
    public async Task Nginx_behind_HAProxy_and_YARP_sees_the_original_client(string version)
    {
        int nginxPort = 0;
        await NginxPeer.StartAsync(Scope, stream: false, () =>
        {
            nginxPort = FreePort.Reserve(alsoIPv6: false);
            return $$"""
                    server {
                        listen 127.0.0.1:{{nginxPort}} proxy_protocol;
                        location / { return 200 "$proxy_protocol_addr:$proxy_protocol_port"; }
                    }
                """;
        });
        YarpApp yarp = await YarpApp.StartAsync(Scope, new Dictionary<string, string?>
        {
            ["Metadata:ProxyProtocol"] = version,
            ["Destinations:d1:Address"] = $"http://127.0.0.1:{nginxPort}/",
        }, acceptProxyProtocol: true);
        int haproxyPort = 0;
        await HaproxyPeer.StartAsync(Scope, () =>
        {
            haproxyPort = FreePort.Reserve(alsoIPv6: false);
            return $$"""
                listen balancer
                    bind 127.0.0.1:{{haproxyPort}}
                    server yarp {{yarp.EndPoints[0]}} send-proxy-v2

                """;
        });
        using var client = new ProxyClient(new IPEndPoint(IPAddress.Loopback, haproxyPort), "client");

        string body = await Scope.WithinAsync(client.GetAsync(), "request through HAProxy and YARP");

        IPEndPoint local = await client.LocalEndPoint;
        Assert.Equal($"{local.Address}:{local.Port}", body.Trim());
    }
}
