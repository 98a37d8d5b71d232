using System;
using System.Linq;
using System.Net;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using ProxyProtocol.AspNetCore;

namespace ProxyProtocol.Samples.Tests;

/// <summary>samples/ProxyProtocol.HttpClientSender, run as a process against Kestrel with UseProxyProtocol().</summary>
public class HttpClientSenderTests
{
    [Theory]
    [InlineData(new string[0], "client=203.0.113.7:51234 version=V2 authority=127.0.0.1 crc32c=True")]
    [InlineData(new[] { "--v1", "--client", "[2001:db8::5]:4000", "--frontend", "[2001:db8::1]:443" }, "client=[2001:db8::5]:4000 version=V1 authority= crc32c=False")]
    public async Task Sends_one_request_whose_connection_starts_with_the_header(string[] options, string expected)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseProxyProtocol()));
        await using WebApplication app = builder.Build();
        app.MapGet("/", (HttpContext context) =>
        {
            IProxyProtocolFeature proxy = context.Features.Get<IProxyProtocolFeature>()!;
            var client = new IPEndPoint(context.Connection.RemoteIpAddress!, context.Connection.RemotePort);
            return $"client={client} version={proxy.Header.Version} authority={proxy.Authority} crc32c={proxy.Tlvs.TryGetCrc32c(out _)}\n";
        });
        await app.StartAsync();

        using SampleProcess sender = SampleProcess.Start("ProxyProtocol.HttpClientSender", [new Uri(app.Urls.First()) + "", .. options]);
        Assert.True(await sender.WaitForExitAsync() == 0, sender.Output);
        Assert.Equal($"200 OK\n{expected}\n", sender.Output);
        await app.StopAsync();
    }
}
