using System;
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
/// Kestrel's HTTP layer builds <c>HttpContext.Connection</c> from <see cref="BaseConnectionContext.RemoteEndPoint"/>
/// and <see cref="BaseConnectionContext.LocalEndPoint"/> when the connection reaches it, so replacing those two
/// before calling the next middleware is all it takes. A rejected connection is closed by returning without
/// calling the next middleware: Kestrel then closes the socket, and nothing is written.
/// </remarks>
internal sealed class ProxyProtocolConnectionMiddleware
{
    private static readonly Action<object?> s_cancelSource = static state => ((CancellationTokenSource)state!).Cancel();

    private readonly ConnectionDelegate _next;
    private readonly ILogger _logger;
    private readonly ProxyProtocolMetrics _metrics;
    private readonly bool _requireHeader;
    private readonly IPNetwork[] _trustedProxies;
    private readonly UntrustedSourceAction _untrustedSourceAction;
    private readonly TimeSpan _headerTimeout;
    private readonly ProxyParserOptions _parserOptions;
    private readonly Func<ProxyHeaderValidationContext, bool>? _headerValidation;
    private readonly bool _alpnSelectsHttp2;
    private readonly CancellationTokenSourcePool _timeoutSources = new();

    /// <summary>Creates the middleware with a snapshot of the options.</summary>
    /// <param name="next">The rest of the connection pipeline.</param>
    /// <param name="options">The options, read once here.</param>
    /// <param name="alpnSelectsHttp2">Whether ALPN <c>h2</c> may select HTTP/2: the option is on, the endpoint has no TLS
    /// of its own and allows both HTTP/1.1 and HTTP/2.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="metrics">The meter's instruments.</param>
    public ProxyProtocolConnectionMiddleware(ConnectionDelegate next, ProxyProtocolOptions options, bool alpnSelectsHttp2, ILogger logger, ProxyProtocolMetrics metrics)
    {
        _next = next;
        _logger = logger;
        _metrics = metrics;
        _requireHeader = options.RequireHeader;
        _untrustedSourceAction = options.UntrustedSourceAction;
        _headerTimeout = options.HeaderTimeout;
        _parserOptions = options.ParserOptions;
        _headerValidation = options.HeaderValidation;
        _alpnSelectsHttp2 = alpnSelectsHttp2;
        _trustedProxies = new IPNetwork[options.TrustedProxies.Count];
        options.TrustedProxies.CopyTo(_trustedProxies, 0);
    }

    /// <summary>Reads the header, applies it, and runs the rest of the pipeline; or closes the connection.</summary>
    /// <param name="context">The connection.</param>
    /// <returns>A task that completes when the connection is done.</returns>
    public Task OnConnectionAsync(ConnectionContext context)
    {
        if (context.Features.Get<ITlsConnectionFeature>() is not null)
        {
            // UseHttps() is refused at registration when it comes first; this catches other TLS middleware.
            ProxyProtocolLog.TlsBeforeProxyProtocol(_logger, context.ConnectionId);
            _metrics.ConnectionRejected(RejectionReason.TlsBeforeProxyProtocol, ProxyHeaderError.None, 0);
            return Task.CompletedTask;
        }

        bool trusted = IsTrusted(context.RemoteEndPoint);
        if (!trusted && _untrustedSourceAction == UntrustedSourceAction.Reject)
        {
            ProxyProtocolLog.UntrustedSource(_logger, context.ConnectionId, context.RemoteEndPoint);
            _metrics.ConnectionRejected(RejectionReason.UntrustedSource, ProxyHeaderError.None, 0);
            return Task.CompletedTask;
        }

        long start = Stopwatch.GetTimestamp();
        ValueTask<ReadOutcome> read = ReadHeaderAsync(context, optional: !trusted || !_requireHeader);
        return read.IsCompletedSuccessfully
            ? Continue(context, read.Result, trusted, start)
            : AwaitHeaderAsync(context, read, trusted, start);
    }

    /// <summary>The usual path: the header was not in yet. Only this small state machine is allocated.</summary>
    private async Task AwaitHeaderAsync(ConnectionContext context, ValueTask<ReadOutcome> read, bool trusted, long start)
    {
        ReadOutcome outcome = await read.ConfigureAwait(false);
        await Continue(context, outcome, trusted, start).ConfigureAwait(false);
    }

    /// <summary>Applies the outcome of the read: runs the rest of the pipeline, or closes the connection.</summary>
    private Task Continue(ConnectionContext context, in ReadOutcome outcome, bool trusted, long start)
    {
        if (outcome.Rejection != RejectionReason.None)
        {
            Reject(context, outcome.Rejection, outcome.Error, start);
            return Task.CompletedTask;
        }

        ProxyProtocolFeature? feature = outcome.Feature;
        if (feature is null)
        {
            ProxyProtocolLog.NoHeader(_logger, context.ConnectionId, context.RemoteEndPoint);
            _metrics.NoHeader(start);
            return _next(context);
        }

        if (!trusted)
        {
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                ProxyProtocolLog.UntrustedHeaderIgnored(_logger, context.ConnectionId, context.RemoteEndPoint, feature.Header.ToString());
            }

            _metrics.HeaderIgnored(start);
            return _next(context);
        }

        if (_headerValidation is not null && !Validate(context, feature))
        {
            _metrics.ConnectionRejected(RejectionReason.ValidationFailed, ProxyHeaderError.None, start);
            return Task.CompletedTask;
        }

        Apply(context, feature);
        _metrics.HeaderAccepted(feature.Header.Version, feature.Header.Command, start);
        if (_logger.IsEnabled(LogLevel.Trace))
        {
            ProxyProtocolLog.HeaderAccepted(_logger, context.ConnectionId, feature.TransportRemoteEndPoint, feature.Header.ToString());
        }

        return _next(context);
    }

    /// <summary>
    /// Reads the header within the timeout. Pooled, and it keeps the large header value out of the caller's state
    /// machine: only the feature object leaves it.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ReadOutcome> ReadHeaderAsync(ConnectionContext context, bool optional)
    {
        PipeReader input = context.Transport.Input;
        CancellationToken closeRequested = context.Features.Get<IConnectionLifetimeNotificationFeature>()?.ConnectionClosedRequested ?? default;
        CancellationTokenSource? timeout = null;
        CancellationTokenRegistration shutdownRegistration = default;
        CancellationToken token = closeRequested;
        if (_headerTimeout != Timeout.InfiniteTimeSpan)
        {
            timeout = _timeoutSources.Rent();
            timeout.CancelAfter(_headerTimeout);
            // Server shutdown must not wait for a header that may never come.
            shutdownRegistration = closeRequested.UnsafeRegister(s_cancelSource, timeout);
            token = timeout.Token;
        }

        try
        {
            ReceivedProxyHeader? header = optional
                ? await input.ReadOptionalProxyHeaderAsync(_parserOptions, token).ConfigureAwait(false)
                : await input.ReadProxyHeaderAsync(_parserOptions, token).ConfigureAwait(false);
            return header is { } received
                ? new ReadOutcome(new ProxyProtocolFeature(received, context.RemoteEndPoint, context.LocalEndPoint))
                : default;
        }
        catch (ProxyProtocolException ex)
        {
            return new ReadOutcome(ex.Error == ProxyHeaderError.IncompleteHeader ? RejectionReason.IncompleteHeader : RejectionReason.InvalidHeader, ex.Error);
        }
        catch (OperationCanceledException) when (closeRequested.IsCancellationRequested)
        {
            return new ReadOutcome(RejectionReason.ServerShutdown, ProxyHeaderError.None);
        }
        catch (OperationCanceledException) when (timeout?.IsCancellationRequested == true)
        {
            return new ReadOutcome(RejectionReason.Timeout, ProxyHeaderError.None);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            // The transport failed or was aborted (a reset): the header cannot be complete.
            return new ReadOutcome(RejectionReason.IncompleteHeader, ProxyHeaderError.None);
        }
        finally
        {
            shutdownRegistration.Dispose();
            if (timeout is not null)
            {
                _timeoutSources.Return(timeout);
            }
        }
    }

    /// <summary>Sets the feature, the header's endpoints (PROXY over IP or UNIX only) and, for ALPN h2, HTTP/2.</summary>
    private void Apply(ConnectionContext context, ProxyProtocolFeature feature)
    {
        context.Features.Set<IProxyProtocolFeature>(feature);

        ProxyHeader header = feature.Header;
        if (header.HasAddresses)
        {
            // LOCAL and UNSPEC keep the socket's endpoints (SEM-01, SEM-03).
            EndPoint? source = header.GetSourceEndPoint();
            EndPoint? destination = header.GetDestinationEndPoint();
            feature.SetEndPoints(source, destination);
            context.RemoteEndPoint = source;
            context.LocalEndPoint = destination;
        }

        if (_alpnSelectsHttp2 && feature.IsAlpnH2)
        {
            var tls = new ProxiedTlsConnectionFeature();
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

    private void Reject(ConnectionContext context, RejectionReason reason, ProxyHeaderError error, long start)
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
            default:
                ProxyProtocolLog.ServerShutdown(_logger, context.ConnectionId, transportRemote);
                break;
        }

        _metrics.ConnectionRejected(reason, error, start);
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
        public ReadOutcome(ProxyProtocolFeature feature) => Feature = feature;

        public ReadOutcome(RejectionReason rejection, ProxyHeaderError error)
        {
            Rejection = rejection;
            Error = error;
        }

        public ProxyProtocolFeature? Feature { get; }

        public RejectionReason Rejection { get; }

        public ProxyHeaderError Error { get; }
    }
}
