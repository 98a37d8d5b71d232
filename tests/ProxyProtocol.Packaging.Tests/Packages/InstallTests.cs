using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using ProxyProtocol.Packaging.Tests.Infrastructure;
using ProxyProtocol.Packaging.Tests.Snippets;

namespace ProxyProtocol.Packaging.Tests.Packages;

/// <summary>
/// A new user's first steps, from the packed feed only: `dotnet new`, `dotnet add package`, the package page's
/// quick start as Program.cs, `dotnet build`; `dotnet tool install` and the tool's first run. Restores see
/// nothing but the local feed (a nuget.config that clears every other source) and use a package folder of
/// their own, so a locally built 0.1.0 never reaches the machine's cache.
/// </summary>
[Collection(PackedCollection.Name)]
public sealed class InstallTests : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(5);

    private readonly PackedSolution _packed;
    private readonly TemporaryFolder _apps = new("apps");
    private readonly Dotnet _dotnet;

    public InstallTests(PackedSolution packed)
    {
        _packed = packed;
        _dotnet = new Dotnet(_apps, isolatedPackages: true);
        File.WriteAllText(_apps.Combine("nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{packed.Feed}" />
              </packageSources>
            </configuration>
            """);
    }

    [Theory]
    [InlineData("web", "ProxyProtocol.AspNetCore")]
    [InlineData("console", "ProxyProtocol")]
    public async Task A_new_app_builds_with_the_package_pages_quick_start(string template, string id)
    {
        Assert.True(File.Exists(_packed.PackagePath(id)), _packed.Pack.ToString());
        string app = _apps.Combine(template + "app");

        await RunAsync(_apps.Path, "new", template, "--output", app, "--no-restore", "--no-update-check");
        await RunAsync(app, "add", "package", id, "--version", PackedSolution.Version);
        // The quick start is the package page's first C# block, pasted as is.
        string readme = File.ReadAllText(Repository.PathOf($"src/{id}/README.md"));
        Snippet quickStart = MarkdownSnippets.Extract($"src/{id}/README.md", readme).First();
        Assert.Contains(template == "web" ? "UseProxyProtocol(" : "ReceiveProxyHeaderAsync(", quickStart.Code, StringComparison.Ordinal);
        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), quickStart.Code + "\n");
        ProcessResult build = await RunAsync(app, "build", "--disable-build-servers", "-nologo");

        Assert.DoesNotContain(": warning ", build.Output, StringComparison.Ordinal);
        // The package came from the local feed into the test's own package folder.
        Assert.True(Directory.Exists(_apps.Combine("nuget-packages", id.ToLowerInvariant(), PackedSolution.Version)), build.ToString());
    }

    [Fact]
    public async Task The_tool_installs_and_runs()
    {
        Assert.True(File.Exists(_packed.PackagePath("ProxyProtocol.Tool")), _packed.Pack.ToString());
        string tools = _apps.Combine("tools");

        await RunAsync(_apps.Path, "tool", "install", "ProxyProtocol.Tool", "--version", PackedSolution.Version, "--tool-path", tools);
        string proxyproto = Path.Combine(tools, OperatingSystem.IsWindows() ? "proxyproto.exe" : "proxyproto");
        ProcessResult version = await _dotnet.RunProcessAsync(proxyproto, _apps.Path, s_timeout, "--version");
        ProcessResult decode = await _dotnet.RunProcessAsync(proxyproto, _apps.Path, s_timeout, "decode", "--hex", "0d0a0d0a000d0a515549540a20000000");

        Assert.True(version.ExitCode == 0, version.ToString());
        Assert.Matches($"^{PackedSolution.Version.Replace(".", "\\.", StringComparison.Ordinal)}\\+[0-9a-f]{{40}}\n$", version.Output);
        Assert.True(decode.ExitCode == 0, decode.ToString());
        Assert.Equal("{\"version\":2,\"command\":\"LOCAL\",\"family\":\"UNSPEC\",\"transport\":\"UNSPEC\",\"source\":null,\"destination\":null,\"headerLength\":16,\"tlvs\":[]}\n", decode.Output);
    }

    public void Dispose() => _apps.Dispose();

    private async Task<ProcessResult> RunAsync(string directory, params string[] args)
    {
        ProcessResult result = await _dotnet.RunAsync(directory, s_timeout, args);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }
}
