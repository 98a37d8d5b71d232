using System;
using System.Collections.Generic;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace ProxyProtocol.Interop.Tests.Infrastructure;

/// <summary>
/// What a test server saw, in arrival order: the server adds from any thread, one test reader waits for the first
/// arrival that matches, however long ago it came.
/// </summary>
internal sealed class Arrivals<T>
    where T : class
{
    private readonly Channel<T> _arrivals = Channel.CreateUnbounded<T>();
    private readonly List<T> _seen = [];

    public void Add(T item) => _arrivals.Writer.TryWrite(item);

    /// <summary>The first arrival since the start that <paramref name="match"/> accepts (one reader at a time).</summary>
    public async Task<T> WaitForAsync(Func<T, bool> match)
    {
        T? found = _seen.Find(c => match(c));
        while (found is null)
        {
            T next = await _arrivals.Reader.ReadAsync();
            _seen.Add(next);
            found = match(next) ? next : null;
        }

        return found;
    }
}
