using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace ProxyProtocol.Tests;

/// <summary>
/// docs/conformance.md is the catalogue of the rule ids the code, its docs and its tests cite (SEM-01, QUIRK-04):
/// it must define every id that is cited, every rule it defines must be pinned by a test that cites it, and every
/// test it names must exist.
/// </summary>
public partial class ConformanceDocumentTests
{
    private static readonly string s_root = PublicApiTests.FindRepositoryRoot();
    private static readonly string s_document = File.ReadAllText(Path.Combine(s_root, "docs", "conformance.md"));

    [Fact]
    public void Every_rule_id_cited_in_src_tests_and_docs_has_an_entry()
    {
        HashSet<string> entries = Entries();
        var missing = new SortedSet<string>(StringComparer.Ordinal);
        foreach (string file in SourceFiles("src", "*.cs").Concat(SourceFiles("tests", "*.cs")).Concat(SourceFiles("docs", "*.md")).Append(Path.Combine(s_root, "README.md")))
        {
            foreach (string id in CitedIds(File.ReadAllText(file)))
            {
                if (!entries.Contains(id))
                {
                    missing.Add($"{id} ({Path.GetRelativePath(s_root, file)})");
                }
            }
        }

        Assert.True(missing.Count == 0, "Cited but not in docs/conformance.md: " + string.Join(", ", missing));
        Assert.True(entries.Count >= 76, $"only {entries.Count} entries");
    }

    [Fact]
    public void Every_entry_is_cited_by_a_test()
    {
        HashSet<string> cited = SourceFiles("tests", "*.cs")
            .Where(file => !file.EndsWith(nameof(ConformanceDocumentTests) + ".cs", StringComparison.Ordinal))
            .SelectMany(file => CitedIds(File.ReadAllText(file)))
            .ToHashSet(StringComparer.Ordinal);

        string[] uncited = Entries().Where(id => !cited.Contains(id)).Order(StringComparer.Ordinal).ToArray();
        Assert.True(uncited.Length == 0, "No test cites: " + string.Join(", ", uncited));
    }

    [Fact]
    public void Every_entry_says_what_the_spec_requires_what_the_library_does_and_names_its_tests()
    {
        string[] sections = Regex.Split(s_document, @"^### ", RegexOptions.Multiline).Skip(1).ToArray();
        Assert.NotEmpty(sections);
        foreach (string section in sections)
        {
            string id = section[..section.IndexOf('\n', StringComparison.Ordinal)].Trim();
            Assert.Matches(IdPattern(), id); // the heading is the id alone, so its anchor is docs/conformance.md#<id in lower case>
            Assert.True(section.Contains("- **Spec**", StringComparison.Ordinal) || section.Contains("- **Observed**", StringComparison.Ordinal) || section.Contains("- **Decision**", StringComparison.Ordinal), $"{id}: no Spec/Observed/Decision line");
            Assert.True(section.Contains("- **Here**", StringComparison.Ordinal), $"{id}: no Here line");
            int tests = section.IndexOf("- **Tests**", StringComparison.Ordinal);
            Assert.True(tests >= 0 && TestName().IsMatch(section[tests..]), $"{id}: names no test");
        }
    }

    [Fact]
    public void Every_test_the_document_names_exists()
    {
        Dictionary<string, string> classes = SourceFiles("tests", "*.cs")
            .GroupBy(file => Path.GetFileNameWithoutExtension(file))
            .ToDictionary(group => group.Key, group => string.Concat(group.Select(File.ReadAllText)), StringComparer.Ordinal);
        var unknown = new List<string>();
        MatchCollection names = TestName().Matches(s_document);
        foreach (Match name in names)
        {
            string type = name.Groups["type"].Value;
            string method = name.Groups["method"].Value;
            if (!classes.TryGetValue(type, out string? text) || !Regex.IsMatch(text, $@"\b(void|Task)\s+{Regex.Escape(method)}\s*\("))
            {
                unknown.Add(name.Value);
            }
        }

        Assert.True(names.Count >= 100, $"only {names.Count} test names");
        Assert.True(unknown.Count == 0, "Named in docs/conformance.md but not found: " + string.Join(", ", unknown));
    }

    [Fact]
    public void Every_link_to_the_document_points_at_an_entry()
    {
        HashSet<string> anchors = Entries().Select(id => id.ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);
        var broken = new List<string>();
        foreach (string file in SourceFiles("src", "*.cs").Concat(SourceFiles("docs", "*.md")).Append(Path.Combine(s_root, "README.md")))
        {
            foreach (Match link in Regex.Matches(File.ReadAllText(file), @"conformance\.md#(?<anchor>[a-z0-9-]+)"))
            {
                string anchor = link.Groups["anchor"].Value;
                if (!anchors.Contains(anchor) && anchor != "observed-differences-with-haproxy-26-and-nginx-122")
                {
                    broken.Add($"{Path.GetRelativePath(s_root, file)}: {link.Value}");
                }
            }
        }

        Assert.True(broken.Count == 0, "Broken links: " + string.Join(", ", broken));
    }

    private static HashSet<string> Entries() =>
        Regex.Matches(s_document, @"^### (?<id>\S+)\s*$", RegexOptions.Multiline).Select(m => m.Groups["id"].Value).ToHashSet(StringComparer.Ordinal);

    /// <summary>The ids a text cites: SEM-01, QUIRK-03a, V1_09 in a method name, ranges such as TLV-01..03 and CRC-02/03.</summary>
    private static IEnumerable<string> CitedIds(string text)
    {
        foreach (Match match in Citation().Matches(text))
        {
            string prefix = match.Groups["prefix"].Value;
            int first = int.Parse(match.Groups["first"].Value, System.Globalization.CultureInfo.InvariantCulture);
            int last = match.Groups["last"].Success ? int.Parse(match.Groups["last"].Value, System.Globalization.CultureInfo.InvariantCulture) : first;
            for (int number = first; number <= last; number++)
            {
                yield return $"{prefix}-{number:00}";
            }
        }
    }

    private static IEnumerable<string> SourceFiles(string directory, string pattern) =>
        Directory.EnumerateFiles(Path.Combine(s_root, directory), pattern, SearchOption.AllDirectories)
            .Where(file => !file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

    // An id: one of the checklist's prefixes, a separator, two digits, then no further digit or capital letter
    // (so the algorithm name CRC-32C is no id); a lower-case letter may follow (QUIRK-03a).
    [GeneratedRegex(@"\b(?<prefix>DET|V1|V2|SEM|TLV|CRC|SSL|UDP|RX|TX|QUIRK)[-_](?<first>\d{2})(?:(?:\.\.|/)(?<last>\d{2}))?(?![0-9A-Z])")]
    private static partial Regex Citation();

    [GeneratedRegex(@"^(DET|V1|V2|SEM|TLV|CRC|SSL|UDP|RX|TX|QUIRK)-\d{2}$")]
    private static partial Regex IdPattern();

    [GeneratedRegex(@"`(?<type>[A-Z][A-Za-z0-9]*Tests|[A-Z][A-Za-z0-9]*Properties)\.(?<method>[A-Za-z0-9_]+)`")]
    private static partial Regex TestName();
}
