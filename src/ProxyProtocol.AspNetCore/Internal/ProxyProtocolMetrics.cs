using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ProxyProtocol.AspNetCore.Internal;

/// <summary>
/// The <c>ProxyProtocol.AspNetCore</c> meter: headers accepted, connections rejected, connections waiting for
/// their header, and how long reading the header took. Every measurement carries the endpoint's tags
/// (<see cref="EndpointTags"/>). Created through the host's <see cref="IMeterFactory"/>, so each host (and each
/// test) has its own.
/// </summary>
internal sealed class ProxyProtocolMetrics
{
    public const string MeterName = "ProxyProtocol.AspNetCore";

    private static readonly object s_outcomeAccepted = "accepted";
    private static readonly object s_outcomeNoHeader = "no_header";
    private static readonly object s_outcomeIgnored = "ignored";
    private static readonly object s_outcomeRejected = "rejected";
    private static readonly object s_version1 = "1";
    private static readonly object s_version2 = "2";
    private static readonly object s_commandProxy = "proxy";
    private static readonly object s_commandLocal = "local";

    private readonly Counter<long> _acceptedHeaders;
    private readonly Counter<long> _rejectedConnections;
    private readonly UpDownCounter<long> _pendingConnections;
    private readonly Histogram<double> _headerReadDuration;

    public ProxyProtocolMetrics(IMeterFactory? meterFactory)
    {
        // Without a host (no IMeterFactory) the meter is not scoped; listeners still find it by name.
        Meter meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _acceptedHeaders = meter.CreateCounter<long>(
            "proxy_protocol.accepted_headers",
            unit: "{header}",
            description: "PROXY headers accepted, by version and command.");
        _rejectedConnections = meter.CreateCounter<long>(
            "proxy_protocol.rejected_connections",
            unit: "{connection}",
            description: "Connections closed because of their PROXY header or their source, by reason.");
        _pendingConnections = meter.CreateUpDownCounter<long>(
            "proxy_protocol.pending_connections",
            unit: "{connection}",
            description: "Connections waiting for their PROXY header (and, where HTTP/2 is detected, their first bytes).");
        _headerReadDuration = meter.CreateHistogram(
            "proxy_protocol.header_read.duration",
            unit: "s",
            description: "Time from the connection reaching the middleware until its PROXY header was read or the connection was rejected.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
    }

    public void Pending(KeyValuePair<string, object?>[] endpoint, int delta)
    {
        if (_pendingConnections.Enabled)
        {
            _pendingConnections.Add(delta, new TagList(endpoint));
        }
    }

    public void HeaderAccepted(KeyValuePair<string, object?>[] endpoint, ProxyVersion version, ProxyCommand command, long startTimestamp)
    {
        if (_acceptedHeaders.Enabled)
        {
            var tags = new TagList(endpoint)
            {
                { "proxy_protocol.version", version == ProxyVersion.V1 ? s_version1 : s_version2 },
                { "proxy_protocol.command", command == ProxyCommand.Local ? s_commandLocal : s_commandProxy },
            };
            _acceptedHeaders.Add(1, tags);
        }

        RecordDuration(endpoint, startTimestamp, s_outcomeAccepted);
    }

    public void NoHeader(KeyValuePair<string, object?>[] endpoint, long startTimestamp) => RecordDuration(endpoint, startTimestamp, s_outcomeNoHeader);

    public void HeaderIgnored(KeyValuePair<string, object?>[] endpoint, long startTimestamp) => RecordDuration(endpoint, startTimestamp, s_outcomeIgnored);

    public void ConnectionRejected(KeyValuePair<string, object?>[] endpoint, RejectionReason reason, ProxyHeaderError error, long startTimestamp)
    {
        if (_rejectedConnections.Enabled)
        {
            var tags = new TagList(endpoint) { { "error.type", RejectionReasons.GetName(reason) } };
            if (error != ProxyHeaderError.None)
            {
                tags.Add("proxy_protocol.header_error", RejectionReasons.GetName(error));
            }

            _rejectedConnections.Add(1, tags);
        }

        if (startTimestamp != 0)
        {
            RecordDuration(endpoint, startTimestamp, s_outcomeRejected);
        }
    }

    private void RecordDuration(KeyValuePair<string, object?>[] endpoint, long startTimestamp, object outcome)
    {
        if (_headerReadDuration.Enabled)
        {
            var tags = new TagList(endpoint) { { "proxy_protocol.outcome", outcome } };
            _headerReadDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, tags);
        }
    }
}
