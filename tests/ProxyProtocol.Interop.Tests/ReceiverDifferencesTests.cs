using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using ProxyProtocol.Interop.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ProxyProtocol.Interop.Tests;

/// <summary>
/// Where the receivers differ: the same crafted headers (each followed by a GET) go to this library's parser, to
/// HAProxy (<c>bind ... accept-proxy</c>) and to nginx (<c>listen ... proxy_protocol</c>), and each verdict is
/// recorded: accepted (the request was answered), rejected (closed without an answer), or waiting. The expected
/// verdicts of HAProxy 2.6 and nginx 1.22 were measured with the real peers and are the table of
/// docs/conformance.md ("Observed differences"); a peer that changes its behaviour fails this test. The test prints
/// the table it measured.
/// </summary>
public sealed class ReceiverDifferencesTests(ITestOutputHelper output) : InteropTest(output)
{
    private const string A = "accept";
    private const string R = "reject";

    private static readonly byte[] s_signature = Convert.FromHexString("0D0A0D0A000D0A515549540A");
    private static readonly byte[] s_inetBlock = Convert.FromHexString("C0000201C633640A9C40 01BB".Replace(" ", "", StringComparison.Ordinal)); // 192.0.2.1:40000 -> 198.51.100.10:443

    /// <summary>One input: what it tests (rule id), its bytes, and the verdicts of this library, HAProxy 2.6 and nginx 1.22.</summary>
    private sealed record Case(string Rule, string What, byte[] Bytes, string Library, string Haproxy, string Nginx);

    private static IEnumerable<Case> Cases()
    {
        yield return V1("V1-02", "spec example `PROXY TCP4 192.168.0.1 192.168.0.11 56324 443`", "PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n", A, A, A);
        yield return V1("QUIRK-01", "long UNKNOWN form `PROXY UNKNOWN 1.2.3.4 5.6.7.8 1 2`", "PROXY UNKNOWN 1.2.3.4 5.6.7.8 1 2\r\n", A, R, A);
        yield return V1("QUIRK-02", "leading zeros in an octet `192.168.000.1`", "PROXY TCP4 192.168.000.1 192.168.0.11 56324 443\r\n", R, A, A);
        yield return V1("QUIRK-02", "octet over 255 `192.168.0.256`", "PROXY TCP4 192.168.0.256 192.168.0.11 56324 443\r\n", R, A, A);
        yield return V1("QUIRK-08", "two-part IPv4 `192.1`", "PROXY TCP4 192.1 192.168.0.11 56324 443\r\n", R, A, A);
        yield return V1("V1-07", "port with a leading zero `0443`", "PROXY TCP4 192.168.0.1 192.168.0.11 56324 0443\r\n", R, A, A);
        yield return V1("V1-07", "port over 65535 `65536`", "PROXY TCP4 192.168.0.1 192.168.0.11 65536 443\r\n", R, A, R);
        yield return V1("V1-06", "IPv6 address in a TCP4 line", "PROXY TCP4 2001:db8::1 2001:db8::2 56324 443\r\n", R, R, A);
        yield return V1("QUIRK-03", "bare IPv4 in a TCP6 line (opt-in here)", "PROXY TCP6 192.168.0.1 192.168.0.11 56324 443\r\n", R, R, A);
        yield return V1("QUIRK-03", "v4-mapped `::ffff:192.168.0.1` in TCP6", "PROXY TCP6 ::ffff:192.168.0.1 ::ffff:192.168.0.11 56324 443\r\n", A, A, A);
        yield return V1("V1-05", "IPv6 with a zone id `fe80::1%eth0`", "PROXY TCP6 fe80::1%eth0 fe80::2 56324 443\r\n", R, R, R);
        yield return V1("V1-03", "two spaces between fields", "PROXY TCP4  192.168.0.1 192.168.0.11 56324 443\r\n", R, R, R);
        yield return V1("V1-02", "lowercase `tcp4`", "PROXY tcp4 192.168.0.1 192.168.0.11 56324 443\r\n", R, R, R);
        yield return V1("V1-08", "LF without CR", "PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\n", R, R, R);
        yield return V1("V1-03", "a fifth field", "PROXY TCP4 192.168.0.1 192.168.0.11 56324 443 extra\r\n", R, R, R);

        yield return V2("SEM-01", "v2 LOCAL, fam 0x00, len 0", V2Bytes(0x20, 0x00), A, A, A);
        yield return V2("SEM-03", "v2 PROXY with fam 0x00 (UNSPEC)", V2Bytes(0x21, 0x00), A, R, A);
        yield return V2("V2-04", "v2 PROXY UDP over IPv4 (fam 0x12)", V2Bytes(0x21, 0x12, s_inetBlock), A, R, A);
        yield return V2("V2-04", "v2 PROXY Unix stream (fam 0x31)", V2Bytes(0x21, 0x31, new byte[216]), A, R, A);
        yield return V2("V2-07", "v2 PROXY TCP4 with len 11 (block needs 12)", V2Bytes(0x21, 0x11, s_inetBlock.AsSpan(0, 11).ToArray()), R, R, R);
        yield return V2("SEM-02", "v2 LOCAL TCP4 with real addresses", V2Bytes(0x20, 0x11, s_inetBlock), A, A, A);
        byte[] nlb = Convert.FromHexString("0D0A0D0A000D0A515549540A20110054030004BCE5951F04004A" + new string('0', 2 * 74));
        yield return V2("QUIRK-04", "AWS NLB health check (LOCAL fam 0x11, CRC32C at offset 16)", nlb, A, A, A);
        byte[] nlbFlipped = (byte[])nlb.Clone();
        nlbFlipped[22] ^= 0x01;
        yield return V2("QUIRK-04", "the same with one CRC bit flipped", nlbFlipped, R, A, A);
        yield return V2("QUIRK-04", "v2 LOCAL fam 0x00 with bytes that are not TLVs", V2Bytes(0x20, 0x00, Convert.FromHexString("0400080000")), A, A, A);
        yield return V2("CRC-04", "v2 TCP4 with a wrong CRC32C", WithCrc(V2Bytes(0x21, 0x11, s_inetBlock, Convert.FromHexString("03000400000000")), 31, flip: true), R, R, A);
        yield return V2("CRC-05", "v2 TCP4 with a 5-byte CRC32C TLV", V2Bytes(0x21, 0x11, s_inetBlock, Convert.FromHexString("0300050000000000")), R, R, A);
        yield return V2("QUIRK-09", "two CRC32C TLVs, each valid with only its own value zeroed", Convert.FromHexString("0D0A0D0A000D0A515549540A2111001AC0A80001C0A8000BDC0401BB03000409883E9A03000488772C4B"), A, R, A);
        yield return V2("QUIRK-09", "two CRC32C TLVs, the second computed with the first still zeroed", Convert.FromHexString("0D0A0D0A000D0A515549540A2111001AC0A80001C0A8000BDC0401BB030004913BFB23030004FBF8018C"), R, A, A);
        yield return V2("TLV-02", "a TLV whose value runs past the header", V2Bytes(0x21, 0x11, s_inetBlock, Convert.FromHexString("04000800")), R, R, A);
        yield return V2("TLV-01", "2 stray bytes after the TLVs", V2Bytes(0x21, 0x11, s_inetBlock, Convert.FromHexString("0400")), R, R, A);
        yield return V2("SSL-01", "an SSL TLV of 4 bytes", V2Bytes(0x21, 0x11, s_inetBlock, Convert.FromHexString("20000401000000")), R, A, A);
        yield return V2("TLV-04", "a UNIQUE_ID of 129 bytes", V2Bytes(0x21, 0x11, s_inetBlock, [0x05, 0x00, 129, .. new byte[129]]), R, R, A);
        yield return V2("TLV-04", "an AUTHORITY of 300 bytes", V2Bytes(0x21, 0x11, s_inetBlock, [0x02, 0x01, 0x2C, .. Enumerable.Repeat((byte)'a', 300)]), A, R, A);
        yield return V2("TLV-04", "a NOOP of 1,100 bytes", V2Bytes(0x21, 0x11, s_inetBlock, [0x04, 0x04, 0x4C, .. new byte[1100]]), A, A, R);
    }

    [PeerFact(Peers.Haproxy, Peers.Nginx)]
    public async Task HAProxy_and_nginx_accept_and_reject_what_the_table_says()
    {
        int haproxyPort = await StartHaproxyAsync();
        int nginxPort = await StartNginxAsync();
        var table = new StringBuilder("| rule | input | this library | HAProxy 2.6 | nginx 1.22 |\n| --- | --- | --- | --- | --- |\n");
        var mismatches = new List<string>();
        foreach (Case c in Cases())
        {
            string library = LibraryVerdict(c.Bytes);
            string haproxy = await PeerVerdictAsync(haproxyPort, c.Bytes);
            string nginx = await PeerVerdictAsync(nginxPort, c.Bytes);
            table.Append($"| {c.Rule} | {c.What} | {library} | {haproxy} | {nginx} |\n");
            // The library's verdict carries its error: "reject (InvalidIPv4Address)".
            foreach ((string who, string expected, string actual) in new[] { ("library", c.Library, library.Split(' ')[0]), ("HAProxy", c.Haproxy, haproxy), ("nginx", c.Nginx, nginx) })
            {
                if (expected != actual)
                {
                    mismatches.Add($"{c.What}: {who} expected {expected}, measured {actual}");
                }
            }
        }

        Scope.Log(table.ToString());
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches) + "\n" + table);
    }

    private static string LibraryVerdict(byte[] bytes)
    {
        byte[] input = [.. bytes, .. RawHttp.Request("localhost")];
        return ProxyHeaderParser.Parse(input, out _, out _, out ProxyHeaderError error) switch
        {
            System.Buffers.OperationStatus.Done => A,
            System.Buffers.OperationStatus.InvalidData => $"{R} ({error})",
            _ => "waits",
        };
    }

    /// <summary>Sends the header and a GET; accepted when the request is answered, rejected when closed without an answer.</summary>
    private static async Task<string> PeerVerdictAsync(int port, byte[] header)
    {
        using Socket socket = await RawHttp.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        var received = new List<byte>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        try
        {
            await socket.SendAsync((byte[])[.. header, .. RawHttp.Request("localhost")]);
            byte[] buffer = new byte[4096];
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0)
            {
                received.AddRange(buffer.AsSpan(0, read));
            }
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.Shutdown)
        {
        }
        catch (OperationCanceledException)
        {
            return received.Count == 0 ? "waits" : "answers, then waits";
        }

        HttpReply reply = new([.. received]);
        return reply.Raw.Length == 0 ? R : reply.Status == 200 ? A : $"HTTP {reply.Status}";
    }

    private async Task<int> StartHaproxyAsync()
    {
        int port = 0;
        await HaproxyPeer.StartAsync(Scope, () =>
        {
            port = FreePort.Reserve();
            return $"""
                frontend fe_pp
                    mode http
                    timeout http-request 10s
                    bind 127.0.0.1:{port} accept-proxy
                    http-request return status 200 content-type text/plain lf-string "%[src]\n"

                """;
        });
        return port;
    }

    private async Task<int> StartNginxAsync()
    {
        int port = 0;
        await NginxPeer.StartAsync(Scope, stream: false, () =>
        {
            port = FreePort.Reserve();
            return $$"""
                    server {
                        listen 127.0.0.1:{{port}} proxy_protocol;
                        default_type text/plain;
                        location / {
                            return 200 "$proxy_protocol_addr\n";
                        }
                    }
                """;
        });
        return port;
    }

    private static Case V1(string rule, string what, string line, string library, string haproxy, string nginx) =>
        new(rule, what, Encoding.ASCII.GetBytes(line), library, haproxy, nginx);

    private static Case V2(string rule, string what, byte[] bytes, string library, string haproxy, string nginx) =>
        new(rule, what, bytes, library, haproxy, nginx);

    private static byte[] V2Bytes(byte versionCommand, byte family, params byte[][] body)
    {
        byte[] content = body.SelectMany(b => b).ToArray();
        return [.. s_signature, versionCommand, family, (byte)(content.Length >> 8), (byte)content.Length, .. content];
    }

    /// <summary>Fills in the CRC32C value at <paramref name="offset"/> with a bitwise CRC-32C, then flips a bit if asked.</summary>
    private static byte[] WithCrc(byte[] header, int offset, bool flip)
    {
        Array.Clear(header, offset, 4);
        uint crc = 0xFFFFFFFF;
        foreach (byte b in header)
        {
            crc ^= b;
            for (int bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78 : crc >> 1;
            }
        }

        crc = ~crc;
        header[offset] = (byte)(crc >> 24);
        header[offset + 1] = (byte)(crc >> 16);
        header[offset + 2] = (byte)(crc >> 8);
        header[offset + 3] = (byte)(crc ^ (flip ? 1u : 0u));
        return header;
    }
}
