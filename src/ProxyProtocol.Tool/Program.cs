using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace ProxyProtocol.Tool;

/// <summary>The process entry point: wires the console streams and Ctrl+C to <see cref="ProxyProtocolTool"/>.</summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        using CancellationTokenSource stop = new();
        Console.CancelKeyPress += (_, e) =>
        {
            // First Ctrl+C stops listen/send cleanly; a second one kills the process as usual.
            if (!stop.IsCancellationRequested)
            {
                e.Cancel = true;
                stop.Cancel();
            }
        };

        using Stream stdin = Console.OpenStandardInput();
        using Stream stdout = Console.OpenStandardOutput();
        return await ProxyProtocolTool.RunAsync(args, stdin, stdout, Console.Error, stop.Token).ConfigureAwait(false);
    }
}
