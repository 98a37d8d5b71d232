using System;
using System.IO;
using System.Threading.Tasks;
using ProxyProtocol.Demo;

namespace ProxyProtocol.Samples.Tests;

/// <summary>samples/ProxyProtocol.Demo, the README's first command.</summary>
public class DemoTests
{
    [Fact]
    public async Task Demo_shows_the_clients_of_v1_and_v2_headers_a_LOCAL_check_and_a_rejection()
    {
        var output = new StringWriter();
        int exitCode = await DemoRunner.RunAsync(output).WaitAsync(SampleProcess.Timeout);
        string text = output.ToString();
        Assert.True(exitCode == 0, text);

        // [1] v1: the app sees the header's source and destination (SEM-02), not the loopback socket.
        string v1 = Section(text, 1);
        Assert.Contains("PROXY TCP4 203.0.113.7 198.51.100.10 51234 443\\r\\n", v1);
        Assert.Contains("client       203.0.113.7:51234", v1);
        Assert.Contains("connected to 198.51.100.10:443", v1);
        Assert.Contains("header       v1 PROXY", v1);
        Assert.Contains("balancer     127.0.0.1:", v1);

        // [2] v2 over IPv6 with every TLV the demo adds, read back through IProxyProtocolFeature.
        string v2 = Section(text, 2);
        Assert.Contains("    0d0a0d0a000d0a515549540a2121", v2);   // signature, v2 PROXY, TCP over IPv6
        Assert.Contains("client       [2001:db8::7]:51235", v2);
        Assert.Contains("connected to [2001:db8::10]:443", v2);
        Assert.Contains("header       v2 PROXY", v2);
        Assert.Contains("TLV ALPN      http/1.1", v2);
        Assert.Contains("TLV AUTHORITY api.example.com", v2);
        Assert.Contains("TLV UNIQUE_ID demo-request-0001", v2);
        Assert.Contains("TLV AWS       vpce-0a1b2c3d4e5f60708 (VPC endpoint id)", v2);
        Assert.Matches(@"TLV CRC32C    0x[0-9a-f]{8} \(verified by the parser\)", v2);

        // [3] LOCAL (SEM-01): no addresses in the header, so the app sees the socket's own peer.
        string local = Section(text, 3);
        Assert.Contains("    0d0a0d0a000d0a515549540a20000000", local);
        Assert.Contains("header       v2 LOCAL", local);
        string client = Value(local, "client       ");
        Assert.StartsWith("127.0.0.1:", client, StringComparison.Ordinal);
        Assert.Equal(client, Value(local, "balancer     "));

        // [4] No header: closed without a response, counted as a rejection with the precise error.
        Assert.Contains("after 0 bytes of response; rejected: invalid_header (InvalidSignature)", Section(text, 4));

        Assert.EndsWith("All 4 steps behaved as expected.\n", text.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_process_exits_with_code_zero()
    {
        using SampleProcess demo = SampleProcess.Start("ProxyProtocol.Demo");
        int exitCode = await demo.WaitForExitAsync();
        Assert.True(exitCode == 0, demo.Output);
        Assert.Contains("All 4 steps behaved as expected.", demo.Output);
    }

    /// <summary>The text of step <paramref name="step"/>, from its "[n]" line to the next step.</summary>
    private static string Section(string text, int step)
    {
        int start = text.IndexOf($"[{step}] ", StringComparison.Ordinal);
        Assert.True(start >= 0, $"step {step} missing from:\n{text}");
        int end = text.IndexOf($"[{step + 1}] ", start, StringComparison.Ordinal);
        return end < 0 ? text[start..] : text[start..end];
    }

    /// <summary>The first word after <paramref name="label"/> in <paramref name="section"/>.</summary>
    private static string Value(string section, string label)
    {
        int start = section.IndexOf(label, StringComparison.Ordinal);
        Assert.True(start >= 0, $"'{label}' missing from:\n{section}");
        start += label.Length;
        int end = section.IndexOfAny([' ', '\n', '\r'], start);
        return section[start..end];
    }
}
