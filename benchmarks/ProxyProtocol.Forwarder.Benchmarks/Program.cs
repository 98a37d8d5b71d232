// Throughput and per-connection cost of `proxyproto forward` (ProxyTcpForwarder) against HAProxy `mode tcp`,
// both sending PROXY v2 to the same backend, on loopback, alternating in the same run. See benchmarks/README.md.
//   dotnet run -c Release --project benchmarks/ProxyProtocol.Forwarder.Benchmarks -- [--rounds 5] [--mb 512] [--connections 2000]
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;
using ProxyProtocol.Forwarder.Benchmarks;

int rounds = GetOption("--rounds", 5);
int megabytes = GetOption("--mb", 512);
int connections = GetOption("--connections", 2000);
string haproxy = FindHaproxy();

using var backend = new SinkBackend();
string directory = Directory.CreateTempSubdirectory("ppbench-").FullName;
int haproxyPort = FreePort();
int threads = GetOption("--haproxy-threads", Environment.ProcessorCount);
File.WriteAllText(Path.Combine(directory, "haproxy.cfg"), $"""
    global
        maxconn 8192
        nbthread {threads}
    defaults
        mode tcp
        timeout connect 5s
        timeout client 60s
        timeout server 60s
    listen forward
        bind 127.0.0.1:{haproxyPort}
        server backend {backend.EndPoint} send-proxy-v2

    """);
int forwardPort = FreePort();
string host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } dotnet ? dotnet : "dotnet";
string tool = Path.Combine(AppContext.BaseDirectory, "proxyproto.dll");

using Process haproxyProcess = Start(haproxy, ["-db", "-f", Path.Combine(directory, "haproxy.cfg")]);
using Process forwardProcess = Start(host, [tool, "forward", "--listen", $"127.0.0.1:{forwardPort}", "--to", backend.EndPoint.ToString(), "--v2", "--quiet"]);
try
{
    var targets = new (string Name, IPEndPoint EndPoint)[]
    {
        ("HAProxy mode tcp", new IPEndPoint(IPAddress.Loopback, haproxyPort)),
        ("proxyproto forward", new IPEndPoint(IPAddress.Loopback, forwardPort)),
    };
    foreach ((_, IPEndPoint endPoint) in targets)
    {
        await WaitUntilListeningAsync(endPoint);
    }

    Console.WriteLine($"{Environment.ProcessorCount} CPUs, {rounds} rounds, {megabytes} MB per throughput run, {connections} sequential connections per connection run");

    // Warm-up (JIT, HAProxy's pools), not measured.
    foreach ((_, IPEndPoint endPoint) in targets)
    {
        await ThroughputAsync(endPoint, 32);
        await ConnectionsAsync(endPoint, 200);
    }

    backend.ExpectHeader = false;
    await ConnectionsAsync(backend.EndPoint, 200);
    var direct = new List<double>();
    var throughput = targets.ToDictionary(t => t.Name, _ => new List<double>());
    var perConnection = targets.ToDictionary(t => t.Name, _ => new List<double>());
    for (int round = 0; round < rounds; round++)
    {
        backend.ExpectHeader = false;
        direct.Add(await ConnectionsAsync(backend.EndPoint, connections));
        backend.ExpectHeader = true;

        // Alternate the order each round so neither always runs first on a warmer or cooler machine.
        var order = round % 2 == 0 ? targets : targets.Reverse().ToArray();
        foreach ((string name, IPEndPoint endPoint) in order)
        {
            throughput[name].Add(await ThroughputAsync(endPoint, megabytes));
            perConnection[name].Add(await ConnectionsAsync(endPoint, connections));
        }
    }

    if (backend.MissingHeaders > 0)
    {
        throw new InvalidOperationException($"{backend.MissingHeaders} backend connections had no valid PROXY header.");
    }

    double directMedian = Median(direct);
    Console.WriteLine();
    Console.WriteLine($"| proxy | throughput, MB/s (median of {rounds}) | per connection, µs (median) | added over direct ({directMedian:F0} µs), µs |");
    Console.WriteLine("| --- | ---: | ---: | ---: |");
    foreach ((string name, _) in targets)
    {
        double t = Median(throughput[name]);
        double c = Median(perConnection[name]);
        Console.WriteLine($"| {name} | {t:F0} | {c:F0} | {c - directMedian:F0} |");
    }

    string ours = targets[1].Name;
    string theirs = targets[0].Name;
    Console.WriteLine();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"throughput ratio forward/HAProxy: {Median(throughput[ours]) / Median(throughput[theirs]):F2}"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"per-connection cost ratio forward/HAProxy: {Median(perConnection[ours]) / Median(perConnection[theirs]):F2} (added over direct: {(Median(perConnection[ours]) - directMedian) / (Median(perConnection[theirs]) - directMedian):F2})"));
    Console.WriteLine("raw: " + string.Join("; ", targets.Select(t => $"{t.Name}: MB/s [{string.Join(' ', throughput[t.Name].Select(v => v.ToString("F0", CultureInfo.InvariantCulture)))}], µs [{string.Join(' ', perConnection[t.Name].Select(v => v.ToString("F0", CultureInfo.InvariantCulture)))}]")) + $"; direct µs [{string.Join(' ', direct.Select(v => v.ToString("F0", CultureInfo.InvariantCulture)))}]");
}
finally
{
    Stop(forwardProcess);
    Stop(haproxyProcess);
    Directory.Delete(directory, recursive: true);
}

return 0;

// One connection sends `megabytes` MB then FIN; timed until the backend's ack after it read everything.
static async Task<double> ThroughputAsync(IPEndPoint endPoint, int megabytes)
{
    byte[] chunk = new byte[256 * 1024];
    chunk[0] = (byte)'T';
    long total = (long)megabytes * 1024 * 1024;
    using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
    long start = Stopwatch.GetTimestamp();
    await socket.ConnectAsync(endPoint);
    for (long sent = 0; sent < total;)
    {
        int n = (int)Math.Min(chunk.Length, total - sent);
        sent += await socket.SendAsync(chunk.AsMemory(0, n), SocketFlags.None);
        chunk[0] = 0;
    }

    socket.Shutdown(SocketShutdown.Send);
    await ExpectAckAsync(socket);
    return total / 1024.0 / 1024.0 / Stopwatch.GetElapsedTime(start).TotalSeconds;
}

// `count` connections one after another: connect, one byte each way, close. Returns the mean µs per connection.
static async Task<double> ConnectionsAsync(IPEndPoint endPoint, int count)
{
    byte[] request = "C"u8.ToArray();
    long start = Stopwatch.GetTimestamp();
    for (int i = 0; i < count; i++)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endPoint);
        await socket.SendAsync(request, SocketFlags.None);
        await ExpectAckAsync(socket);
    }

    return Stopwatch.GetElapsedTime(start).TotalMicroseconds / count;
}

static async Task ExpectAckAsync(Socket socket)
{
    byte[] ack = new byte[16];
    int received = 0;
    int read;
    while ((read = await socket.ReceiveAsync(ack.AsMemory(received), SocketFlags.None)) > 0)
    {
        received += read;
    }

    if (received != 1 || ack[0] != (byte)'K')
    {
        throw new InvalidOperationException($"expected the backend's ack, got {received} bytes");
    }
}

static double Median(List<double> values)
{
    double[] sorted = [.. values.Order()];
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}

static int FreePort()
{
    using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
    return ((IPEndPoint)socket.LocalEndPoint!).Port;
}

static async Task WaitUntilListeningAsync(IPEndPoint endPoint)
{
    // Bounded: 20 s at most. Each probe is a real connection the proxy forwards; the backend tolerates it.
    for (int attempt = 0; attempt < 200; attempt++)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(endPoint);
            await socket.SendAsync("C"u8.ToArray(), SocketFlags.None);
            await ExpectAckAsync(socket);
            return;
        }
        catch (SocketException)
        {
            await Task.Delay(100);
        }
    }

    throw new TimeoutException($"nothing listens on {endPoint}");
}

static Process Start(string fileName, string[] arguments)
{
    var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (string argument in arguments)
    {
        start.ArgumentList.Add(argument);
    }

    Process process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {fileName}");
    process.OutputDataReceived += (_, _) => { };
    process.ErrorDataReceived += (_, _) => { };
    process.BeginOutputReadLine();
    process.BeginErrorReadLine();
    return process;
}

static void Stop(Process process)
{
    if (!process.HasExited)
    {
        process.Kill();
        process.WaitForExit(5000);
    }
}

static string FindHaproxy()
{
    foreach (string directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Concat(["/usr/sbin", "/usr/local/sbin", "/sbin"]))
    {
        string candidate = Path.Combine(directory, "haproxy");
        if (File.Exists(candidate))
        {
            return candidate;
        }
    }

    throw new FileNotFoundException("haproxy is not installed; this benchmark compares against it.");
}

int GetOption(string name, int defaultValue)
{
    int index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : defaultValue;
}
