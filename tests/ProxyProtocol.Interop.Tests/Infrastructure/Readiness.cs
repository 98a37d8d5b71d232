using System;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace ProxyProtocol.Interop.Tests.Infrastructure;

/// <summary>Readiness probes: one poll-connect each.</summary>
internal static class Readiness
{
    /// <summary>True once a TCP connect to <paramref name="endPoint"/> succeeds (the connection is closed at once).</summary>
    public static async Task<bool> TcpConnectAsync(IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        using var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(endPoint, cancellationToken);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>
    /// True once HAProxy answers <c>show info</c> on its stats socket. HAProxy binds every listener before it
    /// serves the stats socket, and this probe opens no connection to a frontend: on a tcp-mode frontend that
    /// would make HAProxy connect to the backend and send it a header of its own.
    /// </summary>
    public static async Task<bool> HaproxyStatsAsync(string socketPath, CancellationToken cancellationToken)
    {
        try
        {
            string info = await HaproxyStats.QueryAsync(socketPath, "show info", cancellationToken);
            return info.Contains("Name: HAProxy", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
