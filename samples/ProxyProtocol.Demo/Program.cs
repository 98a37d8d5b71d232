// A Kestrel app behind a load balancer that sends PROXY headers. It starts on a free loopback port, connects
// to itself the way a balancer would (a v1 header, a v2 header with TLVs, a v2 LOCAL health check, and a
// client without a header), prints what the app saw each time, and stops.
using System.Net;
using System.Net.Sockets;
using System.Text;
using ProxyProtocol;
using ProxyProtocol.AspNetCore;

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
    var proxy = context.Features.Get<IProxyProtocolFeature>();
    var text = new StringBuilder()
        .Append($"  app sees client {new IPEndPoint(context.Connection.RemoteIpAddress!, context.Connection.RemotePort)}")
        .Append($", server {new IPEndPoint(context.Connection.LocalIpAddress!, context.Connection.LocalPort)}\n")
        .Append($"  header: {proxy?.Header.ToString() ?? "none"}, from balancer {proxy?.TransportRemoteEndPoint}\n");
    if (proxy?.Authority is { } authority)
    {
        text.Append($"  TLVs: authority {authority}, AWS VPC endpoint {proxy.AwsVpcEndpointId}\n");
    }

    return text.ToString();
});

await app.StartAsync();
int port = new Uri(app.Urls.First()).Port;
Console.WriteLine($"Kestrel with UseProxyProtocol() on 127.0.0.1:{port}");

byte[] v1 = Encoding.ASCII.GetBytes("PROXY TCP4 203.0.113.7 198.51.100.9 51234 443\r\n");
byte[] v2 = BuildV2();
byte[] local = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, 0x20, 0x00, 0x00, 0x00];

Console.WriteLine("v1 header:");
Console.Write(await RequestAsync(port, v1));
Console.WriteLine("v2 header with TLVs:");
Console.Write(await RequestAsync(port, v2));
Console.WriteLine("v2 LOCAL (a balancer's health check):");
Console.Write(await RequestAsync(port, local));
Console.WriteLine("no header (a client that bypassed the balancer):");
string rejected = await RequestAsync(port, []);
Console.WriteLine(rejected.Length == 0 ? "  connection closed, nothing written" : rejected);

await app.StopAsync();

static byte[] BuildV2()
{
    var header = ProxyHeader.CreateProxy(
        new IPEndPoint(IPAddress.Parse("2001:db8::7"), 51234),
        new IPEndPoint(IPAddress.Parse("2001:db8::1"), 443));
    byte[] buffer = new byte[256];
    var builder = new ProxyV2HeaderBuilder(buffer, header);
    builder.AddAuthority("api.example.com");
    builder.AddAwsVpcEndpointId("vpce-08d2bf15fac5001c9"u8);
    builder.AddCrc32c();
    builder.Complete(out int written);
    return buffer[..written];
}

// What a balancer sends: the header, then the client's bytes. Returns the response body ("" when closed).
static async Task<string> RequestAsync(int port, byte[] header)
{
    using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
    await socket.ConnectAsync(IPAddress.Loopback, port);
    await socket.SendAsync(header.Concat(Encoding.ASCII.GetBytes("GET / HTTP/1.0\r\nHost: localhost\r\n\r\n")).ToArray());
    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
    var response = new MemoryStream();
    var buffer = new byte[1024];
    int read;
    while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0)
    {
        response.Write(buffer, 0, read);
    }

    string text = Encoding.UTF8.GetString(response.ToArray());
    int body = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
    return body < 0 ? text : text[(body + 4)..];
}
