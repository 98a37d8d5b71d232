using System;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Tasks;

namespace ProxyProtocol.Samples.Tests;

/// <summary>samples/ProxyProtocol.StreamServer, run as a process.</summary>
public class StreamServerTests
{
    [Fact]
    public async Task Echoes_the_lines_after_the_header_with_the_client_of_the_header()
    {
        using SampleProcess server = SampleProcess.Start("ProxyProtocol.StreamServer", "--count", "1");
        IPEndPoint endPoint = SampleClient.ParseListening(await server.ReadLineAsync());

        using (Socket socket = await SampleClient.ConnectAsync(endPoint))
        {
            // Header and the first lines in one write: the server must consume exactly the header (RX-02).
            byte[] header = new byte[64];
            ProxyHeaderWriter.WriteV2(ProxyHeader.CreateProxy(IPEndPoint.Parse("203.0.113.7:40000"), IPEndPoint.Parse("198.51.100.1:7")), header, out int written);
            await socket.SendAsync((byte[])[.. header.AsSpan(0, written), .. "hello\nbye\n"u8]);
            socket.Shutdown(SocketShutdown.Send);
            Assert.Equal("203.0.113.7:40000 said: hello\n203.0.113.7:40000 said: bye\n", (await SampleClient.ReadToEndAsync(socket)).ReplaceLineEndings("\n"));
        }

        Assert.True(await server.WaitForExitAsync() == 0, server.Output);
        Assert.Contains("PROXY v2 Proxy from 203.0.113.7:40000", server.Output);
    }
}
