using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using ProxyProtocol.Interop.Tests.Infrastructure;
using ProxyProtocol.Yarp.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ProxyProtocol.Yarp.Tests;

/// <summary>
/// A header describes a connection (RX-07): a destination connection opened for one client connection must carry
/// that client's requests only, and close when it closes. The backend reads each connection's header and records
/// which client's requests arrived on it; the expected client address is what the client's own socket reports.
/// </summary>
public sealed class PerClientConnectionTests(ITestOutputHelper output) : InteropTest(output)
{
    private const int Clients = 4;
    private const int Rounds = 6;

    [Theory]
    [InlineData("1.1")]
    [InlineData("2")]
    public async Task Interleaved_requests_of_several_clients_arrive_only_on_connections_whose_header_names_their_client(string destinationVersion)
    {
        RecordingBackend backend = await RecordingBackend.StartAsync(Scope, destinationVersion == "2" ? HttpProtocols.Http2 : HttpProtocols.Http1);
        YarpApp yarp = await YarpApp.StartAsync(Scope, Cluster(backend, "v2", destinationVersion));

        List<ProxyClient> clients = Enumerable.Range(0, Clients).Select(i => new ProxyClient(yarp.EndPoints[0], $"client{i}")).ToList();
        try
        {
            // Every round, all clients at once: their requests reach YARP interleaved.
            for (int round = 0; round < Rounds; round++)
            {
                string[] bodies = await Scope.WithinAsync(Task.WhenAll(clients.Select(c => c.GetAsync())), $"round {round}");
                for (int i = 0; i < Clients; i++)
                {
                    Assert.Equal($"{await clients[i].LocalEndPoint}\n", bodies[i]);
                }
            }

            Dictionary<string, IPEndPoint> expected = [];
            foreach (ProxyClient client in clients)
            {
                expected[client.Name] = await client.LocalEndPoint;
            }

            IReadOnlyCollection<BackendConnection> connections = backend.Connections;
            Assert.Equal(Clients * Rounds, connections.Sum(c => c.Clients.Count));
            foreach (BackendConnection connection in connections)
            {
                Assert.True(connection.Header is { Command: ProxyCommand.Proxy }, $"connection {connection.Id} has header {connection.Header}");
                string[] senders = connection.Clients.Distinct().ToArray();
                Assert.True(senders.Length == 1, $"connection {connection.Id} ({connection.Header}) carried requests of {string.Join(", ", senders)}");
                Assert.Equal(expected[senders[0]], connection.Header!.Value.GetSourceEndPoint());
                Assert.Equal(yarp.EndPoints[0], connection.Header!.Value.GetDestinationEndPoint());
            }

            // One client connection, requests one at a time: one destination connection each, reused.
            Assert.Equal(Clients, connections.Count);
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    // HTTP/2 clients multiplex concurrent requests on one connection to YARP; each client's still reach the
    // destination only on connections announced for that client.
    [Fact]
    public async Task Concurrent_requests_of_HTTP2_clients_stay_on_their_clients_destination_connections()
    {
        RecordingBackend backend = await RecordingBackend.StartAsync(Scope, HttpProtocols.Http2);
        YarpApp yarp = await YarpApp.StartAsync(Scope, Cluster(backend, "v2", "2"), protocols: HttpProtocols.Http2);
        List<ProxyClient> clients = Enumerable.Range(0, 3).Select(i => new ProxyClient(yarp.EndPoints[0], $"h2client{i}", http2: true)).ToList();
        try
        {
            Task<string>[] requests = clients.SelectMany(c => Enumerable.Range(0, 8).Select(_ => c.GetAsync())).ToArray();
            await Scope.WithinAsync(Task.WhenAll(requests), "concurrent HTTP/2 requests");

            foreach (BackendConnection connection in backend.Connections)
            {
                string[] senders = connection.Clients.Distinct().ToArray();
                Assert.True(senders.Length == 1, $"connection {connection.Id} ({connection.Header}) carried requests of {string.Join(", ", senders)}");
                ProxyClient owner = clients.Single(c => c.Name == senders[0]);
                Assert.Equal(await owner.LocalEndPoint, connection.Header!.Value.GetSourceEndPoint());
            }

            Assert.Equal(24, backend.Connections.Sum(c => c.Clients.Count));
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task Destination_connections_close_when_their_client_connection_closes_and_only_then()
    {
        RecordingBackend backend = await RecordingBackend.StartAsync(Scope, HttpProtocols.Http1);
        YarpApp yarp = await YarpApp.StartAsync(Scope, Cluster(backend, "v1", "1.1"));
        using var staying = new ProxyClient(yarp.EndPoints[0], "staying");
        var leaving = new ProxyClient(yarp.EndPoints[0], "leaving");

        await Scope.WithinAsync(Task.WhenAll(staying.GetAsync(), leaving.GetAsync()), "first requests");
        IPEndPoint leavingAddress = await leaving.LocalEndPoint;
        BackendConnection leavingConnection = await Scope.WithinAsync(backend.WaitForConnectionAsync(c => leavingAddress.Equals(c.Header?.GetSourceEndPoint())), "leaving client's destination connection");
        IPEndPoint stayingAddress = await staying.LocalEndPoint;
        BackendConnection stayingConnection = await Scope.WithinAsync(backend.WaitForConnectionAsync(c => stayingAddress.Equals(c.Header?.GetSourceEndPoint())), "staying client's destination connection");

        leaving.Dispose();
        await Scope.WithinAsync(leavingConnection.Closed, "the destination connection of the client that left to close");

        Assert.False(stayingConnection.Closed.IsCompleted, "the other client's destination connection closed too");
        await Scope.WithinAsync(staying.GetAsync(), "a request of the client that stayed");
        Assert.Equal(2, stayingConnection.Clients.Count);
        Assert.Equal(2, backend.Connections.Count);
    }

    [Fact]
    public async Task Active_health_probes_go_out_with_a_LOCAL_header()
    {
        RecordingBackend backend = await RecordingBackend.StartAsync(Scope, HttpProtocols.Http1);
        var cluster = new Dictionary<string, string?>(Cluster(backend, "v2", "1.1"))
        {
            ["HealthCheck:Active:Enabled"] = "true",
            ["HealthCheck:Active:Interval"] = "00:00:01",
            ["HealthCheck:Active:Policy"] = "ConsecutiveFailures",
            ["HealthCheck:Active:Path"] = "/health",
        };
        await YarpApp.StartAsync(Scope, cluster);

        BackendConnection probe = await Scope.WithinAsync(backend.WaitForConnectionAsync(c => c.Header is not null), "a health probe");

        Assert.Equal(ProxyCommand.Local, probe.Header!.Value.Command);
        Assert.False(probe.Header.Value.HasAddresses);
    }

    [Fact]
    public async Task Enabled_in_code_without_metadata()
    {
        RecordingBackend backend = await RecordingBackend.StartAsync(Scope, HttpProtocols.Http1);
        var cluster = new Dictionary<string, string?> { ["Destinations:d1:Address"] = $"http://{backend.EndPoint}/" };
        YarpApp yarp = await YarpApp.StartAsync(Scope, cluster, configure: o => o.EnableCluster("C1", ProxyVersion.V1));
        using var client = new ProxyClient(yarp.EndPoints[0], "client");

        string body = await Scope.WithinAsync(client.GetAsync(), "request");

        Assert.Equal($"{await client.LocalEndPoint}\n", body);
        BackendConnection connection = Assert.Single(backend.Connections);
        Assert.Equal(ProxyVersion.V1, connection.Header!.Value.Version);
    }

    [Fact]
    public async Task A_wrong_metadata_value_stops_the_app_at_startup_naming_the_cluster()
    {
        var cluster = new Dictionary<string, string?>
        {
            ["Metadata:ProxyProtocol"] = "v3",
            ["Destinations:d1:Address"] = "http://127.0.0.1:9/",
        };

        Exception e = await Assert.ThrowsAnyAsync<Exception>(() => YarpApp.StartAsync(Scope, cluster));

        Assert.Contains("Cluster 'c1': metadata ProxyProtocol is 'v3'", e.ToString(), StringComparison.Ordinal);
    }

    internal static Dictionary<string, string?> Cluster(RecordingBackend backend, string proxyProtocol, string destinationVersion) => new()
    {
        ["Metadata:ProxyProtocol"] = proxyProtocol,
        ["Destinations:d1:Address"] = $"http://{backend.EndPoint}/",
        ["HttpRequest:Version"] = destinationVersion,
        ["HttpRequest:VersionPolicy"] = "RequestVersionExact",
    };
}
