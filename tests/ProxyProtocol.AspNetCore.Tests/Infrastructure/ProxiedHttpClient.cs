using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace ProxyProtocol.AspNetCore.Tests.Infrastructure;

/// <summary>HttpClient whose every new connection starts with a PROXY header, written before TLS if any.</summary>
public static class ProxiedHttpClient
{
    public static HttpClient Create(Func<byte[]> header)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    var stream = new NetworkStream(socket, ownsSocket: true);
                    await stream.WriteAsync(header(), cancellationToken);
                    return stream;
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
        };
        return new HttpClient(handler) { Timeout = RawClient.Timeout };
    }

    public static HttpClient CreateTrustingAnyCertificate() => new(new SocketsHttpHandler
    {
        SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
    })
    { Timeout = RawClient.Timeout };

    /// <summary>GETs with exactly the given HTTP version and returns the description lines.</summary>
    public static async Task<IReadOnlyDictionary<string, string>> GetAsync(HttpClient client, string url, Version version)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url) { Version = version, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using HttpResponseMessage response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(version, response.Version);
        var values = new Dictionary<string, string>();
        foreach (string line in (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] pair = line.Split('=', 2);
            values[pair[0]] = pair[1];
        }

        return values;
    }
}
