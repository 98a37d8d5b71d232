using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO;
using System.Linq;

namespace ProxyProtocol.Interop.Tests.Infrastructure;

/// <summary>
/// Finds the real peers the tests talk to. A peer is found through an override variable
/// (<c>PROXYPROTOCOL_INTEROP_HAPROXY=/path/to/haproxy</c>, or <c>none</c> to pretend it is missing), else on
/// <c>PATH</c>, else in the sbin directories that a non-root <c>PATH</c> often lacks.
/// </summary>
internal static class Peers
{
    public const string Haproxy = "haproxy";
    public const string Nginx = "nginx";
    public const string Curl = "curl";

    /// <summary>nginx with its stream module (a separate package on Debian: libnginx-mod-stream).</summary>
    public const string NginxStream = "nginx-stream";

    private static readonly string[] s_extraDirectories = ["/usr/local/sbin", "/usr/sbin", "/sbin"];
    private static readonly string[] s_streamModulePaths =
    [
        "/usr/lib/nginx/modules/ngx_stream_module.so",
        "/usr/lib64/nginx/modules/ngx_stream_module.so",
        "/usr/local/lib/nginx/modules/ngx_stream_module.so",
    ];

    private static readonly ConcurrentDictionary<string, PeerLookup> s_cache = new();

    /// <summary>With CI=true a missing peer fails its tests instead of skipping them.</summary>
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static PeerLookup Find(string peer) => s_cache.GetOrAdd(peer, static name => name == NginxStream ? FindNginxStream() : FindBinary(name));

    /// <summary>Why tests that need <paramref name="peers"/> are skipped, or <see langword="null"/> to run them.</summary>
    public static string? GetSkipReason(string[] peers)
    {
        if (IsCi)
        {
            return null;
        }

        string[] missing = peers.Select(Find).Where(p => !p.IsFound).Select(p => p.Reason).ToArray();
        return missing.Length == 0 ? null : string.Join("; ", missing) + " (with CI=true this test fails instead)";
    }

    /// <summary>The peer's binary; fails the test with the reason when it is missing (reached only with CI=true).</summary>
    public static string Require(string peer)
    {
        PeerLookup lookup = Find(peer);
        if (!lookup.IsFound)
        {
            Assert.Fail($"{lookup.Reason}. CI=true requires every interop peer: install haproxy, nginx, libnginx-mod-stream and curl (see .ci/run).");
        }

        return lookup.Path!;
    }

    private static PeerLookup FindBinary(string name)
    {
        string variable = GetOverrideVariable(name);
        string? configured = Environment.GetEnvironmentVariable(variable);
        if (configured is not null)
        {
            return configured is "" or "none"
                ? PeerLookup.Missing($"{name} is disabled by {variable}={configured}")
                : File.Exists(configured) ? PeerLookup.Found(configured) : PeerLookup.Missing($"{name} not found at {variable}={configured}");
        }

        string[] directories = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(s_extraDirectories)
            .ToArray();
        foreach (string directory in directories)
        {
            string candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return PeerLookup.Found(candidate);
            }
        }

        return PeerLookup.Missing($"{name} is not installed (not on PATH, nor in {string.Join(", ", s_extraDirectories)})");
    }

    private static PeerLookup FindNginxStream()
    {
        PeerLookup nginx = Find(Nginx);
        if (!nginx.IsFound)
        {
            return nginx;
        }

        string? module = Array.Find(s_streamModulePaths, File.Exists);
        if (module is not null)
        {
            return PeerLookup.Found(nginx.Path!, $"load_module {module};");
        }

        // Built in (nginx.org packages): `nginx -V` lists --with-stream without "=dynamic".
        using Process? process = Process.Start(new ProcessStartInfo(nginx.Path!, "-V") { RedirectStandardError = true, RedirectStandardOutput = true });
        string configure = process is null ? string.Empty : process.StandardError.ReadToEnd() + process.StandardOutput.ReadToEnd();
        process?.WaitForExit(10_000);
        return configure.Contains("--with-stream ", StringComparison.Ordinal) || configure.TrimEnd().EndsWith("--with-stream", StringComparison.Ordinal)
            ? PeerLookup.Found(nginx.Path!, string.Empty)
            : PeerLookup.Missing($"nginx's stream module is not installed (no {string.Join(" or ", s_streamModulePaths)}, not built in)");
    }

    private static string GetOverrideVariable(string name) => "PROXYPROTOCOL_INTEROP_" + name.ToUpperInvariant();
}

/// <summary>Where a peer is, or why it is missing.</summary>
/// <param name="Path">The binary, when found.</param>
/// <param name="Reason">Why it is missing.</param>
/// <param name="LoadModule">For the nginx stream module: the <c>load_module</c> line, empty when built in.</param>
internal sealed record PeerLookup(string? Path, string Reason, string LoadModule)
{
    public bool IsFound => Path is not null;

    public static PeerLookup Found(string path, string loadModule = "") => new(path, string.Empty, loadModule);

    public static PeerLookup Missing(string reason) => new(null, reason, string.Empty);
}
