using System;
using System.Buffers;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.IO.Pipelines;
using System.Net;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Logging;
using ProxyProtocol.AspNetCore.Internal;

namespace ProxyProtocol.AspNetCore;

/// <summary>
/// Kestrel connection middleware that reads the PROXY header before anything else on the connection, then
/// hands the connection on with the client's endpoints in place of the proxy's.
/// </summary>
/// <remarks>
/// <para>
/// Kestrel's HTTP layer builds <c>HttpContext.Connection</c> from <see cref="BaseConnectionContext.RemoteEndPoint"/>
/// and <see cref="BaseConnectionContext.LocalEndPoint"/> when the connection reaches it, so replacing those two
/// before calling the next middleware is all it takes. A rejected connection is closed by returning without
/// calling the next middleware: Kestrel then closes the socket, and nothing is written.
/// </para>
/// <para>
/// On a cleartext endpoint that allows HTTP/1.1 and HTTP/2, the first bytes after the header choose the version
/// (<see cref="Http2Preface"/>), and a trusted header that says the client used TLS makes the connection report
/// https; both reach Kestrel's HTTP layer as connection features set before the next middleware runs.
/// </para>
/// </remarks>
internal sealed class ProxyProtocolConnectionMiddleware
{
    private readonly ConnectionDelegate _next;
    private readonly ILogger _logger;
    private readonly ProxyProtocolMetrics _metrics;
    private readonly EndpointBinding _endpoint;
    private readonly EndpointTags _tags = new();
    private readonly DestinationEndPointCache _destinations = new();
    private readonly RejectionReporter _reporter;
    private readonly bool _requireHeader;
    private readonly IPNetwork[] _trustedProxies;
    private readonly UntrustedSourceAction _untrustedSourceAction;
    private readonly TimeSpan _headerTimeout;
    private readonly long _headerTimeoutTicks;
    private readonly ProxyParserOptions _parserOptions;
    private readonly Func<ProxyHeaderValidationContext, bool>? _headerValidation;
    private int _duplicateLogged;

    /// <summary>Creates the middleware with a snapshot of the options.</summary>
    /// <param name="next">The rest of the connection pipeline.</param>
    /// <param name="options">The options, read once here.</param>
    /// <param name="endpoint">What was decided about the endpoint when Kestrel bound it.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="metrics">The meter's instruments.</param>
    public ProxyProtocolConnectionMiddleware(ConnectionDelegate next, ProxyProtocolOptions options, EndpointBinding endpoint, ILogger logger, ProxyProtocolMetrics metrics)
    {
        _next = next;
        _logger = logger;
        _metrics = metrics;
        _endpoint = endpoint;
        _requireHeader = options.RequireHeader;
        _untrustedSourceAction = options.UntrustedSourceAction;
        _headerTimeout = options.HeaderTimeout;
        _headerTimeoutTicks = options.HeaderTimeout == Timeout.InfiniteTimeSpan ? long.MaxValue : (long)(options.HeaderTimeout.TotalSeconds * Stopwatch.Frequency);
        _parserOptions = options.ParserOptions;
        _headerValidation = options.HeaderValidation;
        _trustedProxies = new IPNetwork[options.TrustedProxies.Count];
        options.TrustedProxies.CopyTo(_trustedProxies, 0);
        _reporter = new RejectionReporter(logger, endpoint.Name, options.HeaderTimeout);
    }

    /// <summary>Reads the header, applies it, and runs the rest of the pipeline; or closes the connection.</summary>
    /// <param name="context">The connection.</param>
    /// <returns>A task that completes when the connection is done.</returns>
    public Task OnConnectionAsync(ConnectionContext context)
    {
        // The indexer, not Features.Get<T>(): a generic virtual call through the interface costs a dispatch-cache
        // lookup per call, and this runs on every connection.
        if (context.Features[typeof(IProxyProtocolFeature)] is not null)
        {
            // A second UseProxyProtocol() on the same endpoint would read the request as a header and reject it.
            if (Interlocked.Exchange(ref _duplicateLogged, 1) == 0)
            {
                ProxyProtocolLog.DuplicateMiddleware(_logger, context.ConnectionId, _endpoint.Name);
            }

            return _next(context);
        }

        KeyValuePair<string, object?>[] tags = _tags.For(context.LocalEndPoint);
        if (context.Features[typeof(ITlsConnectionFeature)] is not null)
        {
            // UseHttps() is refused at registration when it comes first; this catches other TLS middleware.
            ProxyProtocolLog.TlsBeforeProxyProtocol(_logger, context.ConnectionId);
            RejectNow(context, tags, RejectionReason.TlsBeforeProxyProtocol);
            return Task.CompletedTask;
        }

        bool trusted = IsTrusted(context.RemoteEndPoint);
        if (!trusted && _untrustedSourceAction == UntrustedSourceAction.Reject)
        {
            ProxyProtocolLog.UntrustedSource(_logger, context.ConnectionId, context.RemoteEndPoint);
            RejectNow(context, tags, RejectionReason.UntrustedSource);
            return Task.CompletedTask;
        }

        long start = Stopwatch.GetTimestamp();
        _metrics.Pending(tags, 1);
        ValueTask<Task> run = ReadHeaderAsync(context, optional: !trusted || !_requireHeader, trusted, tags, start);

        // A header that was already buffered is handled without a state machine on the heap.
        return run.IsCompletedSuccessfully ? run.Result : AwaitConnectionAsync(run);
    }

    /// <summary>
    /// The usual path on a socket: the header was not in yet. This small state machine is the one allocation of the
    /// wait; the one that reads the header is pooled and goes back to its pool once the header is read.
    /// </summary>
    private static async Task AwaitConnectionAsync(ValueTask<Task> run)
    {
        Task next = await run.ConfigureAwait(false);
        await next.ConfigureAwait(false);
    }

    /// <summary>Applies the outcome of the read: runs the rest of the pipeline, or closes the connection.</summary>
    private Task Continue(ConnectionContext context, in ReadOutcome outcome, bool trusted, KeyValuePair<string, object?>[] tags, long start)
    {
        if (outcome.Rejection != RejectionReason.None)
        {
            Reject(context, tags, outcome.Rejection, outcome.Error, start);
            return Task.CompletedTask;
        }

        ProxyProtocolFeature? feature = outcome.Feature;
        if (feature is null)
        {
            ProxyProtocolLog.NoHeader(_logger, context.ConnectionId, context.RemoteEndPoint);
            _metrics.NoHeader(tags, start);
            SelectProtocol(context, https: false, outcome.Http2);
            return _next(context);
        }

        if (!trusted)
        {
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                ProxyProtocolLog.UntrustedHeaderIgnored(_logger, context.ConnectionId, context.RemoteEndPoint, feature.Header.ToString());
            }

            _metrics.HeaderIgnored(tags, start);
            SelectProtocol(context, https: false, outcome.Http2);
            return _next(context);
        }

        if (_headerValidation is not null && !Validate(context, feature))
        {
            Reject(context, tags, RejectionReason.ValidationFailed, ProxyHeaderError.None, start);
            return Task.CompletedTask;
        }

        Apply(context, feature);
        SelectProtocol(context, https: _endpoint.HttpsFromHeader && feature.ClientUsedTls, outcome.Http2);
        _metrics.HeaderAccepted(tags, feature.Header.Version, feature.Header.Command, start);
        if (_logger.IsEnabled(LogLevel.Trace))
        {
            ProxyProtocolLog.HeaderAccepted(_logger, context.ConnectionId, feature.TransportRemoteEndPoint, feature.Header.ToString());
        }

        return _next(context);
    }

    /// <summary>
    /// Reads the header within the timeout, then, where the endpoint detects HTTP/2, the first bytes after it
    /// within the same timeout; then applies the outcome and returns the rest of the pipeline's task. Pooled, and
    /// it keeps the large header value out of the caller's state machine.
    /// </summary>
    /// <remarks>
    /// The deadline is armed only when a read has to wait, so a buffered header costs no timer and no registration.
    /// </remarks>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<Task> ReadHeaderAsync(ConnectionContext context, bool optional, bool trusted, KeyValuePair<string, object?>[] tags, long start)
    {
        PipeReader input = context.Transport.Input;
        HeaderDeadline deadline = HeaderDeadline.Pool.Rent();
        CancellationToken token = deadline.Token;
        ReadOutcome outcome;
        try
        {
            ReceivedProxyHeader? header;
            if (optional)
            {
                ValueTask<ReceivedProxyHeader?> read = input.ReadOptionalProxyHeaderAsync(_parserOptions, token);
                ArmIfWaiting(read.IsCompleted, deadline, context, start);
                header = await read.ConfigureAwait(false);
            }
            else
            {
                ValueTask<ReceivedProxyHeader> read = input.ReadProxyHeaderAsync(_parserOptions, token);
                ArmIfWaiting(read.IsCompleted, deadline, context, start);
                header = await read.ConfigureAwait(false);
            }

            ProxyProtocolFeature? feature = header is { } received
                ? new ProxyProtocolFeature(received, context.RemoteEndPoint, context.LocalEndPoint)
                : null;
            bool http2 = false;
            if (_endpoint.DetectHttp2Preface)
            {
                ValueTask<bool> preface = StartsWithHttp2PrefaceAsync(input, token);
                ArmIfWaiting(preface.IsCompleted, deadline, context, start);
                http2 = await preface.ConfigureAwait(false);
            }

            outcome = new ReadOutcome(feature, http2);
        }
        catch (ProxyProtocolException ex) when (ex.Error == ProxyHeaderError.IncompleteHeader && ClosedWithoutData(input))
        {
            outcome = new ReadOutcome(RejectionReason.EmptyConnection, ProxyHeaderError.None);
        }
        catch (ProxyProtocolException ex)
        {
            outcome = new ReadOutcome(ex.Error == ProxyHeaderError.IncompleteHeader ? RejectionReason.IncompleteHeader : RejectionReason.InvalidHeader, ex.Error);
        }
        catch (OperationCanceledException) when (CloseRequested(context).IsCancellationRequested)
        {
            outcome = new ReadOutcome(RejectionReason.ServerShutdown, ProxyHeaderError.None);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            outcome = new ReadOutcome(RejectionReason.Timeout, ProxyHeaderError.None);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            // The transport failed or was aborted (a reset): the header cannot be complete.
            outcome = new ReadOutcome(RejectionReason.IncompleteHeader, ProxyHeaderError.None);
        }
        finally
        {
            HeaderDeadline.Pool.Return(deadline);
            _metrics.Pending(tags, -1);
        }

        return Continue(context, outcome, trusted, tags, start);
    }

    /// <summary>Starts the header deadline (and the watch for shutdown) once a read did not complete at once.</summary>
    private void ArmIfWaiting(bool completed, HeaderDeadline deadline, ConnectionContext context, long start)
    {
        if (!completed)
        {
            deadline.Arm(_headerTimeoutTicks == long.MaxValue ? long.MaxValue : start + _headerTimeoutTicks, CloseRequested(context));
        }
    }

    /// <summary>Kestrel's per-connection shutdown signal; read only when a header is awaited or a read was cancelled.</summary>
    private static CancellationToken CloseRequested(ConnectionContext context) =>
        context.Features.Get<IConnectionLifetimeNotificationFeature>()?.ConnectionClosedRequested ?? default;

    /// <summary>
    /// Whether the peer closed without sending a byte, as TCP health checks and port probes do. Asked only once the
    /// header reader found the pipe complete, so the read returns at once; it consumes nothing.
    /// </summary>
    private static bool ClosedWithoutData(PipeReader input)
    {
        if (!input.TryRead(out ReadResult result))
        {
            return false;
        }

        input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        return result.IsCompleted && result.Buffer.IsEmpty;
    }

    /// <summary>
    /// Looks at the first bytes after the header for the HTTP/2 preface, deciding as soon as they cannot be it.
    /// Consumes nothing; examines everything only while waiting for more, so the next reader sees the bytes at once.
    /// </summary>
    private static ValueTask<bool> StartsWithHttp2PrefaceAsync(PipeReader input, CancellationToken token)
    {
        // The request usually came with the header: decided from what is buffered, without an async method.
        if (!token.IsCancellationRequested && input.TryRead(out ReadResult result) && TryMatchPreface(input, result, out bool http2))
        {
            return new ValueTask<bool>(http2);
        }

        return WaitForPrefaceAsync(input, token);
    }

    private static async ValueTask<bool> WaitForPrefaceAsync(PipeReader input, CancellationToken token)
    {
        while (true)
        {
            ReadResult result = await input.ReadAsync(token).ConfigureAwait(false);
            if (TryMatchPreface(input, result, out bool http2))
            {
                return http2;
            }
        }
    }

    /// <summary>Decides from one read's bytes, or marks them all examined so the next read waits for more.</summary>
    private static bool TryMatchPreface(PipeReader input, in ReadResult result, out bool http2)
    {
        ReadOnlySequence<byte> buffer = result.Buffer;
        OperationStatus match = Http2Preface.Match(buffer);
        if (match != OperationStatus.NeedMoreData || result.IsCompleted)
        {
            input.AdvanceTo(buffer.Start);
            http2 = match == OperationStatus.Done;
            return true;
        }

        input.AdvanceTo(buffer.Start, buffer.End);
        if (result.IsCanceled)
        {
            throw new OperationCanceledException("The read of the first bytes after the PROXY header was cancelled.");
        }

        http2 = false;
        return false;
    }

    /// <summary>Sets the feature and the header's endpoints (PROXY over IP or UNIX only).</summary>
    private void Apply(ConnectionContext context, ProxyProtocolFeature feature)
    {
        context.Features[typeof(IProxyProtocolFeature)] = feature;

        ProxyHeader header = feature.Header;
        if (header.HasAddresses)
        {
            // LOCAL and UNSPEC keep the socket's endpoints (SEM-01, SEM-03).
            // The destination is the balancer's own address, the same on most connections: shared, not rebuilt.
            EndPoint? source = header.GetSourceEndPoint();
            EndPoint? destination = header.AddressFamily == ProxyAddressFamily.Unix ? header.GetDestinationEndPoint() : _destinations.Get(header);
            feature.SetEndPoints(source, destination);
            context.RemoteEndPoint = source;
            context.LocalEndPoint = destination;
        }
    }

    /// <summary>
    /// Tells Kestrel's HTTP layer what to serve: https when the trusted header says the client used TLS, HTTP/2
    /// when the preface was seen. Without TLS, HTTP/2 is selected through Kestrel's own per-connection protocol
    /// feature so the scheme stays http; only where that is unavailable does a TLS feature stand in (scheme https).
    /// </summary>
    private void SelectProtocol(ConnectionContext context, bool https, bool http2)
    {
        if (https || (http2 && !KestrelProtocolSelection.TrySelectHttp2(context.Features)))
        {
            var tls = new ProxiedTlsConnectionFeature(http2: http2 || _endpoint.Http2Only);
            context.Features.Set<ITlsConnectionFeature>(tls);
            context.Features.Set<ITlsApplicationProtocolFeature>(tls);
        }
    }

    private bool Validate(ConnectionContext context, ProxyProtocolFeature feature)
    {
        bool valid;
        Exception? exception = null;
        try
        {
            valid = _headerValidation!(new ProxyHeaderValidationContext(context, feature));
        }
        catch (Exception ex)
        {
            // A failing validator must not take the server down: it closes this connection only.
            valid = false;
            exception = ex;
        }

        if (!valid && _logger.IsEnabled(LogLevel.Debug))
        {
            ProxyProtocolLog.HeaderValidationFailed(_logger, context.ConnectionId, feature.TransportRemoteEndPoint, feature.Header.ToString(), exception);
        }

        return valid;
    }

    /// <summary>A rejection decided before anything was read (TLS first, untrusted source).</summary>
    private void RejectNow(ConnectionContext context, KeyValuePair<string, object?>[] tags, RejectionReason reason)
    {
        TagKestrelConnection(context, reason);
        _metrics.ConnectionRejected(tags, reason, ProxyHeaderError.None, 0);
        _reporter.Report(reason, ProxyHeaderError.None, context.RemoteEndPoint);
    }

    private void Reject(ConnectionContext context, KeyValuePair<string, object?>[] tags, RejectionReason reason, ProxyHeaderError error, long start)
    {
        EndPoint? transportRemote = context.RemoteEndPoint;
        switch (reason)
        {
            case RejectionReason.InvalidHeader:
                ProxyProtocolLog.InvalidHeader(_logger, context.ConnectionId, transportRemote, error);
                break;
            case RejectionReason.IncompleteHeader:
                ProxyProtocolLog.IncompleteHeader(_logger, context.ConnectionId, transportRemote);
                break;
            case RejectionReason.Timeout:
                ProxyProtocolLog.HeaderTimeout(_logger, context.ConnectionId, transportRemote, _headerTimeout);
                break;
            case RejectionReason.EmptyConnection:
                ProxyProtocolLog.EmptyConnection(_logger, context.ConnectionId, transportRemote);
                break;
            case RejectionReason.ValidationFailed:
                break; // Validate logged it with the header.
            default:
                ProxyProtocolLog.ServerShutdown(_logger, context.ConnectionId, transportRemote);
                break;
        }

        TagKestrelConnection(context, reason);
        _metrics.ConnectionRejected(tags, reason, error, start);
        _reporter.Report(reason, error, transportRemote);
    }

    /// <summary>Adds <c>error.type</c> to Kestrel's <c>kestrel.connection.duration</c>, as its TLS middleware does for failed handshakes.</summary>
    private static void TagKestrelConnection(ConnectionContext context, RejectionReason reason)
    {
        if (context.Features.Get<IConnectionMetricsTagsFeature>() is { } metricsTags)
        {
            foreach (KeyValuePair<string, object?> tag in metricsTags.Tags)
            {
                if (tag.Key == "error.type")
                {
                    return;
                }
            }

            metricsTags.Tags.Add(new KeyValuePair<string, object?>("error.type", RejectionReasons.GetName(reason)));
        }
    }

    private bool IsTrusted(EndPoint? remote)
    {
        if (_trustedProxies.Length == 0)
        {
            return true;
        }

        if (remote is not IPEndPoint { Address: IPAddress address })
        {
            return false;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        foreach (IPNetwork network in _trustedProxies)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>What reading the header gave: a feature, nothing (optional mode), or a reason to close.</summary>
    private readonly struct ReadOutcome
    {
        public ReadOutcome(ProxyProtocolFeature? feature, bool http2)
        {
            Feature = feature;
            Http2 = http2;
        }

        public ReadOutcome(RejectionReason rejection, ProxyHeaderError error)
        {
            Rejection = rejection;
            Error = error;
        }

        public ProxyProtocolFeature? Feature { get; }

        /// <summary>Whether the bytes after the header are the HTTP/2 preface.</summary>
        public bool Http2 { get; }

        public RejectionReason Rejection { get; }

        public ProxyHeaderError Error { get; }
    }
}
