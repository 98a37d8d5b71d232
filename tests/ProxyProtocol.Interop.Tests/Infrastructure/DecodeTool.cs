using System;
using System.IO;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using ProxyProtocol.Tool;

namespace ProxyProtocol.Interop.Tests.Infrastructure;

/// <summary>Runs <c>proxyproto decode</c> in-process, the captured bytes on its standard input.</summary>
internal static class DecodeTool
{
    public static async Task<JsonElement> DecodeAsync(InteropScope scope, byte[] captured)
    {
        var stdout = new MemoryStream();
        var stderr = new StringWriter();
        int exitCode = await ProxyProtocolTool.RunAsync(["decode"], new MemoryStream(captured), stdout, stderr, CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(20));
        scope.Log($"captured: {Convert.ToHexStringLower(captured)}\nproxyproto decode: {System.Text.Encoding.UTF8.GetString(stdout.ToArray())}");
        Assert.True(exitCode == 0, $"proxyproto decode exited with {exitCode}: {stderr}\ninput: {Convert.ToHexStringLower(captured)}");
        using JsonDocument document = JsonDocument.Parse(stdout.ToArray());
        return document.RootElement.Clone();
    }
}
