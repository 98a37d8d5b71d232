using System;
using System.Collections.Concurrent;
using System.Net;
using System.Threading;
using Microsoft.Extensions.Logging;

namespace ProxyProtocol.AspNetCore.Internal;

/// <summary>
/// Turns the per-connection Debug lines of rejected connections into a Warning an operator sees at default log
/// levels: the first rejection of a kind on an endpoint is reported at once, later ones at most once a
/// <see cref="Interval"/>, with how many there were.
/// </summary>
/// <remarks>
/// A kind is a reason and, for invalid headers, the parser's error. Under a flood of bad connections this costs
/// an increment per connection and one log line per kind a minute. Connections the server closes while shutting
/// down, and TCP probes that close without sending a byte (health checks), are not the operator's problem and are
/// not reported.
/// </remarks>
internal sealed class RejectionReporter
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    private readonly ILogger _logger;
    private readonly string _endpoint;
    private readonly TimeProvider _time;
    private readonly TimeSpan _headerTimeout;
    private readonly ConcurrentDictionary<int, Window> _windows = new();

    public RejectionReporter(ILogger logger, string endpoint, TimeSpan headerTimeout, TimeProvider? time = null)
    {
        _logger = logger;
        _endpoint = endpoint;
        _headerTimeout = headerTimeout;
        _time = time ?? TimeProvider.System;
    }

    public void Report(RejectionReason reason, ProxyHeaderError error, EndPoint? remote)
    {
        if (reason is RejectionReason.ServerShutdown or RejectionReason.EmptyConnection or RejectionReason.None
            || !_logger.IsEnabled(LogLevel.Warning))
        {
            return;
        }

        Window window = _windows.GetOrAdd(((int)reason << 16) | (int)error, static _ => new Window());
        Interlocked.Increment(ref window.Count);
        long now = _time.GetTimestamp();
        long last = Volatile.Read(ref window.LastReport);
        if (last != 0 && _time.GetElapsedTime(last, now) < Interval)
        {
            return;
        }

        // One thread wins the report; the others' increments are counted in it or in the next one.
        if (Interlocked.CompareExchange(ref window.LastReport, now, last) != last)
        {
            return;
        }

        long count = Interlocked.Exchange(ref window.Count, 0);
        (string what, string hint) = Describe(reason, error);
        if (last == 0)
        {
            ProxyProtocolLog.FirstRejection(_logger, _endpoint, what, hint, remote);
        }
        else
        {
            ProxyProtocolLog.RejectionSummary(_logger, count, _endpoint, _time.GetElapsedTime(last, now), what, hint, remote);
        }
    }

    private (string What, string Hint) Describe(RejectionReason reason, ProxyHeaderError error) => reason switch
    {
        RejectionReason.InvalidHeader when error == ProxyHeaderError.InvalidSignature => (
            "no PROXY header (InvalidSignature)",
            "Is the balancer configured to send one (HAProxy send-proxy or send-proxy-v2, nginx proxy_protocol on, a target group with PROXY protocol v2)? Clients that go around the balancer end here too."),
        RejectionReason.InvalidHeader => (
            $"invalid PROXY header ({RejectionReasons.GetName(error)})",
            "The sender's header breaks the PROXY protocol spec in the way the error names; see docs/conformance.md."),
        RejectionReason.IncompleteHeader => (
            "closed before its PROXY header was complete",
            "A sender that cuts the header short, or clients that go around the balancer, end here."),
        RejectionReason.Timeout => (
            $"no complete PROXY header, or no request after it, within {_headerTimeout}",
            "Is the balancer configured to send a header? Slow or idle clients end here too (HeaderTimeout)."),
        RejectionReason.UntrustedSource => (
            "the source is not in TrustedProxies",
            "If the source is one of your balancers, add its network to ProxyProtocol:TrustedProxies; otherwise a client is going around the balancer."),
        RejectionReason.ValidationFailed => (
            "HeaderValidation rejected the header",
            "The HeaderValidation callback returned false or threw."),
        _ => (
            "TLS ran before the PROXY header middleware",
            "Call UseProxyProtocol() before UseHttps() or any other TLS middleware."),
    };

    private sealed class Window
    {
        public long Count;
        public long LastReport;
    }
}
