using System;
using System.IO;

namespace ProxyProtocol.Packaging.Tests.Infrastructure;

/// <summary>Where the repository's files are, found from the test assembly's folder.</summary>
internal static class Repository
{
    private static readonly Lazy<string> s_root = new(FindRoot);

    /// <summary>The folder that holds ProxyProtocol.sln.</summary>
    public static string Root => s_root.Value;

    public static string PathOf(string relative) => Path.Combine(Root, relative);

    private static string FindRoot()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ProxyProtocol.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"ProxyProtocol.sln not found above {AppContext.BaseDirectory}");
    }
}
