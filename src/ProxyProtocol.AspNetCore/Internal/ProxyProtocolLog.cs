using System;
using System.Net;
using Microsoft.Extensions.Logging;

namespace ProxyProtocol.AspNetCore.Internal;

/// <summary>
/// The middleware's log events. Ids are stable. A rejected connection is logged once, at Debug, with its reason:
/// clients and scanners cause these, not the server. Only a misconfiguration is an error.
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
}
