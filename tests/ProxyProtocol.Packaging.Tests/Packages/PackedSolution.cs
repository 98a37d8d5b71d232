using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using ProxyProtocol.Packaging.Tests.Infrastructure;

namespace ProxyProtocol.Packaging.Tests.Packages;

/// <summary>
/// Runs `dotnet pack ProxyProtocol.sln` once for the packaging tests, the way a maintainer would, but into an
/// artifacts folder of its own (UseArtifactsOutput), so the build never touches the bin/ and obj/ folders that
/// the other test assemblies run from. The packages it makes are the local feed the other tests install from.
/// </summary>
public sealed class PackedSolution : IAsyncLifetime, IDisposable
{
    public const string Version = "0.1.0";

    private static readonly TimeSpan s_packTimeout = TimeSpan.FromMinutes(20);

    public TemporaryFolder Folder { get; } = new("packaging");

    public ProcessResult Pack { get; private set; } = null!;

    /// <summary>The folder holding the .nupkg and .snupkg files: the local feed.</summary>
    public string Feed => Folder.Combine("artifacts", "package", "release");

    /// <summary>The repository's public address, read from where it is set (Directory.Build.props).</summary>
    public static string RepositoryPublicUrl { get; } = ReadRepositoryPublicUrl();

    public string PackagePath(string id, string extension = "nupkg") => Path.Combine(Feed, $"{id}.{Version}.{extension}");

    public async Task InitializeAsync()
    {
        // Restores read the machine's packages as a read-only fallback and download anything missing into the
        // test's own folder, so nothing is added to the machine's cache.
        string machinePackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        Pack = await new Dotnet(Folder).RunAsync(
            Repository.Root,
            s_packTimeout,
            "pack",
            Repository.PathOf("ProxyProtocol.sln"),
            "-c",
            "Release",
            "-nologo",
            "--disable-build-servers",
            "-p:UseArtifactsOutput=true",
            $"-p:ArtifactsPath={Folder.Combine("artifacts")}",
            $"-p:RestoreAdditionalProjectFallbackFolders={machinePackages}",
            // As CI packs: source paths in the PDBs are mapped to /_/.
            "-p:ContinuousIntegrationBuild=true");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => Folder.Dispose();

    private static string ReadRepositoryPublicUrl()
    {
        string props = File.ReadAllText(Repository.PathOf("Directory.Build.props"));
        Match match = Regex.Match(props, "<RepositoryPublicUrl[^>]*>([^<]+)</RepositoryPublicUrl>");
        Assert.True(match.Success, "Directory.Build.props sets no RepositoryPublicUrl");
        return match.Groups[1].Value.Trim();
    }
}
