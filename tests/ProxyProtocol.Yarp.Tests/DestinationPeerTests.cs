using System.Collections.Generic;
using System.Net;
using System.Threading.Tasks;
using ProxyProtocol.Interop.Tests.Infrastructure;
using ProxyProtocol.Yarp.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ProxyProtocol.Yarp.Tests;

/// <summary>
/// YARP in front of real destinations that require a header: nginx (<c>listen ... proxy_protocol</c>) and HAProxy
/// (<c>bind ... accept-proxy</c>), each answering with the client address and port it read from the header and the
/// HTTP version it served. The expected address is the one the client's own socket has.
/// </summary>
public sealed class DestinationPeerTests(ITestOutputHelper output) : InteropTest(output)
{
    public static TheoryData<string, string, string> Cases()
    {
        var cases = new TheoryData<string, string, string>();
        foreach (string version in new[] { "v1", "v2" })
        {
            foreach (string client in new[] { "127.0.0.1", "::1" })
            {
                foreach (string http in new[] { "1.1", "2" })
                {
                    cases.Add(version, client, http);
                }
            }
        }

        return cases;
    }

    [PeerTheory(Peers.Nginx)]
    [MemberData(nameof(Cases))]
    public async Task Nginx_reads_the_client_from_YARPs_header(string version, string client, string http)
    {
        int port = 0;
        await NginxPeer.StartAsync(Scope, stream: false, () =>
        {
            port = FreePort.Reserve(alsoIPv6: false);
            return $$"""
                    server {
                        listen 127.0.0.1:{{port}} proxy_protocol{{(http == "2" ? " http2" : string.Empty)}};
                        location / { return 200 "$proxy_protocol_addr:$proxy_protocol_port $server_protocol"; }
                    }
                """;
        });

        await AssertDestinationSeesClientAsync(port, version, client, http);
    }

    [PeerTheory(Peers.Haproxy)]
    [MemberData(nameof(Cases))]
    public async Task Haproxy_reads_the_client_from_YARPs_header(string version, string client, string http)
    {
        int port = 0;
        await HaproxyPeer.StartAsync(Scope, () =>
        {
            port = FreePort.Reserve(alsoIPv6: false);
            return $$"""
                frontend destination
                    mode http
                    option httplog
                    bind 127.0.0.1:{{port}} accept-proxy{{(http == "2" ? " proto h2" : string.Empty)}}
                    http-request return status 200 content-type text/plain lf-string "%ci:%cp %HV"

                """;
        });

        await AssertDestinationSeesClientAsync(port, version, client, http);
    }

    private async Task AssertDestinationSeesClientAsync(int destinationPort, string version, string client, string http)
    {
        IPAddress clientAddress = IPAddress.Parse(client);
        YarpApp yarp = await YarpApp.StartAsync(Scope, new Dictionary<string, string?>
        {
            ["Metadata:ProxyProtocol"] = version,
            ["Destinations:d1:Address"] = $"http://127.0.0.1:{destinationPort}/",
            ["HttpRequest:Version"] = http,
            ["HttpRequest:VersionPolicy"] = "RequestVersionExact",
        }, listen: [IPAddress.Loopback, IPAddress.IPv6Loopback]);
        using var proxyClient = new ProxyClient(yarp.EndPoints[client == "::1" ? 1 : 0], "client");

        string first = await Scope.WithinAsync(proxyClient.GetAsync(), "request through YARP");
        string second = await Scope.WithinAsync(proxyClient.GetAsync(), "second request on the same connection");

        IPEndPoint local = await proxyClient.LocalEndPoint;
        string expected = $"{local.Address}:{local.Port} HTTP/{(http == "2" ? "2.0" : "1.1")}";
        Assert.Equal(expected, first.Trim());
        Assert.Equal(expected, second.Trim());
    }
}
