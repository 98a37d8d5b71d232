using System.Net;
using System.Net.Sockets;

namespace ProxyProtocol.Interop.Tests.Infrastructure;

/// <summary>
/// Ports for peers, which cannot report a port they chose themselves: bind port 0, read the port back, close.
/// </summary>
/// <remarks>
/// There is a small race: between the close and the peer's own bind, another process (or an outgoing connection)
/// may take the port. Peers are started right after, and a start that fails with "Address already in use" is
/// retried once with new ports (<see cref="PeerProcess.StartAsync"/>).
/// </remarks>
internal static class FreePort
{
    /// <summary>A port free on 127.0.0.1 and, when <paramref name="alsoIPv6"/>, on [::1] too.</summary>
    public static int Reserve(bool alsoIPv6 = true)
    {
        for (int attempt = 0; ; attempt++)
        {
            using var v4 = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            v4.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            int port = ((IPEndPoint)v4.LocalEndPoint!).Port;
            if (!alsoIPv6)
            {
                return port;
            }

            using var v6 = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                v6.Bind(new IPEndPoint(IPAddress.IPv6Loopback, port));
                return port;
            }
            catch (SocketException) when (attempt < 20)
            {
                // Taken on [::1] only: try another.
            }
        }
    }
}
