using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace ProxyProtocol.Packaging.Tests.Snippets;

/// <summary>One ```csharp block of a Markdown file.</summary>
/// <param name="File">The Markdown file, relative to the repository root, with '/'.</param>
/// <param name="Line">The 1-based line of the block's first line of code.</param>
/// <param name="Code">The code, without the fences.</param>
/// <param name="Given">The variables the text around the block provides, as a C# parameter list, or <see langword="null"/>.</param>
/// <param name="NotCompiledReason">Why the block is not compiled, or <see langword="null"/> when it is.</param>
internal sealed record Snippet(string File, int Line, string Code, string? Given, string? NotCompiledReason)
{
    public override string ToString() => $"{File}:{Line}";
}

/// <summary>
/// Finds the C# blocks of the docs and wraps each as a compilable file, following the rules in
/// tests/ProxyProtocol.Packaging.Tests/README.md: a block is the body of a method of an app (the Web SDK's
/// implicit usings when it uses Kestrel or ASP.NET Core types, a console app's otherwise), its leading
/// <c>using</c> directives become the file's, and an HTML comment right above the fence may say
/// <c>&lt;!-- snippet: given Type name, ... --&gt;</c> (variables the text provides) or
/// <c>&lt;!-- snippet: not compiled: reason --&gt;</c>.
/// </summary>
internal static partial class MarkdownSnippets
{
    /// <summary>What `dotnet new console` has (Microsoft.NET.Sdk, ImplicitUsings).</summary>
    public static readonly string[] ConsoleUsings =
    [
        "System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Threading", "System.Threading.Tasks",
    ];

    /// <summary>What `dotnet new web` has (Microsoft.NET.Sdk.Web, ImplicitUsings).</summary>
    public static readonly string[] WebUsings =
    [
        .. ConsoleUsings, "System.Net.Http.Json",
        "Microsoft.AspNetCore.Builder", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Http", "Microsoft.AspNetCore.Routing",
        "Microsoft.Extensions.Configuration", "Microsoft.Extensions.DependencyInjection", "Microsoft.Extensions.Hosting", "Microsoft.Extensions.Logging",
    ];

    /// <summary>The Markdown files whose C# blocks must compile: the front page, the package pages, docs/.</summary>
    public static IEnumerable<string> DocumentFiles(string root)
    {
        yield return Path.Combine(root, "README.md");
        foreach (string readme in Directory.EnumerateFiles(Path.Combine(root, "src"), "README.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            if (!IsBuildOutput(readme))
            {
                yield return readme;
            }
        }

        foreach (string doc in Directory.EnumerateFiles(Path.Combine(root, "docs"), "*.md").Order(StringComparer.Ordinal))
        {
            yield return doc;
        }
    }

    public static List<Snippet> Extract(string relativePath, string markdown)
    {
        List<Snippet> snippets = [];
        string[] lines = markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            Match open = FenceRegex().Match(lines[i]);
            if (!open.Success)
            {
                continue;
            }

            string indent = open.Groups["indent"].Value;
            string fence = open.Groups["fence"].Value;
            int end = i + 1;
            while (end < lines.Length && !lines[end].TrimStart().StartsWith(fence, StringComparison.Ordinal))
            {
                end++;
            }

            if (open.Groups["info"].Value == "csharp")
            {
                string code = string.Join('\n', lines[(i + 1)..Math.Min(end, lines.Length)].Select(line => line.StartsWith(indent, StringComparison.Ordinal) ? line[indent.Length..] : line.TrimStart()));
                (string? given, string? notCompiled) = ReadMarker(lines, i);
                snippets.Add(new Snippet(relativePath, i + 2, code, given, notCompiled));
            }

            i = end;
        }

        return snippets;
    }

    /// <summary>Every marker comment in the file, with its line, to check that each sits right above a C# block.</summary>
    public static IEnumerable<(int Line, string Text)> Markers(string markdown)
    {
        string[] lines = markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].Contains("<!-- snippet", StringComparison.Ordinal))
            {
                yield return (i + 1, lines[i].Trim());
            }
        }
    }

    /// <summary>Whether a block uses Kestrel or ASP.NET Core, and so belongs to a `dotnet new web` app.</summary>
    public static bool IsWeb(Snippet snippet) => WebRegex().IsMatch(snippet.Code);

    /// <summary>The compilable file for a snippet: usings, then the code as the body of a method.</summary>
    public static string Wrap(Snippet snippet, string className)
    {
        string[] lines = snippet.Code.Split('\n');
        List<string> usings = [];
        int body = 0;
        while (body < lines.Length && (UsingRegex().IsMatch(lines[body]) || string.IsNullOrWhiteSpace(lines[body]) || lines[body].TrimStart().StartsWith("//", StringComparison.Ordinal)))
        {
            if (UsingRegex().IsMatch(lines[body]))
            {
                usings.Add(lines[body]);
            }

            body++;
        }

        // A using that the snippet shows wins over the implicit one (no duplicate-using warning).
        HashSet<string> shown = [.. usings.Select(u => UsingRegex().Match(u).Groups["name"].Value)];
        StringBuilder file = new();
        file.Append("// Generated from ").Append(snippet).Append('\n');
        foreach (string implicitUsing in IsWeb(snippet) ? WebUsings : ConsoleUsings)
        {
            if (!shown.Contains(implicitUsing))
            {
                file.Append("using ").Append(implicitUsing).Append(";\n");
            }
        }

        file.Append("#line ").Append(snippet.Line).Append(" \"").Append(snippet.File).Append("\"\n");
        foreach (string line in lines[..body])
        {
            file.Append(UsingRegex().IsMatch(line) ? line : string.Empty).Append('\n');
        }

        file.Append("#line hidden\n");
        bool async = AwaitRegex().IsMatch(snippet.Code);
        file.Append("namespace DocSnippets\n{\n    internal static class ").Append(className).Append("\n    {\n");
        file.Append("        public static ").Append(async ? "async System.Threading.Tasks.Task RunAsync" : "void Run")
            .Append("(string[] args").Append(snippet.Given is null ? string.Empty : ", " + snippet.Given).Append(")\n        {\n");
        file.Append("#line ").Append(snippet.Line + body).Append(" \"").Append(snippet.File).Append("\"\n");
        foreach (string line in lines[body..])
        {
            file.Append(line).Append('\n');
        }

        file.Append("#line default\n        }\n    }\n}\n");
        return file.ToString();
    }

    private static (string? Given, string? NotCompiled) ReadMarker(string[] lines, int fenceLine)
    {
        int previous = fenceLine - 1;
        while (previous >= 0 && string.IsNullOrWhiteSpace(lines[previous]))
        {
            previous--;
        }

        if (previous < 0)
        {
            return (null, null);
        }

        Match marker = MarkerRegex().Match(lines[previous]);
        if (!marker.Success)
        {
            return (null, null);
        }

        return marker.Groups["kind"].Value == "given"
            ? (marker.Groups["text"].Value.Trim(), null)
            : (null, marker.Groups["text"].Value.Trim());
    }

    private static bool IsBuildOutput(string path) =>
        path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ||
        path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal);

    [GeneratedRegex(@"^(?<indent>\s*)(?<fence>```+)\s*(?<info>[^\s`]*)")]
    private static partial Regex FenceRegex();

    [GeneratedRegex(@"^\s*<!--\s*snippet:\s*(?<kind>given|not compiled:)\s*(?<text>.*?)\s*-->\s*$")]
    private static partial Regex MarkerRegex();

    [GeneratedRegex(@"^\s*using\s+(static\s+)?(\w+\s*=\s*)?(?<name>[A-Za-z_][\w.]*)\s*;\s*(//.*)?$")]
    private static partial Regex UsingRegex();

    [GeneratedRegex(@"\bawait\b")]
    private static partial Regex AwaitRegex();

    [GeneratedRegex(@"\b(WebApplication|ListenOptions|HttpContext|UseProxyProtocol|ConfigureKestrel|IProxyProtocolFeature|KestrelServerOptions)\b")]
    private static partial Regex WebRegex();
}
