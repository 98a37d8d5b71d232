using System;
using System.IO;

namespace ProxyProtocol.Packaging.Tests.Infrastructure;

/// <summary>A new folder under the system's temp folder, deleted with everything in it on dispose.</summary>
public sealed class TemporaryFolder : IDisposable
{
    public TemporaryFolder(string purpose)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"proxyprotocol-{purpose}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a file still held open must not turn a passing test into a failure.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
