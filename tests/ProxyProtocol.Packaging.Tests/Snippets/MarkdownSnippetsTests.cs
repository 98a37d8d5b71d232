using System;
using System.Collections.Generic;

namespace ProxyProtocol.Packaging.Tests.Snippets;

/// <summary>The extraction and wrapping rules of README.md in this folder, on hand-written Markdown.</summary>
public class MarkdownSnippetsTests
{
    private const string Markdown =
        "# Title\n" +                                            // 1
        "\n" +                                                   // 2
        "```bash\n" +                                            // 3
        "dotnet add package ProxyProtocol\n" +                   // 4
        "```\n" +                                                // 5
        "\n" +                                                   // 6
        "<!-- snippet: given System.Net.Sockets.Socket socket -->\n" + // 7
        "```csharp\n" +                                          // 8
        "using System.Net;   // EndPoint\n" +                    // 9
        "using ProxyProtocol;\n" +                               // 10
        "\n" +                                                   // 11
        "EndPoint? peer = socket.RemoteEndPoint;\n" +            // 12
        "```\n" +                                                // 13
        "<!-- snippet: not compiled: pseudo-code for the shape only -->\n" + // 14
        "```csharp\n" +                                          // 15
        "header = ...;\n" +                                      // 16
        "```\n" +                                                // 17
        "- a list item:\n" +                                     // 18
        "  ```csharp\n" +                                        // 19
        "  var app = WebApplication.CreateBuilder(args).Build();\n" + // 20
        "  await app.RunAsync();\n" +                            // 21
        "  ```\n";                                               // 22

    [Fact]
    public void Blocks_are_found_with_their_line_and_marker()
    {
        List<Snippet> snippets = MarkdownSnippets.Extract("docs/x.md", Markdown);

        Assert.Equal(3, snippets.Count);
        Assert.Equal(new Snippet("docs/x.md", 9, "using System.Net;   // EndPoint\nusing ProxyProtocol;\n\nEndPoint? peer = socket.RemoteEndPoint;", "System.Net.Sockets.Socket socket", null), snippets[0]);
        Assert.Equal(new Snippet("docs/x.md", 16, "header = ...;", null, "pseudo-code for the shape only"), snippets[1]);
        Assert.Equal(new Snippet("docs/x.md", 20, "var app = WebApplication.CreateBuilder(args).Build();\nawait app.RunAsync();", null, null), snippets[2]);
    }

    [Fact]
    public void Markers_are_listed_with_their_line()
    {
        Assert.Equal(
            [(7, "<!-- snippet: given System.Net.Sockets.Socket socket -->"), (14, "<!-- snippet: not compiled: pseudo-code for the shape only -->")],
            MarkdownSnippets.Markers(Markdown));
    }

    [Fact]
    public void A_block_becomes_a_method_body_after_its_usings_with_line_directives_into_the_markdown()
    {
        Snippet snippet = MarkdownSnippets.Extract("docs/x.md", Markdown)[0];

        string file = MarkdownSnippets.Wrap(snippet, "Snippet000");

        Assert.Equal(
            "// Generated from docs/x.md:9\n" +
            "using System;\nusing System.Collections.Generic;\nusing System.IO;\nusing System.Linq;\nusing System.Net.Http;\nusing System.Threading;\nusing System.Threading.Tasks;\n" +
            "#line 9 \"docs/x.md\"\n" +
            "using System.Net;   // EndPoint\n" +
            "using ProxyProtocol;\n" +
            "\n" +
            "#line hidden\n" +
            "namespace DocSnippets\n{\n    internal static class Snippet000\n    {\n" +
            "        public static void Run(string[] args, System.Net.Sockets.Socket socket)\n        {\n" +
            "#line 12 \"docs/x.md\"\n" +
            "EndPoint? peer = socket.RemoteEndPoint;\n" +
            "#line default\n        }\n    }\n}\n",
            file);
    }

    [Fact]
    public void A_block_with_await_is_an_async_method_and_Kestrel_blocks_get_the_Web_SDK_usings()
    {
        Snippet snippet = MarkdownSnippets.Extract("docs/x.md", Markdown)[2];

        string file = MarkdownSnippets.Wrap(snippet, "Snippet002");

        Assert.True(MarkdownSnippets.IsWeb(snippet));
        Assert.Contains("public static async System.Threading.Tasks.Task RunAsync(string[] args)\n", file, StringComparison.Ordinal);
        Assert.Contains("using Microsoft.AspNetCore.Builder;\n", file, StringComparison.Ordinal);
        Assert.DoesNotContain("using System.Net;", file, StringComparison.Ordinal);
    }
}
