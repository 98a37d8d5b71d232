using System;
using System.ComponentModel;
using System.Runtime.InteropServices;

namespace ProxyProtocol.Interop.Tests.Infrastructure;

/// <summary>POSIX signals for stopping peers by PID (.NET can only SIGKILL another process).</summary>
internal static class Signals
{
    public const int Terminate = 15;

    /// <summary>SIGUSR1: HAProxy's soft stop.</summary>
    public static int User1 => OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD() ? 30 : 10;

    public static void Send(int pid, int signal)
    {
        if (Kill(pid, signal) != 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError());
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Kill(int pid, int signal);
}
