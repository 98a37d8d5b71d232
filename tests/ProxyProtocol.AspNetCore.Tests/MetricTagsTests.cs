using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using ProxyProtocol.AspNetCore.Tests.Infrastructure;

namespace ProxyProtocol.AspNetCore.Tests;

/// <summary>Every instrument carries the endpoint (OpenTelemetry's server.*, network.*), and rejections reach Kestrel's own metric.</summary>
public class MetricTagsTests
{
    [Fact]
    public async Task Instruments_carry_the_endpoint_tags_of_the_socket()
    {
        await using TestServer app = await TestServer.StartAsync(o => o.UseProxyProtocol());

        await RawClient.SendAsync(app.EndPoint, Headers.V1("192.0.2.1", 1, "192.0.2.2", 2), RawClient.Get());
        await RawClient.SendAsync(app.EndPoint, "GARBAGE\r\n"u8.ToArray());

        // The socket's endpoint, not the header's destination (192.0.2.2:2).
        foreach (string instrument in new[] { "proxy_protocol.accepted_headers", "proxy_protocol.rejected_connections", "proxy_protocol.header_read.duration", "proxy_protocol.pending_connections" })
        {
            Measurement measurement = app.Metrics.Of(instrument).First();
            Assert.Equal("127.0.0.1", measurement.Tags["server.address"]);
            Assert.Equal(app.Port, measurement.Tags["server.port"]);
            Assert.Equal("tcp", measurement.Tags["network.transport"]);
            Assert.Equal("ipv4", measurement.Tags["network.type"]);
        }

        // Up when a connection starts waiting, down when its header is read or it is rejected.
        Assert.Equal(0, app.Metrics.Of("proxy_protocol.pending_connections").Sum(m => m.Value));
        Assert.Contains(app.Metrics.Of("proxy_protocol.pending_connections"), m => m.Value == 1);
    }

    [Fact]
    public async Task Rejected_connection_has_error_type_on_kestrels_connection_duration()
    {
        await using TestServer app = await TestServer.StartAsync(o => o.UseProxyProtocol());
        var kestrel = new ConcurrentQueue<IReadOnlyDictionary<string, object?>>();
        using var recordedOne = new System.Threading.SemaphoreSlim(0);
        using var listener = new MeterListener();
        IMeterFactory scope = app.App.Services.GetRequiredService<IMeterFactory>();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "kestrel.connection.duration" && ReferenceEquals(instrument.Meter.Scope, scope))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, _, tags, _) =>
        {
            kestrel.Enqueue(tags.ToArray().ToDictionary(t => t.Key, t => t.Value));
            recordedOne.Release();
        });
        listener.Start();

        await RawClient.SendAsync(app.EndPoint, "GET / HTTP/1.1\r\n\r\n"u8.ToArray());
        await RawClient.SendAsync(app.EndPoint, Headers.V1("192.0.2.1", 1, "192.0.2.2", 2), RawClient.Get());

        // Kestrel records the duration when it has finished with the connection, just after the client saw the close.
        Assert.True(await recordedOne.WaitAsync(RawClient.Timeout) && await recordedOne.WaitAsync(RawClient.Timeout), "Kestrel recorded no connection duration");
        IReadOnlyDictionary<string, object?>[] recorded = kestrel.ToArray();
        Assert.Contains(recorded, tags => tags.TryGetValue("error.type", out object? type) && (string?)type == "invalid_header");
        Assert.Contains(recorded, tags => !tags.ContainsKey("error.type"));
    }
}
