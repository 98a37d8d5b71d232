// The sending side: an HttpClient whose connections start with a PROXY header, as a proxy written in .NET
// would forward a client to a backend that expects one (Kestrel with UseProxyProtocol(), HAProxy accept-proxy,
// nginx proxy_protocol, ...). Sends one GET and prints the response.
//   dotnet run --project samples/ProxyProtocol.HttpClientSender -- http://127.0.0.1:5000/ [--client 203.0.113.7:51234] [--v1]
using System.Net;
using ProxyProtocol;

if (args.Length == 0 || !Uri.TryCreate(args[0], UriKind.Absolute, out Uri? url))
{
    Console.Error.WriteLine("usage: ProxyProtocol.HttpClientSender URL [--client IP:PORT] [--frontend IP:PORT] [--v1]");
    return 2;
}

// Who the header says connected, and to what: normally the accepted client's and your listener's endpoints.
IPEndPoint client = IPEndPoint.Parse(GetOption("--client") ?? "203.0.113.7:51234");
IPEndPoint frontend = IPEndPoint.Parse(GetOption("--frontend") ?? "198.51.100.10:443");
ProxyHeader header = ProxyHeader.CreateProxy(client, frontend);

var handler = new SocketsHttpHandler
{
    // A header describes a connection, not a request: never reuse a connection for another client.
    PooledConnectionLifetime = TimeSpan.Zero,
    ConnectCallback = args.Contains("--v1")
        ? ProxyProtocolConnectCallback.Create(_ => header, ProxyVersion.V1)
        : ProxyProtocolConnectCallback.Create(_ => header, static (ref ProxyV2HeaderBuilder tlvs, SocketsHttpConnectionContext context) =>
        {
            tlvs.AddAuthority(context.DnsEndPoint.Host);   // the name the client asked for (TLS SNI in a real proxy)
            tlvs.AddCrc32c();
        }),
};
using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };

try
{
    using HttpResponseMessage response = await http.GetAsync(url);
    Console.WriteLine($"{(int)response.StatusCode} {response.ReasonPhrase}");
    Console.Write(await response.Content.ReadAsStringAsync());
    return response.IsSuccessStatusCode ? 0 : 1;
}
catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
{
    Console.Error.WriteLine($"request failed: {e.Message}");
    return 1;
}

string? GetOption(string name)
{
    int index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}
