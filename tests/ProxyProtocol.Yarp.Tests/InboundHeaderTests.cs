using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using ProxyProtocol.Interop.Tests.Infrastructure;
using ProxyProtocol.Yarp.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ProxyProtocol.Yarp.Tests;

/// <summary>
/// A balancer -> YARP (<c>UseProxyProtocol()</c>) -> destination chain: the header YARP sends names the balancer's
/// client, and keeps the TLVs that describe that client's connection.
/// </summary>
public sealed class InboundHeaderTests(ITestOutputHelper output) : InteropTest(output)
{
    [Fact]
    public async Task The_balancers_client_unique_id_and_authority_are_passed_on_with_a_new_CRC()
    {
        RecordingBackend backend = await RecordingBackend.StartAsync(Scope, HttpProtocols.Http1);
        var cluster = new Dictionary<string, string?>(PerClientConnectionTests.Cluster(backend, "v2", "1.1"))
        {
            ["Metadata:ProxyProtocolTlvs"] = "uniqueid, authority, crc32c",
        };
        YarpApp yarp = await YarpApp.StartAsync(Scope, cluster, acceptProxyProtocol: true);
        var client = new IPEndPoint(IPAddress.Parse("203.0.113.9"), 4242);
        var frontend = new IPEndPoint(IPAddress.Parse("198.51.100.3"), 443);
        byte[] header = new byte[256];
        var builder = new ProxyV2HeaderBuilder(header, ProxyHeader.CreateProxy(client, frontend));
        builder.AddUniqueId("lb-conn-42"u8);
        builder.AddAuthority("shop.example");
        builder.Complete(out int length);

        using Socket balancer = await RawHttp.ConnectAsync(yarp.EndPoints[0]);
        await balancer.SendAsync(header.AsMemory(0, length), SocketFlags.None);
        HttpReply reply = await Scope.WithinAsync(RawHttp.GetAsync(new NetworkStream(balancer), "localhost"), "GET with a balancer's header");

        Assert.True(reply.Status == 200, $"{reply.Text}\n{Scope.Diagnostics}");
        Assert.Contains($"{client}\n", reply.Body, StringComparison.Ordinal); // chunked: the raw reply keeps the chunk framing
        BackendConnection connection = Assert.Single(backend.Connections);
        ReceivedProxyHeader received = connection.Received!.Value;
        Assert.Equal(client, received.Header.GetSourceEndPoint());
        Assert.Equal(frontend, received.Header.GetDestinationEndPoint());
        Assert.True(received.Tlvs.TryGetUniqueId(out ReadOnlySpan<byte> id));
        Assert.Equal("lb-conn-42", Encoding.ASCII.GetString(id));
        Assert.True(received.Tlvs.TryGetAuthority(out ReadOnlySpan<byte> authority));
        Assert.Equal("shop.example", Encoding.ASCII.GetString(authority));
        Assert.True(received.Tlvs.TryGetCrc32c(out _)); // UseProxyProtocol() on the backend verifies it by default
    }
}
