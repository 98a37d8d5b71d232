// A YARP reverse proxy that tells its destinations who the client is with a PROXY header. Everything is in
// appsettings.json: the cluster's metadata "ProxyProtocol": "v2" turns it on. nginx.conf beside this file is a
// destination that requires the header and logs the client it names. See README.md.
//   dotnet run --project samples/ProxyProtocol.Yarp.Sample
var builder = WebApplication.CreateBuilder(args);

builder.Services.AddReverseProxy()
    .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
    .AddProxyProtocol();

var app = builder.Build();
app.MapReverseProxy();
app.Run();
