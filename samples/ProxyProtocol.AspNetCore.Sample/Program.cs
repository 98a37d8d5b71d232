// A Kestrel app behind a load balancer that sends PROXY headers. It starts on a free loopback port, sends
// itself one request the way a balancer would, prints what the app saw, and stops.
using System.Net;
using System.Net.Sockets;
using System.Text;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.Listen(IPAddress.Loopback, 0, listenOptions =>
    {
        // Before UseHttps(), if the endpoint has TLS: the header comes first on the wire.
        listenOptions.UseProxyProtocol(options =>
        {
            options.TrustedProxies.Add(IPNetwork.Parse("127.0.0.0/8"));
            options.HeaderTimeout = TimeSpan.FromSeconds(5);
        });
    });
});

var app = builder.Build();
app.MapGet("/", (HttpContext context) =>
{
    var proxy = context.Features.Get<ProxyProtocol.AspNetCore.IProxyProtocolFeature>();
    return $"client {context.Connection.RemoteIpAddress}:{context.Connection.RemotePort}, " +
           $"connected to {context.Connection.LocalIpAddress}:{context.Connection.LocalPort}, " +
           $"via proxy {proxy?.TransportRemoteEndPoint}";
});

await app.StartAsync();
var address = new Uri(app.Urls.First());
Console.WriteLine($"Listening on {address}");

// What a balancer sends: the PROXY header, then the client's bytes.
using (var socket = new Socket(SocketType.Stream, ProtocolType.Tcp))
{
    await socket.ConnectAsync(IPAddress.Loopback, address.Port);
    await socket.SendAsync(Encoding.ASCII.GetBytes(
        "PROXY TCP4 203.0.113.7 198.51.100.9 51234 443\r\n" +
        "GET / HTTP/1.0\r\nHost: localhost\r\n\r\n"));
    var response = new MemoryStream();
    var buffer = new byte[1024];
    int read;
    while ((read = await socket.ReceiveAsync(buffer)) > 0)
    {
        response.Write(buffer, 0, read);
    }

    string text = Encoding.ASCII.GetString(response.ToArray());
    Console.WriteLine(text[(text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..]);
}

await app.StopAsync();
