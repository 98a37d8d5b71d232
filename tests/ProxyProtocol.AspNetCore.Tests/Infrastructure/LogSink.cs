using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using Microsoft.Extensions.Logging;

namespace ProxyProtocol.AspNetCore.Tests.Infrastructure;

public sealed record LogEntry(string Category, LogLevel Level, EventId EventId, string Message, Exception? Exception);

/// <summary>Keeps every log entry of a test server in memory.</summary>
public sealed class LogSink : ILoggerProvider
{
    public const string MiddlewareCategory = "ProxyProtocol.AspNetCore.ProxyProtocolConnectionMiddleware";

    public ConcurrentQueue<LogEntry> Entries { get; } = new();

    /// <summary>The events about an endpoint as a whole (startup checks, rate-limited summaries), not one connection.</summary>
    public static readonly string[] EndpointEvents = ["TrustingAnySource", "Http3WithoutHeader", "Http2Detection", "FirstRejection", "RejectionSummary"];

    /// <summary>The middleware's per-connection entries at Debug and above: rejections and ignored headers.</summary>
    public IReadOnlyList<LogEntry> Middleware => Entries.Where(e => e.Category == MiddlewareCategory && e.Level >= LogLevel.Debug && !EndpointEvents.Contains(e.EventId.Name)).ToList();

    /// <summary>The middleware's entries about the endpoint as a whole.</summary>
    public IReadOnlyList<LogEntry> Endpoint => Entries.Where(e => e.Category == MiddlewareCategory && EndpointEvents.Contains(e.EventId.Name)).ToList();

    /// <summary>All the middleware's per-connection entries, Trace included.</summary>
    public IReadOnlyList<LogEntry> MiddlewareAll => Entries.Where(e => e.Category == MiddlewareCategory && !EndpointEvents.Contains(e.EventId.Name)).ToList();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogSink sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            sink.Entries.Enqueue(new LogEntry(category, logLevel, eventId, formatter(state, exception), exception));
    }
}
