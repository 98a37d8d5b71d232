using System;
using System.Collections.Generic;
using System.Net;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Hosting;
using ProxyProtocol.AspNetCore.Tests.Infrastructure;

namespace ProxyProtocol.AspNetCore.Tests;

/// <summary>HttpContext.Connection shows the client and the address it connected to, from the header.</summary>
public class EndPointTests
{
    public static IEnumerable<object[]> Cases()
    {
        foreach (string server in new[] { "127.0.0.1", "::1" })
        {
            foreach (int version in new[] { 1, 2 })
            {
                yield return [server, version, "203.0.113.7", 4242, "198.51.100.9", 8443];
                yield return [server, version, "2001:db8::7", 4242, "2001:db8::1", 443];
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Header_addresses_become_the_connection_endpoints(string server, int version, string source, int sourcePort, string destination, int destinationPort)
    {
        // V1-04/V1-05, V2-04/V2-06: both versions, both families, on IPv4 and IPv6 listeners.
        await using TestServer app = await TestServer.StartAsync(IPAddress.Parse(server), o => o.UseProxyProtocol());
        byte[] header = version == 1
            ? Headers.V1(source, sourcePort, destination, destinationPort)
            : Headers.V2(source, sourcePort, destination, destinationPort);

        RawResponse response = await RawClient.SendAsync(app.EndPoint, Headers.Concat(header, RawClient.Get()));

        IReadOnlyDictionary<string, string> body = response.Body;
        Assert.Equal($"{IPAddress.Parse(source)}:{sourcePort}", body["remote"]);
        Assert.Equal($"{IPAddress.Parse(destination)}:{destinationPort}", body["local"]);
        Assert.Equal("True", body["feature"]);
        Assert.Equal(version == 1 ? "V1" : "V2", body["version"]);
        Assert.StartsWith(server == "::1" ? "[::1]:" : "127.0.0.1:", body["transportRemote"]);
        Assert.Equal(new IPEndPoint(IPAddress.Parse(server), app.Port).ToString(), body["transportLocal"]);
    }

    [Fact]
    public async Task Local_health_check_keeps_the_socket_endpoints()
    {
        // SEM-01: LOCAL is accepted and the real socket endpoints are used.
        await using TestServer app = await TestServer.StartAsync(o => o.UseProxyProtocol());

        RawResponse response = await RawClient.SendAsync(app.EndPoint, Headers.Concat(Headers.V2Local(), RawClient.Get()));

        IReadOnlyDictionary<string, string> body = response.Body;
        Assert.StartsWith("127.0.0.1:", body["remote"]);
        Assert.Equal($"127.0.0.1:{app.Port}", body["local"]);
        Assert.Equal("True", body["feature"]);
        Assert.Equal("Local", body["command"]);
        Assert.Equal(string.Empty, body["source"]);
    }

    [Fact]
    public async Task Local_with_dummy_addresses_keeps_the_socket_endpoints()
    {
        // SEM-02 / QUIRK-04: AWS NLB health checks send LOCAL with an IPv4 block; the block is skipped.
        await using TestServer app = await TestServer.StartAsync(o => o.UseProxyProtocol());
        byte[] header = Headers.V2("10.1.2.3", 1111, "10.3.2.1", 80);
        header[12] = 0x20; // version 2, command LOCAL; the address block stays.

        RawResponse response = await RawClient.SendAsync(app.EndPoint, Headers.Concat(header, RawClient.Get()));

        Assert.StartsWith("127.0.0.1:", response.Body["remote"]);
        Assert.Equal("Local", response.Body["command"]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Unknown_or_unspec_keeps_the_socket_endpoints(int version)
    {
        // V1-10, SEM-03: PROXY UNKNOWN / v2 UNSPEC: accepted, real endpoints used.
        await using TestServer app = await TestServer.StartAsync(o => o.UseProxyProtocol());
        // v2 PROXY UNSPEC by hand: the library writes UNKNOWN as v2 LOCAL (TX-04), as HAProxy does.
        byte[] header = version == 1 ? Headers.V1Unknown() : Convert.FromHexString("0D0A0D0A000D0A515549540A21000000");

        RawResponse response = await RawClient.SendAsync(app.EndPoint, Headers.Concat(header, RawClient.Get()));

        Assert.StartsWith("127.0.0.1:", response.Body["remote"]);
        Assert.Equal("Proxy", response.Body["command"]);
    }

    [Fact]
    public async Task Unix_family_is_reported_without_an_ip_address()
    {
        // V2-06: the client came over a Unix socket; there is no IP to show, and the path is in the feature.
        await using TestServer app = await TestServer.StartAsync(o => o.UseProxyProtocol());
        byte[] header = Headers.V2(ProxyHeader.CreateUnix("/run/client.sock", "/run/server.sock"));

        RawResponse response = await RawClient.SendAsync(app.EndPoint, Headers.Concat(header, RawClient.Get()));

        Assert.Equal(":0", response.Body["remote"]);
        Assert.Equal("/run/client.sock", response.Body["source"]);
        Assert.Equal("/run/server.sock", response.Body["destination"]);
    }

    [Fact]
    public async Task Every_keep_alive_request_sees_the_header_address()
    {
        await using TestServer app = await TestServer.StartAsync(o => o.UseProxyProtocol());

        RawResponse response = await RawClient.SendAsync(
            app.EndPoint,
            Headers.Concat(Headers.V1("192.0.2.44", 5000, "192.0.2.1", 80), RawClient.GetKeepAlive(), RawClient.Get()));

        Assert.Equal(2, response.Text.Split("remote=192.0.2.44:5000").Length - 1);
    }
}
