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

    /// <summary>The middleware's entries at Debug and above: rejections and ignored headers.</summary>
    public IReadOnlyList<LogEntry> Middleware => Entries.Where(e => e.Category == MiddlewareCategory && e.Level >= LogLevel.Debug).ToList();

    /// <summary>All the middleware's entries, Trace included.</summary>
    public IReadOnlyList<LogEntry> MiddlewareAll => Entries.Where(e => e.Category == MiddlewareCategory).ToList();

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
