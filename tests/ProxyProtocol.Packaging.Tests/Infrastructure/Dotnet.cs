using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text;
using System.Threading.Tasks;

namespace ProxyProtocol.Packaging.Tests.Infrastructure;

/// <summary>The outcome of one process run: its exit code and its stdout and stderr, interleaved.</summary>
public sealed record ProcessResult(string Command, int ExitCode, string Output)
{
    public override string ToString() => $"{Command}\nexit code {ExitCode}\n{Output}";
}

/// <summary>
/// Runs the dotnet CLI (the same host that runs the tests) isolated from the machine: NuGet packages and HTTP
/// cache in the test's temp folder, no build servers left running, no MSBuild settings inherited from the
/// `dotnet test` that started us. Every run is bounded; on timeout the process tree is killed.
/// </summary>
public sealed class Dotnet
{
    private readonly TemporaryFolder _folder;

    /// <param name="folder">Holds the NuGet caches of every run.</param>
    /// <param name="isolatedPackages">
    /// Whether restores use a package folder of their own. True wherever our packages are installed, so that
    /// a locally built ProxyProtocol 0.1.0 never lands in the machine's global packages folder.
    /// </param>
    public Dotnet(TemporaryFolder folder, bool isolatedPackages = true)
    {
        _folder = folder;
        IsolatedPackages = isolatedPackages;
    }

    public bool IsolatedPackages { get; }

    /// <summary>The dotnet host running these tests (the SDK sets DOTNET_HOST_PATH), else the one on PATH.</summary>
    public static string Host =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    public Task<ProcessResult> RunAsync(string workingDirectory, TimeSpan timeout, params string[] args) =>
        RunProcessAsync(Host, workingDirectory, timeout, args);

    public async Task<ProcessResult> RunProcessAsync(string fileName, string workingDirectory, TimeSpan timeout, params string[] args)
    {
        ProcessStartInfo start = new(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        Isolate(start.Environment);
        StringBuilder output = new();
        using Process process = new() { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        try
        {
            // Builds run beside timing-sensitive tests of other assemblies: let those have the CPU first
            // (the niceness is inherited by the compiler and MSBuild processes the CLI starts).
            process.PriorityClass = ProcessPriorityClass.BelowNormal;
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or PlatformNotSupportedException)
        {
            // Only a courtesy: the process may already have exited, or the platform may refuse.
        }

        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        string command = $"{Path.GetFileName(fileName)} {string.Join(' ', args)} (in {workingDirectory})";
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"{command} did not finish within {timeout}:\n{Snapshot(output)}");
        }

        // The parameterless wait also waits for the redirected streams to reach their end.
        process.WaitForExit();
        return new ProcessResult(command, process.ExitCode, Snapshot(output));
    }

    private void Isolate(IDictionary<string, string?> environment)
    {
        // Set by `dotnet test` for its own MSBuild; a nested CLI must find its SDK afresh.
        foreach (string name in new List<string>(environment.Keys))
        {
            if (name.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || name.StartsWith("MSBUILD", StringComparison.Ordinal) ||
                name is "VSTEST_HOST_DEBUG" or "DOTNET_STARTUP_HOOKS")
            {
                environment.Remove(name);
            }
        }

        environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        environment["DOTNET_NOLOGO"] = "1";
        environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        environment["DOTNET_GENERATE_ASPNET_CERTIFICATE"] = "false";
        environment["DOTNET_CLI_DO_NOT_USE_MSBUILD_SERVER"] = "1";
        environment["MSBUILDDISABLENODEREUSE"] = "1";
        environment["UseSharedCompilation"] = "false";
        environment["NUGET_HTTP_CACHE_PATH"] = _folder.Combine("nuget-http-cache");
        environment["NUGET_PLUGINS_CACHE_PATH"] = _folder.Combine("nuget-plugins-cache");
        if (IsolatedPackages)
        {
            environment["NUGET_PACKAGES"] = _folder.Combine("nuget-packages");
        }
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.Append(line).Append('\n');
        }
    }

    private static string Snapshot(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
