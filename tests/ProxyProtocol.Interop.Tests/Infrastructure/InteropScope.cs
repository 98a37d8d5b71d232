using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Xunit.Abstractions;

namespace ProxyProtocol.Interop.Tests.Infrastructure;

/// <summary>
/// Everything one test starts (peers, Kestrel, listeners) and its scratch directory: disposed in reverse order
/// when the test ends, whatever happened. Each resource's output (configuration, logs) goes to the test's output,
/// which the test runner shows for failed tests, and into the message of every timed-out wait.
/// </summary>
public sealed class InteropScope : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    private readonly ITestOutputHelper _output;
    private readonly List<(string Name, IAsyncDisposable Resource, Func<string> Diagnostics)> _resources = [];

    public InteropScope(ITestOutputHelper output)
    {
        _output = output;
        Directory = System.IO.Directory.CreateTempSubdirectory("ppinterop-").FullName;
    }

    /// <summary>The test's scratch directory (configurations, pid files, the HAProxy stats socket).</summary>
    public string Directory { get; }

    /// <summary>What every resource has to say so far.</summary>
    public string Diagnostics
    {
        get
        {
            lock (_resources)
            {
                return string.Join('\n', _resources.Select(r => $"----- {r.Name} -----\n{r.Diagnostics()}"));
            }
        }
    }

    public string PathOf(string fileName) => Path.Combine(Directory, fileName);

    /// <summary>Writes a line to the test's output (shown for failed tests, and with detailed verbosity).</summary>
    public void Log(string message) => _output.WriteLine(message);

    public T Track<T>(T resource, string name, Func<string> diagnostics)
        where T : IAsyncDisposable
    {
        lock (_resources)
        {
            _resources.Add((name, resource, diagnostics));
        }

        return resource;
    }

    /// <summary>Awaits <paramref name="task"/>, failing with every resource's diagnostics when it takes too long.</summary>
    public async Task<T> WithinAsync<T>(Task<T> task, string what, TimeSpan? timeout = null)
    {
        TimeSpan limit = timeout ?? DefaultTimeout;
        try
        {
            return await task.WaitAsync(limit);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"{what}: nothing within {limit.TotalSeconds} s.\n{Diagnostics}");
            throw;
        }
    }

    public async Task WithinAsync(Task task, string what, TimeSpan? timeout = null)
    {
        TimeSpan limit = timeout ?? DefaultTimeout;
        try
        {
            await task.WaitAsync(limit);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"{what}: nothing within {limit.TotalSeconds} s.\n{Diagnostics}");
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        (string Name, IAsyncDisposable Resource, Func<string> Diagnostics)[] resources;
        lock (_resources)
        {
            resources = [.. _resources];
        }

        for (int i = resources.Length - 1; i >= 0; i--)
        {
            try
            {
                await resources[i].Resource.DisposeAsync();
            }
            catch (Exception e)
            {
                _output.WriteLine($"disposing {resources[i].Name} failed: {e}");
            }
        }

        _output.WriteLine(Diagnostics);
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A peer's worker may still be writing; the OS cleans its temp directory.
        }
    }
}
