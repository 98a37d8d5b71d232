using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using Microsoft.Extensions.Configuration;
using ProxyProtocol.Interop.Tests.Infrastructure;
using ProxyProtocol.Yarp.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ProxyProtocol.Yarp.Tests;

/// <summary>The sample's appsettings.json cluster, as shipped, in front of a real nginx that requires the header.</summary>
public sealed class SampleConfigTests(ITestOutputHelper output) : InteropTest(output)
{
    [PeerFact(Peers.Nginx)]
    public async Task The_sample_cluster_sends_a_header_with_TLVs_that_nginx_accepts_and_reads_the_client_from()
    {
        IConfigurationSection sample = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "SampleConfigs", "appsettings.json"))
            .Build()
            .GetSection("ReverseProxy:Clusters:nginx");
        Dictionary<string, string?> cluster = sample.GetSection("Metadata").GetChildren().ToDictionary(c => "Metadata:" + c.Key, c => c.Value);
        Assert.Equal("v2", cluster["Metadata:ProxyProtocol"]);

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
        cluster["Destinations:d1:Address"] = $"http://127.0.0.1:{port}/";
        YarpApp yarp = await YarpApp.StartAsync(Scope, cluster);
        using var client = new ProxyClient(yarp.EndPoints[0], "client");

        string body = await Scope.WithinAsync(client.GetAsync(), "request through the sample's cluster");

        System.Net.IPEndPoint local = await client.LocalEndPoint;
        Assert.Equal($"{local.Address}:{local.Port}", body.Trim());
    }
}
