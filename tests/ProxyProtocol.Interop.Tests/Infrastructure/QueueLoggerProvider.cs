using System;
using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ProxyProtocol.Interop.Tests.Infrastructure;

/// <summary>Keeps a host's log lines in a queue, to show with a failing test's diagnostics.</summary>
internal sealed class QueueLoggerProvider(ConcurrentQueue<string> queue) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new QueueLogger(queue, categoryName);

    public void Dispose()
    {
    }

    private sealed class QueueLogger(ConcurrentQueue<string> queue, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            queue.Enqueue($"{logLevel} {category}[{eventId.Id}] {formatter(state, exception)}{(exception is null ? string.Empty : " " + exception.Message)}");
    }
}
