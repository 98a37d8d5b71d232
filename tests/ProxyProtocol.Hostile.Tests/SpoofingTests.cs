using System;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;
using ProxyProtocol.AspNetCore;
using ProxyProtocol.Hostile.Tests.Infrastructure;

namespace ProxyProtocol.Hostile.Tests;

/// <summary>
/// Address spoofing (RX-05): a client that reaches the port directly must not choose its own address. The trusted
/// proxy is 127.0.0.2; the attacker connects from 127.0.0.1 (Linux routes all of 127.0.0.0/8 to loopback, so a
/// client socket bound to 127.0.0.2 really has that source). Both <see cref="UntrustedSourceAction"/> modes, and the
/// required mode against a trusted source that sends no header (DET-03).
/// </summary>
public class SpoofingTests
{
    private static readonly IPAddress s_proxy = IPAddress.Parse("127.0.0.2");
    private static readonly IPAddress s_attacker = IPAddress.Loopback;

    // Long, so that a connection closed within a test's wait was closed by a decision, not by the timeout.
    private static readonly TimeSpan s_headerTimeout = TimeSpan.FromSeconds(60);

    private static readonly byte[] s_forgedHeader = Header("6.6.6.6", 6666);

    private static void TrustTheProxy(ProxyProtocolOptions options, UntrustedSourceAction action)
    {
        options.TrustedProxies.Add(new IPNetwork(s_proxy, 32));
        options.UntrustedSourceAction = action;
        options.HeaderTimeout = s_headerTimeout;
    }

    [LinuxFact]
    public async Task Reject_mode_closes_an_untrusted_source_before_reading_its_header()
    {
        await using HostileServer server = await HostileServer.StartAsync(o => TrustTheProxy(o, UntrustedSourceAction.Reject));

        Received forged = await SendFromAsync(server, s_attacker, Wire.Concat(s_forgedHeader, Wire.Get));
        Received silent = await SendFromAsync(server, s_attacker);          // sends nothing at all
        Received plain = await SendFromAsync(server, s_attacker, Wire.Get);  // no header, just a request

        Assert.True(forged.IsClosedWithoutResponse, $"forged header: {forged.End}, {forged.Bytes.Length} bytes");
        // Closed at once, long before the 60 s header timeout: nothing is awaited from an untrusted source.
        Assert.True(silent.IsClosedWithoutResponse, $"silent: {silent.End}");
        Assert.True(plain.IsClosedWithoutResponse, $"plain: {plain.End}, {plain.Bytes.Length} bytes");
        Assert.Equal(3, server.Logs.Count("UntrustedSource"));
        Assert.Equal(0, server.Logs.Count("InvalidHeader"));
        Assert.Equal(0, server.Logs.Count("HeaderAccepted"));

        // The trusted proxy on the same endpoint is served, with the client address it announces.
        IPEndPoint client = new(IPAddress.Parse("203.0.113.50"), 50000);
        Received proxied = await SendFromAsync(server, s_proxy, Wire.Concat(Header(client.Address.ToString(), client.Port), Wire.Get));
        Assert.Equal("203.0.113.50:50000", proxied.Echo?["remote"]);
    }

    [LinuxFact]
    public async Task Ignore_mode_serves_an_untrusted_source_with_its_own_address_and_drops_its_header()
    {
        await using HostileServer server = await HostileServer.StartAsync(o => TrustTheProxy(o, UntrustedSourceAction.IgnoreHeader));

        (Received forged, IPEndPoint forgedFrom) = await SendFromWithEndPointAsync(server, s_attacker, Wire.Concat(s_forgedHeader, Wire.Get));
        (Received plain, IPEndPoint plainFrom) = await SendFromWithEndPointAsync(server, s_attacker, Wire.Get);
        // A header from an untrusted source is still read to its end, so it must be a valid one.
        Received broken = await SendFromAsync(server, s_attacker, Wire.Concat("PROXY TCP4 6.6.6.6 nonsense\r\n"u8.ToArray(), Wire.Get));

        // The forged header was consumed and discarded: the request behind it was served, with the socket's address.
        Assert.Equal($"{forgedFrom.Address}:{forgedFrom.Port}", forged.Echo?["remote"]);
        Assert.Equal("False", forged.Echo?["feature"]);
        Assert.Equal($"{plainFrom.Address}:{plainFrom.Port}", plain.Echo?["remote"]);
        Assert.True(broken.IsClosedWithoutResponse, $"broken header: {broken.End}, {broken.Bytes.Length} bytes");
        Assert.Equal(1, server.Logs.Count("UntrustedHeaderIgnored"));
        Assert.Equal(1, server.Logs.Count("InvalidHeader"));

        Received proxied = await SendFromAsync(server, s_proxy, Wire.Concat(Header("198.51.100.7", 7), Wire.Get));
        Assert.Equal("198.51.100.7:7", proxied.Echo?["remote"]);
        Assert.Equal("True", proxied.Echo?["feature"]);
    }

    [LinuxFact]
    public async Task Required_mode_rejects_a_trusted_source_that_sends_no_header()
    {
        await using HostileServer server = await HostileServer.StartAsync(o => TrustTheProxy(o, UntrustedSourceAction.Reject));

        // DET-03: no guessing. A request without a header, even from the trusted proxy, is closed unanswered.
        Received plain = await SendFromAsync(server, s_proxy, Wire.Get);
        // TLS straight away (a ClientHello starts with 0x16) is no header either.
        Received tls = await SendFromAsync(server, s_proxy, [0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x00]);

        Assert.True(plain.IsClosedWithoutResponse, $"plain: {plain.End}, {plain.Bytes.Length} bytes");
        Assert.True(tls.IsClosedWithoutResponse, $"tls: {tls.End}, {tls.Bytes.Length} bytes");
        Assert.Equal(2, server.Logs.Count("InvalidHeader"));
    }

    [LinuxFact]
    public async Task A_client_behind_the_trusted_proxy_cannot_smuggle_a_second_header()
    {
        await using HostileServer server = await HostileServer.StartAsync(o => TrustTheProxy(o, UntrustedSourceAction.Reject));

        // The proxy's header, then the client's own forged one (what a proxy that forwards blindly would pass on):
        // only the first is a header; the second is the start of the HTTP stream, which Kestrel refuses.
        Received smuggled = await SendFromAsync(server, s_proxy, Wire.Concat(Header("203.0.113.9", 9), s_forgedHeader, Wire.Get));

        string response = System.Text.Encoding.ASCII.GetString(smuggled.Bytes);
        Assert.StartsWith("HTTP/1.1 400 ", response, StringComparison.Ordinal);
        Assert.DoesNotContain("6.6.6.6", response, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.0/8", false)] // an IPv6 source never matches an IPv4 network
    [InlineData("::1/128", true)]
    public async Task IPv6_sources_are_matched_against_IPv6_networks_only(string trusted, bool accepted)
    {
        await using HostileServer server = await HostileServer.StartAsync(IPAddress.IPv6Loopback, o =>
        {
            o.TrustedProxies.Add(IPNetwork.Parse(trusted));
            o.HeaderTimeout = s_headerTimeout;
        });

        Received received = await SendFromAsync(server, null, Wire.Concat(Header("2001:db8::5", 5), Wire.Get));

        if (accepted)
        {
            Assert.Equal("2001:db8::5:5", received.Echo?["remote"]);
        }
        else
        {
            Assert.True(received.IsClosedWithoutResponse, $"{received.End}, {received.Bytes.Length} bytes");
            Assert.Equal(1, server.Logs.Count("UntrustedSource"));
        }
    }

    private static byte[] Header(string source, int port)
    {
        var address = IPAddress.Parse(source);
        IPAddress destination = address.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Parse("192.0.2.1") : IPAddress.Parse("2001:db8::1");
        byte[] buffer = new byte[64];
        Assert.Equal(System.Buffers.OperationStatus.Done, ProxyHeaderWriter.WriteV2(ProxyHeader.CreateProxy(new IPEndPoint(address, port), new IPEndPoint(destination, 443)), buffer, out int written));
        return buffer[..written];
    }

    private static async Task<Received> SendFromAsync(HostileServer server, IPAddress? source, byte[]? bytes = null) =>
        (await SendFromWithEndPointAsync(server, source, bytes)).Received;

    private static async Task<(Received Received, IPEndPoint From)> SendFromWithEndPointAsync(HostileServer server, IPAddress? source, byte[]? bytes = null)
    {
        using Socket socket = await Wire.ConnectAsync(server.EndPoint, source);
        var from = (IPEndPoint)socket.LocalEndPoint!;
        if (source is not null)
        {
            Assert.Equal(source, from.Address);
        }

        if (bytes is not null)
        {
            await Wire.TrySendAsync(socket, bytes);
        }

        return (await Wire.ReadToEndAsync(socket, Wire.Timeout), from);
    }
}
