using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace ProxyProtocol.Interop.Tests.Infrastructure;

/// <summary>How to run a peer: its command line, how to stop it, and when it is ready.</summary>
/// <param name="FileName">The binary.</param>
/// <param name="Arguments">Its arguments.</param>
/// <param name="StopSignal">The signal that stops it cleanly (HAProxy: SIGUSR1, nginx: SIGTERM).</param>
/// <param name="IsReadyAsync">One readiness probe (a poll-connect); polled until it returns true.</param>
internal sealed record PeerCommand(string FileName, IReadOnlyList<string> Arguments, int StopSignal, Func<CancellationToken, Task<bool>> IsReadyAsync);

/// <summary>
/// A peer (HAProxy, nginx) running in the foreground as a child process: output captured for failure messages,
/// ready once its probe connects, stopped by PID with its own stop signal, killed if it does not stop.
/// </summary>
internal sealed class PeerProcess : IAsyncDisposable
{
    public static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(20);
    public static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);

    // Peers still running when the test process exits (a crash, a cancelled run) are killed with it.
    private static readonly ConcurrentDictionary<int, Process> s_running = new();

    private readonly Process _process;
    private readonly int _stopSignal;
    private readonly StringBuilder _output = new();

    static PeerProcess() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        foreach (Process process in s_running.Values)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
        }
    };

    private PeerProcess(string name, PeerCommand command)
    {
        Name = name;
        _stopSignal = command.StopSignal;
        var start = new ProcessStartInfo(command.FileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in command.Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        Append($"$ {command.FileName} {string.Join(' ', command.Arguments)}");
    }

    public string Name { get; }

    public int Id => _process.Id;

    /// <summary>Set once the process has exited.</summary>
    public int? ExitCode { get; private set; }

    /// <summary>The command line, then everything the peer wrote on stdout and stderr.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>
    /// Starts a peer and waits until it is ready. <paramref name="prepare"/> runs once per attempt: it reserves the
    /// ports (<see cref="FreePort"/>) and writes the configuration. A first attempt that fails because a port was
    /// taken in the meantime ("Address already in use") is retried once with new ports.
    /// </summary>
    public static async Task<PeerProcess> StartAsync(string name, Func<PeerCommand> prepare)
    {
        for (int attempt = 1; ; attempt++)
        {
            PeerCommand command = prepare();
            var peer = new PeerProcess(name, command);
            try
            {
                peer.Start();
                await peer.WaitUntilReadyAsync(command.IsReadyAsync);
                return peer;
            }
            catch (PeerStartException e) when (attempt == 1 && e.PortTaken)
            {
                await peer.DisposeAsync();
            }
            catch
            {
                await peer.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>Stops the peer with its stop signal, or kills it after <see cref="StopTimeout"/>; returns its exit code.</summary>
    public async Task<int> StopAsync()
    {
        if (!_process.HasExited)
        {
            try
            {
                Signals.Send(_process.Id, _stopSignal);
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // Exited between the check and the signal.
            }

            using var timeout = new CancellationTokenSource(StopTimeout);
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Append($"[test] {Name} did not stop within {StopTimeout.TotalSeconds} s of signal {_stopSignal}: killed");
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        ExitCode = _process.ExitCode;
        Append($"[test] {Name} exited with code {ExitCode}");
        s_running.TryRemove(_process.Id, out _);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (IsStarted())
            {
                await StopAsync();
            }
        }
        finally
        {
            _process.Dispose();
        }
    }

    private void Start()
    {
        _process.Start();
        s_running[_process.Id] = _process;
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    private async Task WaitUntilReadyAsync(Func<CancellationToken, Task<bool>> isReadyAsync)
    {
        using var timeout = new CancellationTokenSource(ReadyTimeout);
        while (true)
        {
            if (_process.HasExited)
            {
                await _process.WaitForExitAsync();   // flushes the captured output
                string output = Output;
                throw new PeerStartException(
                    $"{Name} exited with code {_process.ExitCode} before it was ready. Output:\n{output}",
                    output.Contains("Address already in use", StringComparison.Ordinal));
            }

            try
            {
                if (await isReadyAsync(timeout.Token))
                {
                    return;
                }

                // Polling another process's listen socket: there is nothing to await instead.
                await Task.Delay(10, timeout.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                throw new PeerStartException($"{Name} was not ready within {ReadyTimeout.TotalSeconds} s. Output:\n{Output}", portTaken: false);
            }
        }
    }

    private bool IsStarted()
    {
        try
        {
            return _process.Id != 0;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.Append(line).Append('\n');
            }
        }
    }

    private sealed class PeerStartException(string message, bool portTaken) : Exception(message)
    {
        public bool PortTaken { get; } = portTaken;
    }
}
