using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace ProxyProtocol.AspNetCore.Tests.Infrastructure;

/// <summary>What a raw client received before the server closed the connection.</summary>
public sealed class RawResponse(byte[] bytes)
{
    public byte[] Bytes { get; } = bytes;

    public string Text => Encoding.ASCII.GetString(Bytes);

    public bool IsEmpty => Bytes.Length == 0;

    public int StatusCode => int.Parse(Text.AsSpan(9, 3), provider: System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The <c>key=value</c> lines of <see cref="TestServer.Describe"/> in the body.</summary>
    public IReadOnlyDictionary<string, string> Body
    {
        get
        {
            string text = Text;
            int start = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            Assert.True(start >= 0 && StatusCode == 200, "Expected a 200 response, got: " + text);
            var values = new Dictionary<string, string>();
            foreach (string line in text.Substring(start + 4).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                // Lines without '=' are chunk sizes of a chunked body.
                string[] pair = line.Split('=', 2);
                if (pair.Length == 2)
                {
                    values[pair[0]] = pair[1];
                }
            }

            return values;
        }
    }
}

/// <summary>A client on a raw socket: it writes exactly the given chunks and reads until the server closes.</summary>
public static class RawClient
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static byte[] Get(string path = "/conn") => Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");

    public static byte[] GetKeepAlive(string path = "/conn") => Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n");

    /// <summary>Sends each chunk in its own write, then reads to the end; a reset counts as the end.</summary>
    public static async Task<RawResponse> SendAsync(IPEndPoint server, params byte[][] writes)
    {
        using var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(server);
        try
        {
            foreach (byte[] chunk in writes)
            {
                await socket.SendAsync(chunk);
            }
        }
        catch (SocketException)
        {
            // The server may close before the client is done writing (a rejected header): read what is left.
        }

        return new RawResponse(await ReadToEndAsync(socket));
    }

    public static async Task<byte[]> ReadToEndAsync(Socket socket)
    {
        using var cts = new CancellationTokenSource(Timeout);
        using var received = new MemoryStream();
        byte[] buffer = new byte[4096];
        try
        {
            while (true)
            {
                int read = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
                if (read == 0)
                {
                    break;
                }

                received.Write(buffer, 0, read);
            }
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
        {
        }

        return received.ToArray();
    }
}
