using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.Extensions.Logging;

namespace ProxyProtocol.Hostile.Tests.Infrastructure;

public sealed record LogEntry(string Category, LogLevel Level, EventId EventId, string Message, Exception? Exception)
{
    public override string ToString() => $"{Level} {Category}[{EventId.Id}:{EventId.Name}] {Message} {Exception}";
}

/// <summary>
/// A logger provider for hosts under attack: it keeps every entry at Warning and above (an Error is a failure of
/// the test), and only counts the middleware's own events by name, so that thousands of connections cost no memory.
/// </summary>
public sealed class LogCollector : ILoggerProvider
{
    public const string MiddlewareCategory = "ProxyProtocol.AspNetCore.ProxyProtocolConnectionMiddleware";

    private const int MaxKept = 200;

    private readonly ConcurrentQueue<LogEntry> _kept = new();
    private readonly ConcurrentDictionary<string, int> _middlewareEvents = new();
    private int _keptCount;

    /// <summary>Entries at Warning and above, from every category (the first 200).</summary>
    public IReadOnlyList<LogEntry> WarningsAndAbove => _kept.ToList();

    /// <summary>Entries at Error and above, from every category.</summary>
    public IReadOnlyList<LogEntry> Errors => _kept.Where(e => e.Level >= LogLevel.Error).ToList();

    /// <summary>How many times the middleware logged the event with this name (for example <c>InvalidHeader</c>).</summary>
    public int Count(string eventName) => _middlewareEvents.TryGetValue(eventName, out int count) ? count : 0;

    /// <summary>The middleware's event counts, for the test output.</summary>
    public string Summary() => string.Join(", ", _middlewareEvents.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));

    public void ResetCounts() => _middlewareEvents.Clear();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private void Add(string category, LogLevel level, EventId eventId, Func<string> message, Exception? exception)
    {
        if (category == MiddlewareCategory && eventId.Name is { } name)
        {
            _middlewareEvents.AddOrUpdate(name, 1, static (_, count) => count + 1);
        }

        if (level >= LogLevel.Warning && Interlocked.Increment(ref _keptCount) <= MaxKept)
        {
            _kept.Enqueue(new LogEntry(category, level, eventId, message(), exception));
        }
    }

    private sealed class Logger(LogCollector collector, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            collector.Add(category, logLevel, eventId, () => formatter(state, exception), exception);
    }
}
