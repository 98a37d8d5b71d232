using Microsoft.AspNetCore.Connections;

namespace ProxyProtocol.AspNetCore.Internal;

/// <summary>
/// What follows <c>UseProxyProtocol()</c> in an endpoint's connection pipeline, as far as the delegate tells.
/// </summary>
/// <remarks>
/// <c>UseConnectionHandler&lt;T&gt;()</c> and <c>Run(...)</c> are terminal: their delegates are closures defined
/// in Microsoft.AspNetCore.Connections.Abstractions, and the HTTP layer Kestrel appends after them is never
/// reached. Their protocol may speak first (SMTP, FTP, a banner), so nothing may wait for the client's bytes in
/// front of them. Everything else (Kestrel's HTTP layer itself, its logging middleware, an application's own
/// <c>Use(...)</c>) is taken to hand the connection on to HTTP; <see cref="Http2PrefaceDetection"/> overrides the
/// guess either way.
/// </remarks>
internal static class NextMiddleware
{
    private static readonly System.Reflection.Assembly s_connectionsAbstractions = typeof(ConnectionBuilderExtensions).Assembly;

    public static bool IsConnectionHandler(ConnectionDelegate next) =>
        next.Target?.GetType().Assembly == s_connectionsAbstractions;

    public static string Describe(ConnectionDelegate next) =>
        next.Target?.GetType().FullName ?? "a static method";
}
