// A line-echo server behind a PROXY-protocol load balancer, on Streams: the header is read from the
// NetworkStream, which then goes on as it is - to a StreamReader here, to an SslStream just as well.
//   dotnet run --project samples/ProxyProtocol.StreamServer -- [--port 5002] [--count N]
// Serves N connections (default: until Ctrl+C). Port 0 (the default) picks a free port.
using System.Net;
using System.Net.Sockets;
using ProxyProtocol;

int port = int.Parse(GetOption("--port") ?? "0");
int count = int.Parse(GetOption("--count") ?? int.MaxValue.ToString());

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

var listener = new TcpListener(IPAddress.Loopback, port);
listener.Start();
Console.WriteLine($"listening on {listener.LocalEndpoint}");

var connections = new List<Task>();
try
{
    while (connections.Count < count)
    {
        TcpClient connection = await listener.AcceptTcpClientAsync(stop.Token);
        connections.Add(ServeAsync(connection, stop.Token));
    }
}
catch (OperationCanceledException)
{
    // Ctrl+C: stop accepting, let the connections in progress finish.
}

listener.Stop();
await Task.WhenAll(connections);
return 0;

static async Task ServeAsync(TcpClient connection, CancellationToken stopping)
{
    using (connection)
    {
        EndPoint balancer = connection.Client.RemoteEndPoint!;
        NetworkStream stream = connection.GetStream();
        EndPoint client;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping))
        {
            // Bound the wait for the header; reads exactly the header, nothing after it.
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            try
            {
                ReceivedProxyHeader received = await stream.ReadProxyHeaderAsync(cancellationToken: timeout.Token);
                client = received.Header.GetSourceEndPoint() ?? balancer;
                Console.WriteLine($"{balancer}: PROXY v{(received.Header.Version == ProxyVersion.V1 ? 1 : 2)} {received.Header.Command} from {client}");
            }
            catch (Exception e) when (e is ProxyProtocolException or OperationCanceledException or IOException)
            {
                Console.WriteLine($"{balancer}: rejected, {(e as ProxyProtocolException)?.Error.ToString() ?? e.GetType().Name}");
                return;
            }
        }

        // The application protocol starts with the first byte after the header.
        using var reader = new StreamReader(stream);
        using var writer = new StreamWriter(stream) { AutoFlush = true };
        try
        {
            while (await reader.ReadLineAsync(stopping) is { } line)
            {
                await writer.WriteLineAsync($"{client} said: {line}");
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // Ctrl+C or the client went away.
        }
    }
}

string? GetOption(string name)
{
    int index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}
