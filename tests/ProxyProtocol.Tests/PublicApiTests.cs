using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using ProxyProtocol.Tests.Infrastructure;

namespace ProxyProtocol.Tests;

/// <summary>
/// The public surface of each shipped assembly must match its checked-in PublicAPI.txt, so every API change
/// is a visible diff in review. To accept a change, run the tests with UPDATE_PUBLIC_API=1 and commit the file.
/// </summary>
public class PublicApiTests
{
    // One line per shipped assembly: its name (referenced by this project) and its listing, from the repository root.
    public static TheoryData<string, string> ShippedAssemblies => new()
    {
        { "ProxyProtocol", "src/ProxyProtocol/PublicAPI.txt" },
        { "ProxyProtocol.AspNetCore", "src/ProxyProtocol.AspNetCore/PublicAPI.txt" },
        { "ProxyProtocol.Yarp", "src/ProxyProtocol.Yarp/PublicAPI.txt" },
    };

    [Theory]
    [MemberData(nameof(ShippedAssemblies))]
    public void Public_API_matches_PublicAPI_txt(string assemblyName, string listingPath)
    {
        string actual = PublicApiListing.Build(Assembly.Load(assemblyName));
        string path = Path.Combine(FindRepositoryRoot(), listingPath);

        if (Environment.GetEnvironmentVariable("UPDATE_PUBLIC_API") == "1")
        {
            File.WriteAllText(path, actual);
            return;
        }

        Assert.True(File.Exists(path), $"{listingPath} is missing; run the tests with UPDATE_PUBLIC_API=1 to create it.");
        string expected = File.ReadAllText(path).ReplaceLineEndings("\n");
        if (expected != actual)
        {
            Assert.Fail($"The public API of {assemblyName} differs from {listingPath} (- file, + assembly). " +
                $"If the change is intended, run the tests with UPDATE_PUBLIC_API=1 and commit the file.\n{Diff(expected, actual)}");
        }
    }

    // The listing shows what the API tracking relies on: modifiers, defaults, nullable annotations, kinds.
    [Fact]
    public void Listing_shows_signatures_in_full()
    {
        string[] lines = PublicApiListing.Build(typeof(ProxyHeader).Assembly).Split('\n');

        Assert.Contains("ProxyProtocol.ProxyHeader [readonly struct] : System.IEquatable<ProxyProtocol.ProxyHeader>", lines);
        Assert.Contains("ProxyProtocol.ProxyTlvs [readonly ref struct]", lines);
        Assert.Contains("ProxyProtocol.ProxyVersions [[Flags] enum] : int", lines);
        Assert.Contains("ProxyProtocol.ProxyHeaderParser [static class]", lines);
        Assert.Contains("ProxyProtocol.ProxyHeader.GetSourceEndPoint() -> System.Net.EndPoint?", lines);
        Assert.Contains("ProxyProtocol.ProxyParserOptions.MaxHeaderLength { get; init; } -> int", lines);
        Assert.Contains("ProxyProtocol.ProxyHeaderWriter.MaxV1Length -> int = 107 [const]", lines);
        Assert.Contains("ProxyProtocol.ProxyTlvType.Aws = 234", lines);
        Assert.Contains("ProxyProtocol.ProxyTlvWriter<in TState> [delegate] (ref ProxyProtocol.ProxyV2HeaderBuilder builder, TState state) -> void", lines);
        Assert.Contains("ProxyProtocol.ProxyProtocolStream.Header { get; } -> ProxyProtocol.ReceivedProxyHeader?", lines);
        Assert.Contains(lines, l => l.StartsWith("ProxyProtocol.ProxyHeaderParser.Parse(in System.Buffers.ReadOnlySequence<byte> source, in ProxyProtocol.ProxyParserOptions options, out ProxyProtocol.ProxyHeader header, out int bytesConsumed, out ProxyProtocol.ProxyHeaderError error) -> System.Buffers.OperationStatus [static]", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("ProxyTransport transport = ProxyProtocol.ProxyTransport.Stream", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("Internal", StringComparison.Ordinal) || l.Contains(".get_", StringComparison.Ordinal));
        Assert.Equal(lines.Where(l => l.Length > 0).Order(StringComparer.Ordinal), lines.Where(l => l.Length > 0));
    }

    /// <summary>Walks up from the test's output directory to the folder that holds ProxyProtocol.sln.</summary>
    internal static string FindRepositoryRoot()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ProxyProtocol.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No ProxyProtocol.sln above {AppContext.BaseDirectory}.");
    }

    private static string Diff(string expected, string actual)
    {
        HashSet<string> expectedLines = [.. expected.Split('\n')];
        HashSet<string> actualLines = [.. actual.Split('\n')];
        StringBuilder diff = new();
        foreach (string line in expectedLines.Where(l => !actualLines.Contains(l)).Order(StringComparer.Ordinal))
        {
            diff.Append("- ").Append(line).Append('\n');
        }

        foreach (string line in actualLines.Where(l => !expectedLines.Contains(l)).Order(StringComparer.Ordinal))
        {
            diff.Append("+ ").Append(line).Append('\n');
        }

        return diff.ToString();
    }
}
