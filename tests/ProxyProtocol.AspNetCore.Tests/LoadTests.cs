using System.Linq;
using System.Net;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Hosting;
using ProxyProtocol.AspNetCore.Tests.Infrastructure;

namespace ProxyProtocol.AspNetCore.Tests;

/// <summary>Many connections, each seeing its own address: no state leaks between connections.</summary>
public class LoadTests
{
    private static IPEndPoint SourceFor(int i) => new(new IPAddress([10, (byte)(i >> 16), (byte)(i >> 8), (byte)i]), 1024 + i);

    [Fact]
    public async Task Thousand_sequential_connections_each_see_their_own_address()
    {
        await using TestServer app = await TestServer.StartAsync(o => o.UseProxyProtocol());
        var destination = new IPEndPoint(IPAddress.Parse("192.0.2.1"), 443);

        for (int i = 0; i < 1000; i++)
        {
            IPEndPoint source = SourceFor(i);
            // Alternate versions so both parsers run under load.
            byte[] header = i % 2 == 0
                ? Headers.V1(source.Address.ToString(), source.Port, "192.0.2.1", 443)
                : Headers.V2(ProxyHeader.CreateProxy(source, destination));

            RawResponse response = await RawClient.SendAsync(app.EndPoint, Headers.Concat(header, RawClient.Get()));

            Assert.Equal(source.ToString(), response.Body["remote"]);
        }
    }

    [Fact]
    public async Task Hundred_concurrent_connections_each_see_their_own_address()
    {
        await using TestServer app = await TestServer.StartAsync(o => o.UseProxyProtocol());
        var destination = new IPEndPoint(IPAddress.Parse("2001:db8::1"), 443);

        string[] remotes = await Task.WhenAll(Enumerable.Range(0, 100).Select(async i =>
        {
            var source = new IPEndPoint(IPAddress.Parse($"2001:db8::{i + 1:x}"), 20000 + i);
            // The header in two writes, so connections interleave mid-header.
            byte[] header = Headers.V2(ProxyHeader.CreateProxy(source, destination));
            RawResponse response = await RawClient.SendAsync(app.EndPoint, header[..10], Headers.Concat(header[10..], RawClient.Get()));
            return response.Body["remote"] + "|" + source.Address + ":" + source.Port;
        }));

        Assert.All(remotes, r => Assert.Equal(r.Split('|')[1], r.Split('|')[0]));
        Assert.Equal(100, remotes.Distinct().Count());
    }
}
