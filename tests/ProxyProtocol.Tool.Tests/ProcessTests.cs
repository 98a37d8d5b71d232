using System;
using System.Diagnostics;
using System.IO;
using System.Threading.Tasks;

namespace ProxyProtocol.Tool.Tests;

/// <summary>Runs the built tool as a real process: exit codes, and stdout kept apart from stderr.</summary>
public class ProcessTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Decode_as_a_process_separates_stdout_and_stderr_and_sets_the_exit_code()
    {
        (int ok, string okOut, string okErr) = await RunAsync(null, "decode", "--hex", "0d0a0d0a000d0a515549540a20000000");
        Assert.Equal(0, ok);
        Assert.Equal("{\"version\":2,\"command\":\"LOCAL\",\"family\":\"UNSPEC\",\"transport\":\"UNSPEC\",\"source\":null,\"destination\":null,\"headerLength\":16,\"tlvs\":[]}\n", okOut);
        Assert.Equal(string.Empty, okErr);

        (int bad, string badOut, string badErr) = await RunAsync(null, "decode", "--hex", "0d0a0d0a000d0a515549540a2f000000");
        Assert.Equal(1, bad);
        Assert.Equal("{\"error\":\"InvalidCommand\",\"message\":\"The PROXY v2 header's command is neither LOCAL nor PROXY.\"}\n", badOut);
        Assert.Equal("proxyproto decode: InvalidCommand: The PROXY v2 header's command is neither LOCAL nor PROXY.\n", badErr);

        (int usage, string usageOut, string usageErr) = await RunAsync(null, "decode", "--hex");
        Assert.Equal(2, usage);
        Assert.Equal(string.Empty, usageOut);
        Assert.Equal("proxyproto decode: Required argument missing for option: '--hex' (see 'proxyproto decode --help')\n", usageErr);
    }

    [Fact]
    public async Task Encode_piped_into_decode_through_real_standard_streams()
    {
        (int encoded, string hex, _) = await RunAsync(null, "encode", "--v1", "--src", "[::1]:1", "--dst", "[::1]:2", "--hex");
        Assert.Equal(0, encoded);

        (int decoded, string json, string stderr) = await RunAsync(Convert.FromHexString(hex.Trim()), "decode");
        Assert.Equal(0, decoded);
        Assert.Equal("{\"version\":1,\"command\":\"PROXY\",\"family\":\"INET6\",\"transport\":\"STREAM\",\"source\":{\"address\":\"::1\",\"port\":1},\"destination\":{\"address\":\"::1\",\"port\":2},\"headerLength\":24,\"tlvs\":[]}\n", json);
        Assert.Equal(string.Empty, stderr);
    }

    [Fact]
    public async Task Help_and_version_as_a_process_name_the_program_proxyproto()
    {
        (int help, string helpOut, string helpErr) = await RunAsync(null, "decode", "--help");
        Assert.Equal(0, help);
        Assert.Contains("\nUsage:\n  proxyproto decode [options]\n", helpOut, StringComparison.Ordinal);
        Assert.Equal(string.Empty, helpErr);

        (int version, string versionOut, _) = await RunAsync(null, "--version");
        Assert.Equal(0, version);
        Assert.Matches("^[0-9]+\\.[0-9]+\\.[0-9]+[^\n]*\n$", versionOut);
    }

    [Fact]
    public async Task Encode_hex_piped_into_decode_as_text()
    {
        // The pipe `proxyproto encode ... --hex | proxyproto decode`, byte for byte.
        (int encoded, string hex, _) = await RunAsync(null, "encode", "--local", "--hex");
        Assert.Equal(0, encoded);
        Assert.Equal("0d0a0d0a000d0a515549540a20000000\n", hex);

        (int decoded, string json, string stderr) = await RunAsync(System.Text.Encoding.ASCII.GetBytes(hex), "decode");
        Assert.Equal(0, decoded);
        Assert.Equal("{\"version\":2,\"command\":\"LOCAL\",\"family\":\"UNSPEC\",\"transport\":\"UNSPEC\",\"source\":null,\"destination\":null,\"headerLength\":16,\"tlvs\":[]}\n", json);
        Assert.Equal(string.Empty, stderr);
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(byte[]? stdin, params string[] args)
    {
        string tool = Path.Combine(AppContext.BaseDirectory, "proxyproto.dll");
        Assert.True(File.Exists(tool), $"{tool} was not built next to the tests");
        ProcessStartInfo start = new(DotnetHost())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(tool);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.BaseStream.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        try
        {
            await process.WaitForExitAsync().WaitAsync(s_timeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>The dotnet host running these tests (the SDK sets DOTNET_HOST_PATH), else the one on PATH.</summary>
    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
}
