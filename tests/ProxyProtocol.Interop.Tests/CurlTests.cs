using System;
using System.Net;
using System.Threading.Tasks;
using ProxyProtocol.Interop.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ProxyProtocol.Interop.Tests;

/// <summary><c>curl --haproxy-protocol</c> (a v1 header with the connection's own addresses) straight to Kestrel.</summary>
public sealed class CurlTests(ITestOutputHelper output) : InteropTest(output)
{
    [PeerTheory(Peers.Curl)]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public async Task Kestrel_accepts_curls_header_and_sees_curls_address_and_port(string loopback)
    {
        KestrelBackend kestrel = await KestrelBackend.StartAsync(Scope, IPAddress.Parse(loopback));
        (int exitCode, string stdout, string stderr) = await CurlClient.RunAsync(
            "--haproxy-protocol", "--globoff", "--write-out", "\n%{local_ip} %{local_port}", $"http://{kestrel.EndPoint}/");
        Assert.True(exitCode == 0, $"curl exited with {exitCode}: {stderr}\n{Scope.Diagnostics}");

        // The body, then the line --write-out adds: curl's own end of the connection.
        int last = stdout.LastIndexOf('\n');
        string[] curlEnd = stdout[(last + 1)..].Split(' ');
        var reply = new HttpReply(System.Text.Encoding.UTF8.GetBytes("HTTP/1.1 200 OK\r\n\r\n" + stdout[..last]));
        var fields = reply.Fields;
        Assert.Equal("V1", fields["version"]);
        Assert.Equal(new IPEndPoint(IPAddress.Parse(curlEnd[0]), int.Parse(curlEnd[1])).ToString(), fields["remote"]);
        Assert.Equal(kestrel.EndPoint.ToString(), fields["local"]);
        Assert.Equal(fields["remote"], fields["transportRemote"]);     // no proxy in between: the header names the socket's peer
    }
}
