using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using ProxyProtocol.AspNetCore.Tests.Infrastructure;

namespace ProxyProtocol.AspNetCore.Tests;

/// <summary>
/// The connection pipeline Kestrel builds, run over in-memory pipes: for transports the loopback tests cannot
/// produce (a dual-mode socket's IPv4-mapped address, a Unix socket listener) and for use outside a host.
/// </summary>
public class PipelineTests
{
    private static async Task<(bool NextCalled, InMemoryConnection Connection)> RunAsync(ProxyProtocolOptions options, EndPoint remote, byte[] input)
    {
        bool nextCalled = false;
        ConnectionDelegate app = InMemoryConnection.BuildPipeline(listenOptions =>
        {
            listenOptions.UseProxyProtocol(options);
            listenOptions.Use(next => context =>
            {
                nextCalled = true;
                return next(context);
            });
        });
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(input);
        await pipe.Writer.CompleteAsync();
        var connection = new InMemoryConnection(pipe.Reader, remote);

        await app(connection).WaitAsync(RawClient.Timeout);

        return (nextCalled, connection);
    }

    [Fact]
    public async Task Ipv4_mapped_source_matches_an_ipv4_network()
    {
        // A dual-mode ([::]) listener reports IPv4 clients as ::ffff:a.b.c.d.
        var options = new ProxyProtocolOptions();
        options.TrustedProxies.Add(IPNetwork.Parse("10.0.0.0/8"));
        var remote = new IPEndPoint(IPAddress.Parse("::ffff:10.1.2.3"), 40000);

        (bool nextCalled, InMemoryConnection connection) = await RunAsync(options, remote, Headers.V1("192.0.2.1", 1, "192.0.2.2", 2));

        Assert.True(nextCalled);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 1), connection.RemoteEndPoint);
    }

    [Fact]
    public async Task Ipv4_mapped_source_outside_the_network_is_rejected()
    {
        var options = new ProxyProtocolOptions();
        options.TrustedProxies.Add(IPNetwork.Parse("10.0.0.0/8"));
        var remote = new IPEndPoint(IPAddress.Parse("::ffff:192.168.1.1"), 40000);

        (bool nextCalled, InMemoryConnection connection) = await RunAsync(options, remote, Headers.V1("192.0.2.1", 1, "192.0.2.2", 2));

        Assert.False(nextCalled);
        Assert.Equal(remote, connection.RemoteEndPoint);
    }

    [Fact]
    public async Task Unix_socket_transport_is_untrusted_once_networks_are_listed()
    {
        var listed = new ProxyProtocolOptions();
        listed.TrustedProxies.Add(IPNetwork.Parse("127.0.0.0/8"));
        var remote = new UnixDomainSocketEndPoint("/run/balancer.sock");
        byte[] header = Headers.V1("192.0.2.1", 1, "192.0.2.2", 2);

        (bool rejectedNext, _) = await RunAsync(listed, remote, header);
        (bool acceptedNext, InMemoryConnection accepted) = await RunAsync(new ProxyProtocolOptions(), remote, header);

        Assert.False(rejectedNext);
        Assert.True(acceptedNext);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 1), accepted.RemoteEndPoint);
    }

    [Fact]
    public async Task Works_outside_a_host_without_services()
    {
        (bool nextCalled, InMemoryConnection connection) = await RunAsync(new ProxyProtocolOptions(), new IPEndPoint(IPAddress.Loopback, 1), Headers.V2Local());

        Assert.True(nextCalled);
        Assert.Equal(ProxyCommand.Local, connection.Features.Get<IProxyProtocolFeature>()!.Header.Command);
    }
}
