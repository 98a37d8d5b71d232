using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using ProxyProtocol.Packaging.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ProxyProtocol.Packaging.Tests.Snippets;

/// <summary>
/// Every ```csharp block of README.md, the package READMEs and docs/*.md compiles against the libraries, wrapped
/// as tests/ProxyProtocol.Packaging.Tests/README.md describes. All blocks go into one generated project, built once.
/// </summary>
public partial class SnippetCompilationTests
{
    private static readonly TimeSpan s_buildTimeout = TimeSpan.FromMinutes(5);
    private readonly ITestOutputHelper _output;

    public SnippetCompilationTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public async Task Every_csharp_block_of_the_docs_compiles()
    {
        List<Snippet> snippets = LoadAll();
        List<Snippet> compiled = snippets.Where(s => s.NotCompiledReason is null).ToList();
        // The docs have many C# blocks; finding few means the extraction broke, not that the docs are clean.
        Assert.True(compiled.Count >= 20, $"only {compiled.Count} C# blocks found in {string.Join(", ", snippets.Select(s => s.File).Distinct())}");

        using TemporaryFolder folder = new("snippets");
        File.WriteAllText(folder.Combine("Snippets.csproj"), ProjectFile(AppContext.BaseDirectory));
        for (int i = 0; i < compiled.Count; i++)
        {
            File.WriteAllText(folder.Combine($"Snippet{i:D3}.cs"), MarkdownSnippets.Wrap(compiled[i], $"Snippet{i:D3}"));
        }

        ProcessResult build = await new Dotnet(folder).RunAsync(folder.Path, s_buildTimeout, "build", "-nologo", "-clp:NoSummary", "--disable-build-servers");

        string[] errors = ErrorRegex().Matches(build.Output)
            .Select(m => m.Value.Replace(folder.Path + Path.DirectorySeparatorChar, string.Empty, StringComparison.Ordinal).Trim())
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToArray();
        _output.WriteLine($"{compiled.Count} snippets compiled, {snippets.Count - compiled.Count} marked not compiled");
        Assert.True(build.ExitCode == 0 && errors.Length == 0, $"C# blocks that do not compile:\n{string.Join('\n', errors)}\n\n{build}");
    }

    [Fact]
    public void Not_compiled_blocks_are_rare_and_say_why()
    {
        List<Snippet> skipped = LoadAll().Where(s => s.NotCompiledReason is not null).ToList();

        Assert.All(skipped, s => Assert.True(s.NotCompiledReason!.Length >= 10, $"{s}: say why the block is not compiled"));
        Assert.True(skipped.Count <= 5, $"{skipped.Count} blocks are not compiled: {string.Join(", ", skipped)}; use 'given' instead for fragments");
    }

    [Fact]
    public void Every_snippet_marker_sits_right_above_a_csharp_block()
    {
        foreach (string path in MarkdownSnippets.DocumentFiles(Repository.Root))
        {
            string markdown = File.ReadAllText(path);
            string relative = Path.GetRelativePath(Repository.Root, path).Replace('\\', '/');
            HashSet<int> blockLines = [.. MarkdownSnippets.Extract(relative, markdown).Where(s => s.Given is not null || s.NotCompiledReason is not null).Select(s => s.Line)];
            foreach ((int line, string text) in MarkdownSnippets.Markers(markdown))
            {
                // The marker's block starts two lines below it: the fence, then the code.
                Assert.True(blockLines.Contains(line + 2), $"{relative}:{line}: '{text}' is not 'given ...' or 'not compiled: ...' right above a ```csharp block");
            }
        }
    }

    [Fact]
    public void Csharp_blocks_are_fenced_as_csharp()
    {
        // Blocks fenced as cs, c# or C# would escape the compilation; the docs use one spelling.
        foreach (string path in MarkdownSnippets.DocumentFiles(Repository.Root))
        {
            string[] lines = File.ReadAllLines(path);
            for (int i = 0; i < lines.Length; i++)
            {
                Assert.False(OtherCsharpFenceRegex().IsMatch(lines[i]), $"{path}:{i + 1}: fence C# blocks as ```csharp");
            }
        }
    }

    private static List<Snippet> LoadAll()
    {
        List<Snippet> snippets = [];
        foreach (string path in MarkdownSnippets.DocumentFiles(Repository.Root))
        {
            string relative = Path.GetRelativePath(Repository.Root, path).Replace('\\', '/');
            snippets.AddRange(MarkdownSnippets.Extract(relative, File.ReadAllText(path)));
        }

        return snippets;
    }

    private static string ProjectFile(string assemblies)
    {
        StringBuilder project = new();
        project.Append("""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>disable</ImplicitUsings>
                <LangVersion>latest</LangVersion>
                <!-- Blocks are bodies of methods nobody calls: unused values and awaits that a page leaves out are fine. -->
                <NoWarn>$(NoWarn);CS1998;CS0168;CS0219;CS8321;CS4014</NoWarn>
                <ImportDirectoryBuildProps>false</ImportDirectoryBuildProps>
                <ImportDirectoryBuildTargets>false</ImportDirectoryBuildTargets>
                <ImportDirectoryPackagesProps>false</ImportDirectoryPackagesProps>
              </PropertyGroup>
              <ItemGroup>
                <FrameworkReference Include="Microsoft.AspNetCore.App" />
            """);
        foreach (string assembly in new[] { "ProxyProtocol", "ProxyProtocol.AspNetCore", "ProxyProtocol.Yarp", "Yarp.ReverseProxy" })
        {
            project.Append($"    <Reference Include=\"{Path.Combine(assemblies, assembly + ".dll")}\" />\n");
        }

        project.Append("  </ItemGroup>\n</Project>\n");
        return project.ToString();
    }

    [GeneratedRegex(@"[^\s]+\(\d+,\d+\): error [A-Z]+\d+: [^\[\n]*")]
    private static partial Regex ErrorRegex();

    [GeneratedRegex(@"^\s*```+\s*(cs|c#|C#|CSharp|CSHARP)\s*$")]
    private static partial Regex OtherCsharpFenceRegex();
}
