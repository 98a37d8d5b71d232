using System;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using ProxyProtocol.Yarp.Internal;

namespace ProxyProtocol.Yarp.Tests;

/// <summary>The routing of <see cref="PerClientHandler"/>, without sockets.</summary>
public sealed class PerClientHandlerTests
{
    [Fact]
    public async Task A_request_from_no_client_connection_goes_to_the_shared_handler()
    {
        var shared = new RecordingHandler();
        int created = 0;
        using var invoker = new HttpMessageInvoker(new PerClientHandler("c1", new ProxyProtocolClusterOptions(), shared, (_, _) =>
        {
            created++;
            return new SocketsHttpHandler();
        }, NullLogger.Instance));

        using HttpResponseMessage response = await invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1:1/health"), CancellationToken.None);

        Assert.Equal(1, shared.Requests);
        Assert.Equal(0, created);
    }

    // Without a close notification, a client's destination connections would outlive it: refuse rather than leak.
    [Fact]
    public async Task A_server_that_does_not_report_connection_close_is_refused()
    {
        var shared = new RecordingHandler();
        using var invoker = new HttpMessageInvoker(new PerClientHandler("c1", new ProxyProtocolClusterOptions(), shared, (_, _) => new SocketsHttpHandler(), NullLogger.Instance));
        var context = new DefaultHttpContext();
        context.Connection.Id = "conn1";
        context.Connection.RemoteIpAddress = IPAddress.Loopback;
        context.Connection.LocalIpAddress = IPAddress.Loopback;
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1:1/");
        request.Options.Set(InboundContext.Key, (HttpContext)context);

        InvalidOperationException e = await Assert.ThrowsAsync<InvalidOperationException>(() => invoker.SendAsync(request, CancellationToken.None));

        Assert.Contains("IConnectionLifetimeFeature", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, shared.Requests);
    }

    private sealed class RecordingHandler : HttpMessageHandler
    {
        public int Requests { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests++;
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
        }
    }
}
