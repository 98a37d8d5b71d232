using System;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace ProxyProtocol.Tool.Tests;

/// <summary>The result of one in-process run of <c>proxyproto</c>.</summary>
internal sealed record ToolResult(int ExitCode, byte[] StdoutBytes, string Stderr)
{
    public string Stdout => Encoding.UTF8.GetString(StdoutBytes);

    /// <summary>Standard error split into lines, without the trailing empty one.</summary>
    public string[] StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>Runs <c>proxyproto</c> in-process with memory streams for stdin and stdout.</summary>
internal static class ToolRunner
{
    /// <summary>Bounds every in-process run: a hang fails the test instead of stalling the suite.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    public static Task<ToolResult> RunAsync(params string[] args) => RunAsync(Array.Empty<byte>(), args);

    public static Task<ToolResult> RunAsync(byte[] stdin, params string[] args) => RunAsync(new MemoryStream(stdin), args);

    public static async Task<ToolResult> RunAsync(Stream stdin, string[] args, TextWriter? stderr = null, CancellationToken cancellationToken = default)
    {
        MemoryStream stdout = new();
        stderr ??= new StringWriter();
        int exitCode = await ProxyProtocolTool.RunAsync(args, stdin, stdout, stderr, cancellationToken).WaitAsync(Timeout);
        return new ToolResult(exitCode, stdout.ToArray(), stderr.ToString() ?? string.Empty);
    }

    public static byte[] ReadTestData(string name) => File.ReadAllBytes(TestDataPath(name));

    public static string TestDataPath(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", name);
}
