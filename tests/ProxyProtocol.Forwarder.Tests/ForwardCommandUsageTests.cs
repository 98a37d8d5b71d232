using System;
using System.Diagnostics;
using System.IO;
using System.Threading.Tasks;

namespace ProxyProtocol.Forwarder.Tests;

/// <summary><c>proxyproto forward</c>'s command line: mistakes exit 2 with one line naming the option.</summary>
public sealed class ForwardCommandUsageTests
{
    [Theory]
    [InlineData("--to 127.0.0.1:9", "Option '--listen' is required")]
    [InlineData("--listen 127.0.0.1:0", "Option '--to' is required")]
    [InlineData("--listen 127.0.0.1:0 --to 127.0.0.1:9 --v1 --v2", "--v1 and --v2 exclude each other")]
    [InlineData("--listen 127.0.0.1:0 --to 127.0.0.1:9 --trusted 10.0.0.0/8", "--trusted needs --accept-proxy")]
    [InlineData("--listen 127.0.0.1:0 --to 127.0.0.1:9 --accept-proxy --trusted 10.0.0.0", "--trusted: '10.0.0.0' is not a network")]
    [InlineData("--listen localhost:0 --to 127.0.0.1:9", "--listen: 'localhost:0' is not IP:PORT")]
    public async Task Mistakes_exit_2_naming_the_option(string arguments, string expected)
    {
        (int exitCode, _, string stderr) = await RunAsync("forward " + arguments);

        Assert.Equal(2, exitCode);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_lists_the_options()
    {
        (int exitCode, string stdout, _) = await RunAsync("forward --help");

        Assert.Equal(0, exitCode);
        foreach (string option in new[] { "--listen <ADDR:PORT> (REQUIRED)", "--to <HOST:PORT> (REQUIRED)", "--accept-proxy", "--trusted <CIDR>", "--v1", "--v2", "--count <N>", "--header-timeout <SECONDS>", "--idle-timeout <SECONDS>", "--quiet" })
        {
            Assert.Contains(option, stdout, StringComparison.Ordinal);
        }
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string arguments)
    {
        string host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } dotnet ? dotnet : "dotnet";
        var start = new ProcessStartInfo(host) { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "proxyproto.dll"));
        foreach (string argument in arguments.Split(' '))
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return (process.ExitCode, await stdout, await stderr);
    }
}
