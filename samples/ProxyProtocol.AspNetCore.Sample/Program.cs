// A minimal API behind an L4 load balancer that sends PROXY headers: HAProxy (haproxy.cfg) or nginx (nginx.conf)
// listen in front of it and forward each TCP connection with a header. See README.md.
//   dotnet run --project samples/ProxyProtocol.AspNetCore.Sample -- [--port 5000]
using System.Net;

var builder = WebApplication.CreateSlimBuilder(args);
int port = builder.Configuration.GetValue("port", 5000);

// The options come from appsettings.json ("ProxyProtocol": trusted balancers, header timeout), checked at startup.
builder.Services.AddProxyProtocol(builder.Configuration.GetSection("ProxyProtocol"));
builder.WebHost.ConfigureKestrel(kestrel =>
{
    // Before UseHttps(), if the endpoint has TLS: the header comes first on the wire.
    kestrel.Listen(IPAddress.Loopback, port, listenOptions => listenOptions.UseProxyProtocol());
});

var app = builder.Build();

// The client as the app sees it: the header's source, not the balancer.
app.MapGet("/", (HttpContext context) =>
{
    var proxy = context.Features.Get<ProxyProtocol.AspNetCore.IProxyProtocolFeature>();
    string version = proxy?.Header.Version == ProxyProtocol.ProxyVersion.V1 ? "v1" : "v2";
    var client = new IPEndPoint(context.Connection.RemoteIpAddress!, context.Connection.RemotePort);
    var local = new IPEndPoint(context.Connection.LocalIpAddress!, context.Connection.LocalPort);
    return $"client {client}, connected to {local}, via {proxy?.TransportRemoteEndPoint} (PROXY {version}, {context.Request.Protocol}, {context.Request.Scheme})\n";
});

// The balancer's health check: it arrives after a LOCAL header (send-proxy-v2) or a v1 header (check-send-proxy).
app.MapGet("/health", () => "ok\n");

app.Run();
