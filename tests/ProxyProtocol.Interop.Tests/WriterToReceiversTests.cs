using System;
using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;
using ProxyProtocol.Interop.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ProxyProtocol.Interop.Tests;

/// <summary>
/// The library as the sender: headers it writes go to HAProxy (<c>bind ... accept-proxy</c>) and nginx
/// (<c>listen ... proxy_protocol</c>), each configured to answer with the client address it believes.
/// </summary>
public sealed class WriterToReceiversTests(ITestOutputHelper output) : InteropTest(output)
{
    private static readonly IPEndPoint s_clientV4 = IPEndPoint.Parse("192.0.2.10:40000");
    private static readonly IPEndPoint s_serverV4 = IPEndPoint.Parse("198.51.100.20:443");
    private static readonly IPEndPoint s_clientV6 = IPEndPoint.Parse("[2001:db8::10]:40001");
    private static readonly IPEndPoint s_serverV6 = IPEndPoint.Parse("[2001:db8::20]:8443");

    public enum Receiver
    {
        Haproxy,
        Nginx,
    }

    /// <summary>Each version with each claimed family, over IPv4 and IPv6 connections (the two are independent).</summary>
    public static TheoryData<ProxyVersion, bool, string> Cases => new()
    {
        { ProxyVersion.V1, false, "127.0.0.1" },
        { ProxyVersion.V1, true, "::1" },
        { ProxyVersion.V2, false, "::1" },
        { ProxyVersion.V2, true, "127.0.0.1" },
    };

    [PeerTheory(Peers.Haproxy)]
    [MemberData(nameof(Cases))]
    public Task HAProxy_believes_the_client_the_library_claims(ProxyVersion version, bool ipv6, string transport) =>
        AssertBelievedAsync(Receiver.Haproxy, version, ipv6, transport);

    [PeerTheory(Peers.Nginx)]
    [MemberData(nameof(Cases))]
    public Task Nginx_believes_the_client_the_library_claims(ProxyVersion version, bool ipv6, string transport) =>
        AssertBelievedAsync(Receiver.Nginx, version, ipv6, transport);

    [PeerFact(Peers.Haproxy)]
    public async Task HAProxy_reads_authority_and_unique_id_TLVs_and_accepts_the_CRC32C()
    {
        IPEndPoint receiver = await StartReceiverAsync(Receiver.Haproxy);
        using Socket socket = await RawHttp.ConnectAsync(receiver);
        await socket.SendProxyHeaderAsync(ProxyHeader.CreateProxy(s_clientV6, s_serverV6), static (ref ProxyV2HeaderBuilder tlvs, int _) =>
        {
            tlvs.AddAuthority("api.example.com");
            tlvs.AddUniqueId("req-42"u8);
            tlvs.AddCrc32c();
        }, 0);
        string[] believed = await GetBelievedAsync(socket);

        Assert.Equal(["2001:db8::10", "40001", "2001:db8::20", "8443", "authority=api.example.com", "unique_id=req-42"], believed);
    }

    [PeerFact(Peers.Haproxy)]
    public async Task HAProxy_rejects_a_header_whose_CRC32C_is_wrong()
    {
        IPEndPoint receiver = await StartReceiverAsync(Receiver.Haproxy);
        byte[] header = new byte[128];
        var builder = new ProxyV2HeaderBuilder(header, ProxyHeader.CreateProxy(s_clientV4, s_serverV4));
        builder.AddCrc32c();                          // first TLV: its value sits at 16 + 12 (IPv4 addresses) + 3
        builder.AddAuthority("api.example.com");
        Assert.Equal(OperationStatus.Done, builder.Complete(out int length));

        // The control: the header as written is accepted.
        using (Socket socket = await RawHttp.ConnectAsync(receiver))
        {
            await socket.SendAsync((byte[])[.. header.AsSpan(0, length), .. RawHttp.Request("localhost")]);
            HttpReply reply = await Scope.WithinAsync(RawHttp.ReadToEndAsync(new NetworkStream(socket)), "HAProxy's answer");
            Assert.True(reply.Status == 200, $"{reply.Text}\n{Scope.Diagnostics}");
            Assert.StartsWith("192.0.2.10 40000 198.51.100.20 443 authority=api.example.com", reply.Body, StringComparison.Ordinal);
        }

        // One bit of the CRC flipped (CRC-04): the library's parser and HAProxy both refuse it.
        header[16 + 12 + 3 + 3] ^= 0x01;
        Assert.Equal(OperationStatus.InvalidData, ProxyHeaderParser.Parse(header.AsSpan(0, length), out _, out _, out ProxyHeaderError error));
        Assert.Equal(ProxyHeaderError.Crc32cMismatch, error);
        using (Socket socket = await RawHttp.ConnectAsync(receiver))
        {
            HttpReply reply;
            try
            {
                await socket.SendAsync((byte[])[.. header.AsSpan(0, length), .. RawHttp.Request("localhost")]);
                reply = await Scope.WithinAsync(RawHttp.ReadToEndAsync(new NetworkStream(socket)), "HAProxy closing the connection");
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.Shutdown)
            {
                reply = new HttpReply([]);    // closed before the request was even sent
            }

            Assert.True(reply.Raw.Length == 0, $"HAProxy answered a header with a wrong CRC32C: {reply.Text}\n{Scope.Diagnostics}");
        }
    }

    [PeerFact(Peers.Nginx)]
    public async Task Nginx_accepts_v2_with_TLVs_and_a_CRC32C()
    {
        // nginx 1.22 does not verify CRC32C (and has no TLV variables before 1.23.2): only acceptance is checked.
        IPEndPoint receiver = await StartReceiverAsync(Receiver.Nginx);
        using Socket socket = await RawHttp.ConnectAsync(receiver);
        await socket.SendProxyHeaderAsync(ProxyHeader.CreateProxy(s_clientV4, s_serverV4), static (ref ProxyV2HeaderBuilder tlvs, int _) =>
        {
            tlvs.AddAuthority("api.example.com");
            tlvs.AddCrc32c();
        }, 0);

        Assert.Equal(["192.0.2.10", "40000", "198.51.100.20", "443"], await GetBelievedAsync(socket));
    }

    private async Task AssertBelievedAsync(Receiver kind, ProxyVersion version, bool ipv6, string transport)
    {
        IPEndPoint receiver = await StartReceiverAsync(kind);
        (IPEndPoint client, IPEndPoint server) = ipv6 ? (s_clientV6, s_serverV6) : (s_clientV4, s_serverV4);
        using Socket socket = await RawHttp.ConnectAsync(new IPEndPoint(IPAddress.Parse(transport), receiver.Port));
        await socket.SendProxyHeaderAsync(ProxyHeader.CreateProxy(client, server), version);
        string[] believed = await GetBelievedAsync(socket);

        Assert.Equal(client.Address, IPAddress.Parse(believed[0]));
        Assert.Equal(client.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), believed[1]);
        Assert.Equal(server.Address, IPAddress.Parse(believed[2]));
        Assert.Equal(server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), believed[3]);
    }

    /// <summary>Sends a GET after the header and splits the receiver's one-line answer.</summary>
    private async Task<string[]> GetBelievedAsync(Socket socket)
    {
        HttpReply reply = await Scope.WithinAsync(RawHttp.GetAsync(new NetworkStream(socket), "localhost"), "the receiver's answer");
        Assert.True(reply.Status == 200, $"{reply.Text}\n{Scope.Diagnostics}");
        return reply.Body.TrimEnd('\n').Split(' ');
    }

    /// <summary>Starts the receiver on 127.0.0.1 and [::1] (same port); returns its IPv4 endpoint.</summary>
    private async Task<IPEndPoint> StartReceiverAsync(Receiver kind)
    {
        int port = 0;
        if (kind == Receiver.Haproxy)
        {
            await HaproxyPeer.StartAsync(Scope, () =>
            {
                port = FreePort.Reserve();
                return $"""
                    frontend fe_pp
                        mode http
                        option httplog
                        timeout http-request 5s
                        bind 127.0.0.1:{port} accept-proxy
                        bind [::1]:{port} accept-proxy
                        http-request return status 200 content-type text/plain lf-string "%[src] %[src_port] %[dst] %[dst_port] authority=%[fc_pp_authority] unique_id=%[fc_pp_unique_id]\n"

                    """;
            });
        }
        else
        {
            await NginxPeer.StartAsync(Scope, stream: false, () =>
            {
                port = FreePort.Reserve();
                return $$"""
                        server {
                            listen 127.0.0.1:{{port}} proxy_protocol;
                            listen [::1]:{{port}} proxy_protocol;
                            default_type text/plain;
                            location / {
                                return 200 "$proxy_protocol_addr $proxy_protocol_port $proxy_protocol_server_addr $proxy_protocol_server_port\n";
                            }
                        }
                    """;
            });
        }

        return new IPEndPoint(IPAddress.Loopback, port);
    }
}
