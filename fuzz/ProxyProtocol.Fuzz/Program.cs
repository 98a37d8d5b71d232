using System;
using System.IO;
using SharpFuzz;

namespace ProxyProtocol.Fuzz;

/// <summary>
/// AFL++ entry point (SharpFuzz out-of-process fork server), and a replay tool.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>dotnet ProxyProtocol.Fuzz.dll</c> under afl-fuzz: one execution per input. Outside afl-fuzz
/// SharpFuzz runs the target once on stdin, so <c>dotnet ProxyProtocol.Fuzz.dll &lt; file</c> replays one
/// finding; an escaping exception is printed with its stack and the process aborts.</item>
/// <item><c>dotnet ProxyProtocol.Fuzz.dll FILE|DIR...</c>: replays every file, prints one line each, and
/// exits 1 if any failed. Works on an instrumented build too.</item>
/// </list>
/// </remarks>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length > 0)
        {
            return Replay.Run(args);
        }

        Fuzzer.OutOfProcess.Run(stream =>
        {
            // Never dispose `stream`: SharpFuzz owns it.
            using MemoryStream buffer = new();
            stream.CopyTo(buffer);
            FuzzTarget.Run(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
        });
        return 0;
    }
}
