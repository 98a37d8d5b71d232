using System;
using System.Collections.Generic;
using System.IO.Pipelines;
using System.Net;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using ProxyProtocol.AspNetCore.Tests.Infrastructure;

namespace ProxyProtocol.AspNetCore.Tests;

/// <summary>
/// Connections to the same balancer address share one destination endpoint object; every connection still gets
/// exactly the destination its own header names, whatever the order and however the cache's slots collide.
/// </summary>
public class DestinationEndPointCacheTests
{
    private static async Task<EndPoint?> LocalEndPointAfterHeaderAsync(ConnectionDelegate app, byte[] header)
    {
        Pipe pipe = new();
        await pipe.Writer.WriteAsync(Headers.Concat(header, RawClient.Get()));
        InMemoryConnection connection = new(pipe.Reader);
        await app(connection);
        return connection.LocalEndPoint;
    }

    [Fact]
    public async Task Same_destination_shares_one_endpoint()
    {
        ConnectionDelegate app = InMemoryConnection.BuildPipeline(o => o.UseProxyProtocol());

        EndPoint? first = await LocalEndPointAfterHeaderAsync(app, Headers.V1("203.0.113.7", 4242, "198.51.100.9", 443));
        EndPoint? second = await LocalEndPointAfterHeaderAsync(app, Headers.V2("203.0.113.8", 4243, "198.51.100.9", 443));

        Assert.Equal(new IPEndPoint(IPAddress.Parse("198.51.100.9"), 443), first);
        Assert.Same(first, second);
    }

    [Fact]
    public async Task Every_connection_gets_its_own_headers_destination()
    {
        ConnectionDelegate app = InMemoryConnection.BuildPipeline(o => o.UseProxyProtocol());

        // Destinations that differ only in the port, only in the address (same last byte: same slot), in the
        // family (an IPv4 address and the IPv6 address with the same bytes at the start), revisited in turn.
        List<IPEndPoint> destinations =
        [
            new(IPAddress.Parse("198.51.100.9"), 443),
            new(IPAddress.Parse("198.51.100.9"), 8443),
            new(IPAddress.Parse("198.51.101.9"), 443),
            new(IPAddress.Parse("10.0.0.9"), 443),
            new(IPAddress.Parse("c633:6409::9"), 443),
            new(IPAddress.Parse("2001:db8::9"), 443),
            new(IPAddress.Parse("2001:db8::9"), 447),
        ];
        for (int round = 0; round < 3; round++)
        {
            foreach (IPEndPoint destination in destinations)
            {
                string source = destination.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? "203.0.113.7" : "2001:db8::7";
                byte[] header = round % 2 == 0
                    ? Headers.V2(source, 4242, destination.Address.ToString(), destination.Port)
                    : Headers.V1(source, 4242, destination.Address.ToString(), destination.Port);

                EndPoint? local = await LocalEndPointAfterHeaderAsync(app, header);

                Assert.Equal(destination, local);
            }
        }
    }
}
