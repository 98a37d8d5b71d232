using System;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using ProxyProtocol.AspNetCore.Internal;
using ProxyProtocol.AspNetCore.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;

namespace ProxyProtocol.AspNetCore.Tests;

/// <summary>Rejected connections reach an operator at default log levels: a Warning, at most one a minute per kind.</summary>
public class RejectionWarningTests
{
    private static readonly EndPoint s_client = new IPEndPoint(IPAddress.Parse("198.51.100.4"), 4000);

    [Fact]
    public void First_rejection_warns_at_once_then_the_rest_are_summed_up_a_minute_later()
    {
        var sink = new LogSink();
        ILogger logger = sink.CreateLogger(LogSink.MiddlewareCategory);
        var time = new ManualTime();
        var reporter = new RejectionReporter(logger, "http://0.0.0.0:8080", TimeSpan.FromSeconds(10), time);

        reporter.Report(RejectionReason.InvalidHeader, ProxyHeaderError.InvalidSignature, s_client);
        for (int i = 0; i < 11; i++)
        {
            time.Advance(TimeSpan.FromSeconds(5));
            reporter.Report(RejectionReason.InvalidHeader, ProxyHeaderError.InvalidSignature, s_client);
        }

        Assert.Single(sink.Entries);                         // 55 s: still one line
        time.Advance(TimeSpan.FromSeconds(5));
        reporter.Report(RejectionReason.InvalidHeader, ProxyHeaderError.InvalidSignature, s_client);

        LogEntry[] entries = sink.Entries.ToArray();
        Assert.Equal(2, entries.Length);
        Assert.All(entries, e => Assert.Equal(LogLevel.Warning, e.Level));
        Assert.Equal("FirstRejection", entries[0].EventId.Name);
        Assert.Contains("http://0.0.0.0:8080 was closed: no PROXY header (InvalidSignature). Is the balancer configured to send one", entries[0].Message, StringComparison.Ordinal);
        Assert.Equal("RejectionSummary", entries[1].EventId.Name);
        Assert.StartsWith("12 connections to http://0.0.0.0:8080 closed in the last 00:01:00: no PROXY header (InvalidSignature).", entries[1].Message, StringComparison.Ordinal);
        Assert.Contains("The last came from 198.51.100.4:4000", entries[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_reason_and_error_has_its_own_window()
    {
        var sink = new LogSink();
        var reporter = new RejectionReporter(sink.CreateLogger(LogSink.MiddlewareCategory), "e", TimeSpan.FromSeconds(10), new ManualTime());

        reporter.Report(RejectionReason.InvalidHeader, ProxyHeaderError.InvalidSignature, s_client);
        reporter.Report(RejectionReason.InvalidHeader, ProxyHeaderError.InvalidPort, s_client);
        reporter.Report(RejectionReason.UntrustedSource, ProxyHeaderError.None, s_client);
        reporter.Report(RejectionReason.InvalidHeader, ProxyHeaderError.InvalidPort, s_client);

        Assert.Equal(3, sink.Entries.Count);
        Assert.Contains(sink.Entries, e => e.Message.Contains("invalid PROXY header (InvalidPort)", StringComparison.Ordinal));
        Assert.Contains(sink.Entries, e => e.Message.Contains("the source is not in TrustedProxies", StringComparison.Ordinal));
    }

    [Fact]
    public void Shutdown_and_empty_probes_are_not_reported()
    {
        var sink = new LogSink();
        var reporter = new RejectionReporter(sink.CreateLogger(LogSink.MiddlewareCategory), "e", TimeSpan.FromSeconds(10), new ManualTime());

        reporter.Report(RejectionReason.ServerShutdown, ProxyHeaderError.None, s_client);
        reporter.Report(RejectionReason.EmptyConnection, ProxyHeaderError.None, s_client);

        Assert.Empty(sink.Entries);
    }

    [Fact]
    public async Task Client_going_around_the_balancer_leaves_a_warning_and_a_tcp_probe_does_not()
    {
        await using TestServer app = await TestServer.StartAsync(o => o.UseProxyProtocol());
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            await probe.ConnectAsync(app.EndPoint);
            probe.Shutdown(SocketShutdown.Send);
            Assert.Empty(await RawClient.ReadToEndAsync(probe));
        }

        RawResponse response = await RawClient.SendAsync(app.EndPoint, RawClient.Get());

        Assert.True(response.IsEmpty);
        LogEntry warning = Assert.Single(app.Logs.Endpoint, e => e.EventId.Name == "FirstRejection");
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("no PROXY header (InvalidSignature)", warning.Message, StringComparison.Ordinal);
        Assert.Contains(app.Logs.Middleware, e => e.EventId.Name == "EmptyConnection" && e.Level == LogLevel.Debug);
        Assert.Contains(app.Metrics.Of("proxy_protocol.rejected_connections"), m => (string?)m.Tags["error.type"] == "empty_connection");
    }

    private sealed class ManualTime : TimeProvider
    {
        private long _ticks = 1_000_000;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
