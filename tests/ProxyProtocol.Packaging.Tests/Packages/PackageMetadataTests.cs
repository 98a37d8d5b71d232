using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection.Metadata;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using ProxyProtocol.Packaging.Tests.Infrastructure;

namespace ProxyProtocol.Packaging.Tests.Packages;

/// <summary>`dotnet pack` of the solution is clean, and each package carries what a package page and a debugger need.</summary>
[Collection(PackedCollection.Name)]
public partial class PackageMetadataTests
{
    /// <summary>The SourceLink custom debug information in a portable PDB (Portable PDB spec).</summary>
    private static readonly Guid s_sourceLinkKind = new("CC110556-A091-4D38-9FEC-25AB9A351A6A");

    private readonly PackedSolution _packed;

    public PackageMetadataTests(PackedSolution packed) => _packed = packed;

    [Fact]
    public void Pack_of_the_solution_succeeds_without_a_warning()
    {
        Assert.True(_packed.Pack.ExitCode == 0, _packed.Pack.ToString());
        string[] warnings = _packed.Pack.Output.Split('\n').Where(line => WarningRegex().IsMatch(line)).Distinct().ToArray();
        Assert.True(warnings.Length == 0, "dotnet pack warned:\n" + string.Join('\n', warnings));
        Assert.Equal(
            ["ProxyProtocol.0.1.0.nupkg", "ProxyProtocol.0.1.0.snupkg", "ProxyProtocol.AspNetCore.0.1.0.nupkg", "ProxyProtocol.AspNetCore.0.1.0.snupkg", "ProxyProtocol.Tool.0.1.0.nupkg", "ProxyProtocol.Yarp.0.1.0.nupkg", "ProxyProtocol.Yarp.0.1.0.snupkg"],
            Directory.EnumerateFiles(_packed.Feed).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("ProxyProtocol")]
    [InlineData("ProxyProtocol.AspNetCore")]
    [InlineData("ProxyProtocol.Tool")]
    [InlineData("ProxyProtocol.Yarp")]
    public void Every_package_has_license_urls_icon_readme_and_release_notes(string id)
    {
        using PackageFile package = new(_packed.PackagePath(id));

        Assert.Equal(id, package.Get("id"));
        Assert.Equal(PackedSolution.Version, package.Get("version"));
        Assert.Equal("MIT", package.Get("license"));
        Assert.Equal("expression", package.Element("license")!.Attribute("type")?.Value);
        Assert.Equal(PackedSolution.RepositoryPublicUrl, package.Get("projectUrl"));
        XElement repository = package.Element("repository")!;
        Assert.Equal(PackedSolution.RepositoryPublicUrl, repository.Attribute("url")?.Value);
        Assert.Equal("git", repository.Attribute("type")?.Value);
        Assert.Matches("^[0-9a-f]{40}$", repository.Attribute("commit")?.Value ?? string.Empty);
        Assert.False(string.IsNullOrWhiteSpace(package.Get("description")));

        // The icon is a PNG (its 8-byte signature) at the path the nuspec names.
        Assert.Equal("icon.png", package.Get("icon"));
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, package.Read("icon.png")[..8]);

        // Release notes: the newest CHANGELOG.md section, and where the rest is.
        string notes = package.Get("releaseNotes") ?? string.Empty;
        Assert.Contains($"{PackedSolution.RepositoryPublicUrl}/blob/main/CHANGELOG.md", notes, StringComparison.Ordinal);
        string changelog = File.ReadAllText(Repository.PathOf("CHANGELOG.md"));
        string newest = Regex.Match(changelog, @"\n## \[?([^\]\n]*)").Groups[1].Value;
        Assert.StartsWith(newest, notes, StringComparison.Ordinal);

        // The package page: this package's own README, whose links all work without the repository around them.
        Assert.Equal("README.md", package.Get("readme"));
        string readme = package.ReadText("README.md");
        Assert.StartsWith(id == "ProxyProtocol.Tool" ? "# proxyproto" : $"# {id}\n", readme, StringComparison.Ordinal);
        foreach (Match link in MarkdownLinkRegex().Matches(readme))
        {
            string target = link.Groups[1].Value;
            Assert.True(target.StartsWith("https://", StringComparison.Ordinal), $"{id}'s README links to '{target}', which a package page cannot follow");
        }
    }

    [Theory]
    [InlineData("ProxyProtocol")]
    [InlineData("ProxyProtocol.AspNetCore")]
    [InlineData("ProxyProtocol.Yarp")]
    public void Library_readme_starts_with_the_install_command_and_links_to_the_docs(string id)
    {
        using PackageFile package = new(_packed.PackagePath(id));
        string readme = package.ReadText("README.md");

        int install = readme.IndexOf($"\n```sh\ndotnet add package {id}\n```\n", StringComparison.Ordinal);
        int firstCode = readme.IndexOf("\n```", StringComparison.Ordinal);
        Assert.True(install >= 0 && install == firstCode, $"{id}'s README must open with `dotnet add package {id}`");
        Assert.Contains($"]({PackedSolution.RepositoryPublicUrl}/blob/main/docs/", readme, StringComparison.Ordinal);
    }

    [Fact]
    public void Tags_name_kestrel_only_on_the_Kestrel_package()
    {
        Dictionary<string, string[]> tags = new[] { "ProxyProtocol", "ProxyProtocol.AspNetCore", "ProxyProtocol.Tool", "ProxyProtocol.Yarp" }.ToDictionary(
            id => id,
            id =>
            {
                using PackageFile package = new(_packed.PackagePath(id));
                return (package.Get("tags") ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            });

        Assert.Contains("kestrel", tags["ProxyProtocol.AspNetCore"]);
        Assert.DoesNotContain("kestrel", tags["ProxyProtocol"]);
        Assert.DoesNotContain("kestrel", tags["ProxyProtocol.Tool"]);
        Assert.DoesNotContain("kestrel", tags["ProxyProtocol.Yarp"]);
        Assert.Contains("yarp", tags["ProxyProtocol.Yarp"]);
        Assert.All(tags.Values, t => Assert.Contains("proxy-protocol", t));
        Assert.Contains("dotnet-tool", tags["ProxyProtocol.Tool"]);
    }

    [Fact]
    public void Dependencies_are_the_core_package_and_the_AspNetCore_framework_only()
    {
        using PackageFile core = new(_packed.PackagePath("ProxyProtocol"));
        using PackageFile aspNetCore = new(_packed.PackagePath("ProxyProtocol.AspNetCore"));
        using PackageFile tool = new(_packed.PackagePath("ProxyProtocol.Tool"));

        // The core package depends on nothing outside .NET.
        Assert.Empty(core.Descendants("dependency"));
        Assert.Empty(core.Descendants("frameworkReference"));

        XElement dependency = Assert.Single(aspNetCore.Descendants("dependency"));
        Assert.Equal("ProxyProtocol", dependency.Attribute("id")?.Value);
        Assert.Equal(PackedSolution.Version, dependency.Attribute("version")?.Value);
        Assert.Equal("net10.0", dependency.Parent!.Attribute("targetFramework")?.Value);
        XElement framework = Assert.Single(aspNetCore.Descendants("frameworkReference"));
        Assert.Equal("Microsoft.AspNetCore.App", framework.Attribute("name")?.Value);

        // YARP's package: the two libraries and Yarp.ReverseProxy 2.3, nothing else.
        using PackageFile yarp = new(_packed.PackagePath("ProxyProtocol.Yarp"));
        Assert.Equal(
            ["ProxyProtocol", "ProxyProtocol.AspNetCore", "Yarp.ReverseProxy"],
            yarp.Descendants("dependency").Select(d => d.Attribute("id")?.Value).Order(StringComparer.Ordinal));
        Assert.StartsWith("2.3.", yarp.Descendants("dependency").Single(d => d.Attribute("id")?.Value == "Yarp.ReverseProxy").Attribute("version")?.Value, StringComparison.Ordinal);

        // A tool carries its dependencies inside; it declares none.
        Assert.Empty(tool.Descendants("dependency"));
        Assert.Equal("DotnetTool", Assert.Single(tool.Descendants("packageType")).Attribute("name")?.Value);
    }

    [Theory]
    [InlineData("ProxyProtocol", "lib/net10.0/ProxyProtocol.dll", "lib/net10.0/ProxyProtocol.xml")]
    [InlineData("ProxyProtocol.AspNetCore", "lib/net10.0/ProxyProtocol.AspNetCore.dll", "lib/net10.0/ProxyProtocol.AspNetCore.xml")]
    [InlineData("ProxyProtocol.Yarp", "lib/net10.0/ProxyProtocol.Yarp.dll", "lib/net10.0/ProxyProtocol.Yarp.xml")]
    public void Libraries_ship_their_xml_docs_and_their_symbols_in_a_snupkg_with_SourceLink(string id, string dll, string xml)
    {
        using PackageFile package = new(_packed.PackagePath(id));
        using PackageFile symbols = new(_packed.PackagePath(id, "snupkg"));
        string pdb = Path.ChangeExtension(dll, ".pdb");

        Assert.Equal([dll, xml], package.Entries.Where(e => e.StartsWith("lib/", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(pdb, package.Entries);
        Assert.Contains(pdb, symbols.Entries);

        // SourceLink: every source file maps to the public repository at the packed commit.
        string commit = package.Element("repository")!.Attribute("commit")!.Value;
        string sourceLink = ReadSourceLink(symbols.Read(pdb));
        string raw = PackedSolution.RepositoryPublicUrl.Replace("https://github.com/", "https://raw.githubusercontent.com/", StringComparison.Ordinal);
        Assert.Contains($"\"{raw}/{commit}/*\"", sourceLink, StringComparison.Ordinal);
        Assert.Contains("\"/_/*\"", sourceLink, StringComparison.Ordinal);
    }

    [Fact]
    public void Tool_package_holds_only_what_the_tool_runs()
    {
        using PackageFile tool = new(_packed.PackagePath("ProxyProtocol.Tool"));

        string[] files = tool.Entries.Where(e => e.StartsWith("tools/", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(
            [
                "tools/net10.0/any/DotnetToolSettings.xml",
                "tools/net10.0/any/ProxyProtocol.dll",
                "tools/net10.0/any/System.CommandLine.dll",
                "tools/net10.0/any/proxyproto.deps.json",
                "tools/net10.0/any/proxyproto.dll",
                "tools/net10.0/any/proxyproto.runtimeconfig.json",
            ],
            files);
        Assert.False(File.Exists(_packed.PackagePath("ProxyProtocol.Tool", "snupkg")), "the tool's PDB is embedded in proxyproto.dll");
    }

    private static string ReadSourceLink(byte[] pdb)
    {
        using MetadataReaderProvider provider = MetadataReaderProvider.FromPortablePdbImage(System.Collections.Immutable.ImmutableArray.Create(pdb));
        MetadataReader reader = provider.GetMetadataReader();
        foreach (CustomDebugInformationHandle handle in reader.CustomDebugInformation)
        {
            CustomDebugInformation info = reader.GetCustomDebugInformation(handle);
            if (reader.GetGuid(info.Kind) == s_sourceLinkKind)
            {
                return Encoding.UTF8.GetString(reader.GetBlobBytes(info.Value));
            }
        }

        Assert.Fail("the PDB has no SourceLink information");
        return string.Empty;
    }

    [GeneratedRegex(@"\bwarning [A-Z]*[0-9]*\s*:|: warning\b")]
    private static partial Regex WarningRegex();

    [GeneratedRegex(@"\]\(([^)\s]+)\)")]
    private static partial Regex MarkdownLinkRegex();
}
