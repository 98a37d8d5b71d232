using System;
using System.Globalization;
using System.IO;

namespace ProxyProtocol.Hostile.Tests.Infrastructure;

/// <summary>The file-descriptor limit and use of this process (Linux: /proc/self).</summary>
public static class ProcessLimits
{
    /// <summary>
    /// The soft and hard RLIMIT_NOFILE. The .NET runtime raises the soft limit to the hard one at start-up, so
    /// this is what the test process really has, whatever <c>ulimit -n</c> said in the shell.
    /// </summary>
    public static (long Soft, long Hard)? OpenFiles()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        foreach (string line in File.ReadLines("/proc/self/limits"))
        {
            if (line.StartsWith("Max open files", StringComparison.Ordinal))
            {
                string[] fields = line.Substring("Max open files".Length).Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return (Parse(fields[0]), Parse(fields[1]));
            }
        }

        return null;

        static long Parse(string value) => value == "unlimited" ? long.MaxValue : long.Parse(value, CultureInfo.InvariantCulture);
    }

    /// <summary>File descriptors open right now (sockets included), or -1 where unknown.</summary>
    public static int OpenDescriptors() => OperatingSystem.IsLinux() ? Directory.GetFileSystemEntries("/proc/self/fd").Length : -1;

    /// <summary>Fails with a clear message when the process cannot hold <paramref name="needed"/> descriptors.</summary>
    public static string RequireOpenFiles(int needed)
    {
        (long Soft, long Hard)? limits = OpenFiles();
        if (limits is { } l)
        {
            Assert.True(l.Soft >= needed, $"This test needs {needed} file descriptors; RLIMIT_NOFILE is {l.Soft} (hard {l.Hard}). Raise it (ulimit -n).");
            return $"RLIMIT_NOFILE soft={l.Soft} hard={l.Hard}, open at start={OpenDescriptors()}";
        }

        return "RLIMIT_NOFILE unknown on this OS";
    }
}
