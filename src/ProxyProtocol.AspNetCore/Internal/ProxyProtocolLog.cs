using System;
using System.Net;
using Microsoft.Extensions.Logging;

namespace ProxyProtocol.AspNetCore.Internal;

/// <summary>
/// The middleware's log events. Ids are stable. A rejected connection is logged once, at Debug, with its reason:
/// clients and scanners cause these, not the server; <see cref="RejectionReporter"/> sums them up in a Warning at
/// most once a minute per endpoint and kind. Startup checks warn about unsafe settings; a misconfiguration that
/// breaks connections is an error.
/// </summary>
internal static partial class ProxyProtocolLog
{
    [LoggerMessage(1, LogLevel.Trace, @"Connection id ""{ConnectionId}"" from {TransportRemoteEndPoint} sent the PROXY header {Header}.", EventName = "HeaderAccepted")]
    public static partial void HeaderAccepted(ILogger logger, string connectionId, EndPoint? transportRemoteEndPoint, string header);

    [LoggerMessage(2, LogLevel.Debug, @"Connection id ""{ConnectionId}"" from {TransportRemoteEndPoint} closed: invalid PROXY header ({HeaderError}).", EventName = "InvalidHeader")]
    public static partial void InvalidHeader(ILogger logger, string connectionId, EndPoint? transportRemoteEndPoint, ProxyHeaderError headerError);

    [LoggerMessage(3, LogLevel.Debug, @"Connection id ""{ConnectionId}"" from {TransportRemoteEndPoint} closed: no complete PROXY header within {HeaderTimeout}.", EventName = "HeaderTimeout")]
    public static partial void HeaderTimeout(ILogger logger, string connectionId, EndPoint? transportRemoteEndPoint, TimeSpan headerTimeout);

    [LoggerMessage(4, LogLevel.Debug, @"Connection id ""{ConnectionId}"" from {TransportRemoteEndPoint} closed: the source is not a trusted proxy.", EventName = "UntrustedSource")]
    public static partial void UntrustedSource(ILogger logger, string connectionId, EndPoint? transportRemoteEndPoint);

    [LoggerMessage(5, LogLevel.Debug, @"Connection id ""{ConnectionId}"" from {TransportRemoteEndPoint} closed: HeaderValidation rejected the PROXY header {Header}.", EventName = "HeaderValidationFailed")]
    public static partial void HeaderValidationFailed(ILogger logger, string connectionId, EndPoint? transportRemoteEndPoint, string header, Exception? exception);

    [LoggerMessage(6, LogLevel.Debug, @"Connection id ""{ConnectionId}"" from {TransportRemoteEndPoint} closed before its PROXY header was complete.", EventName = "IncompleteHeader")]
    public static partial void IncompleteHeader(ILogger logger, string connectionId, EndPoint? transportRemoteEndPoint);

    [LoggerMessage(7, LogLevel.Error, @"Connection id ""{ConnectionId}"" closed: TLS was already negotiated when the PROXY header middleware ran. Call UseProxyProtocol() before UseHttps() or any other TLS middleware.", EventName = "TlsBeforeProxyProtocol")]
    public static partial void TlsBeforeProxyProtocol(ILogger logger, string connectionId);

    [LoggerMessage(8, LogLevel.Trace, @"Connection id ""{ConnectionId}"" from {TransportRemoteEndPoint} has no PROXY header; serving it with the socket's endpoints.", EventName = "NoHeader")]
    public static partial void NoHeader(ILogger logger, string connectionId, EndPoint? transportRemoteEndPoint);

    [LoggerMessage(9, LogLevel.Debug, @"Connection id ""{ConnectionId}"" from untrusted {TransportRemoteEndPoint}: PROXY header {Header} discarded; serving it with the socket's endpoints.", EventName = "UntrustedHeaderIgnored")]
    public static partial void UntrustedHeaderIgnored(ILogger logger, string connectionId, EndPoint? transportRemoteEndPoint, string header);

    [LoggerMessage(10, LogLevel.Debug, @"Connection id ""{ConnectionId}"" from {TransportRemoteEndPoint} closed: the server is shutting down before its PROXY header was complete.", EventName = "ServerShutdown")]
    public static partial void ServerShutdown(ILogger logger, string connectionId, EndPoint? transportRemoteEndPoint);

    [LoggerMessage(11, LogLevel.Warning, "UseProxyProtocol() on {EndPoint} trusts every source: any client that can reach this port can set its own client address in a PROXY header. Set ProxyProtocol:TrustedProxies to the balancers' networks (CIDR, for example 10.0.0.0/8), or TrustAnySource = true if only the balancer can reach the port.", EventName = "TrustingAnySource")]
    public static partial void TrustingAnySource(ILogger logger, string endPoint);

    [LoggerMessage(12, LogLevel.Warning, "{EndPoint} serves HTTP/3 without a PROXY header (AllowHttp3WithoutHeader): QUIC connections bypass UseProxyProtocol(), TrustedProxies and UntrustedSourceAction, and report the socket's address as the client's.", EventName = "Http3WithoutHeader")]
    public static partial void Http3WithoutHeader(ILogger logger, string endPoint);

    [LoggerMessage(13, LogLevel.Error, "Connection id \"{ConnectionId}\" on {EndPoint} reached a second UseProxyProtocol() middleware after the first accepted its header; the second passes this and every later connection through untouched. Call UseProxyProtocol() once per endpoint (ConfigureEndpointDefaults applies it to every endpoint already).", EventName = "DuplicateMiddleware")]
    public static partial void DuplicateMiddleware(ILogger logger, string connectionId, string endPoint);

    [LoggerMessage(14, LogLevel.Warning, "A connection to {EndPoint} was closed: {Reason}. {Hint} It came from {TransportRemoteEndPoint}. Further such closures are summed up here at most once a minute; each is logged at Debug.", EventName = "FirstRejection")]
    public static partial void FirstRejection(ILogger logger, string endPoint, string reason, string hint, EndPoint? transportRemoteEndPoint);

    [LoggerMessage(15, LogLevel.Warning, "{Count} connections to {EndPoint} closed in the last {Period}: {Reason}. {Hint} The last came from {TransportRemoteEndPoint}.", EventName = "RejectionSummary")]
    public static partial void RejectionSummary(ILogger logger, long count, string endPoint, TimeSpan period, string reason, string hint, EndPoint? transportRemoteEndPoint);

    [LoggerMessage(16, LogLevel.Debug, "Connection id \"{ConnectionId}\" from {TransportRemoteEndPoint} closed without sending a byte (a TCP health check or port probe).", EventName = "EmptyConnection")]
    public static partial void EmptyConnection(ILogger logger, string connectionId, EndPoint? transportRemoteEndPoint);

    [LoggerMessage(17, LogLevel.Debug, "UseProxyProtocol() on {EndPoint}: HTTP/2 preface detection {State} ({Reason}).", EventName = "Http2Detection")]
    public static partial void Http2Detection(ILogger logger, string endPoint, string state, string reason);
}
