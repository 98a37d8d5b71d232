// A TCP server behind a PROXY-protocol load balancer, on raw sockets. It speaks first, as SMTP or SSH do: each
// connection gets one greeting line naming the real client, then it is closed.
//   dotnet run --project samples/ProxyProtocol.SocketServer -- [--port 5001] [--count N]
// Serves N connections (default: until Ctrl+C). Port 0 (the default) picks a free port.
using System.Net;
using System.Net.Sockets;
using System.Text;
using ProxyProtocol;

int port = int.Parse(GetOption("--port") ?? "0");
int count = int.Parse(GetOption("--count") ?? int.MaxValue.ToString());

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

var endPoint = new IPEndPoint(IPAddress.Loopback, port);
using var listener = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
listener.Bind(endPoint);
listener.Listen();
Console.WriteLine($"listening on {listener.LocalEndPoint}");

var connections = new List<Task>();
try
{
    while (connections.Count < count)
    {
        Socket socket = await listener.AcceptAsync(stop.Token);
        connections.Add(ServeAsync(socket, stop.Token));
    }
}
catch (OperationCanceledException)
{
    // Ctrl+C: stop accepting, let the connections in progress finish.
}

await Task.WhenAll(connections);
return 0;

static async Task ServeAsync(Socket socket, CancellationToken stopping)
{
    using (socket)
    {
        EndPoint balancer = socket.RemoteEndPoint!;

        // Bound the wait for the header: a peer that connects and says nothing must not hold the connection.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            ReceivedProxyHeader received = await socket.ReceiveProxyHeaderAsync(cancellationToken: timeout.Token);

            // LOCAL (a health check) carries no client: the peer is the balancer itself.
            EndPoint client = received.Header.GetSourceEndPoint() ?? balancer;
            Console.WriteLine($"{balancer}: PROXY v{(received.Header.Version == ProxyVersion.V1 ? 1 : 2)} {received.Header.Command} from {client}");
            await socket.SendAsync(Encoding.UTF8.GetBytes($"hello {client}\n"), SocketFlags.None, stopping);
            socket.Shutdown(SocketShutdown.Send);
        }
        catch (ProxyProtocolException e)
        {
            Console.WriteLine($"{balancer}: rejected, {e.Error}");
        }
        catch (OperationCanceledException)
        {
            Console.WriteLine($"{balancer}: no header in time");
        }
        catch (SocketException e)
        {
            // Health checkers often reset the connection right after their header.
            Console.WriteLine($"{balancer}: {e.SocketErrorCode}");
        }
    }
}

string? GetOption(string name)
{
    int index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}
