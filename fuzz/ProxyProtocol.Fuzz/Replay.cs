using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;

namespace ProxyProtocol.Fuzz;

/// <summary>Replays saved inputs (a corpus, crashes, hangs) through <see cref="FuzzTarget"/> without afl-fuzz.</summary>
internal static class Replay
{
    private const int CoverageMapSize = 1 << 16;

    public static int Run(string[] paths)
    {
        EnsureCoverageMap();

        List<string> files = [];
        foreach (string path in paths)
        {
            if (Directory.Exists(path))
            {
                string[] found = Directory.GetFiles(path);
                Array.Sort(found, StringComparer.Ordinal);
                files.AddRange(found);
            }
            else
            {
                files.Add(path);
            }
        }

        int failed = 0;
        foreach (string file in files)
        {
            if (Path.GetFileName(file).StartsWith('.') || Path.GetFileName(file) == "README.txt")
            {
                continue;
            }

            byte[] input = File.ReadAllBytes(file);
            try
            {
                FuzzTarget.Run(input);
                Console.WriteLine($"ok   {file} ({input.Length} bytes)");
            }
#pragma warning disable CA1031 // A replay tool reports every failure, whatever its type, and moves on.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                failed++;
                Console.WriteLine($"FAIL {file} ({input.Length} bytes): {Convert.ToHexString(input.AsSpan(0, Math.Min(input.Length, 256)))}");
                Console.WriteLine($"     {exception}");
            }
        }

        Console.WriteLine($"{files.Count - failed} ok, {failed} failed");
        return failed == 0 ? 0 : 1;
    }

    /// <summary>
    /// An instrumented ProxyProtocol.dll writes coverage to SharpFuzz's shared map, which only the fork
    /// server sets up. Outside it, give the instrumentation a private map so replays don't crash.
    /// </summary>
    private static unsafe void EnsureCoverageMap()
    {
        if (SharpFuzz.Common.Trace.SharedMem == null)
        {
            SharpFuzz.Common.Trace.SharedMem = (byte*)NativeMemory.AllocZeroed(CoverageMapSize);
        }
    }
}
