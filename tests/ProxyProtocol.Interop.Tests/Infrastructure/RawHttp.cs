using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Tasks;

namespace ProxyProtocol.Interop.Tests.Infrastructure;

/// <summary>An HTTP response read to the end of the connection.</summary>
/// <param name="Raw">Every byte received before the server closed (or reset) the connection.</param>
internal sealed record HttpReply(byte[] Raw)
{
    public string Text => Encoding.UTF8.GetString(Raw);

    /// <summary>The status code, or 0 when nothing (or no status line) arrived.</summary>
    public int Status => Text.StartsWith("HTTP/1.", StringComparison.Ordinal) && Text.Length >= 12 ? int.Parse(Text.AsSpan(9, 3)) : 0;

    public string Body
    {
        get
        {
            int end = Text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            return end < 0 ? string.Empty : Text[(end + 4)..];
        }
    }

    /// <summary>The body's <c>key=value</c> lines (<see cref="KestrelBackend"/>'s description).</summary>
    public Dictionary<string, string> Fields
    {
        get
        {
            var fields = new Dictionary<string, string>();
            foreach (string line in Body.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                int equals = line.IndexOf('=', StringComparison.Ordinal);
                if (equals > 0)
                {
                    fields[line[..equals]] = line[(equals + 1)..];
                }
            }

            return fields;
        }
    }
}

/// <summary>A minimal HTTP/1.1 client over any stream, and raw TCP clients: the tests control every byte sent.</summary>
internal static class RawHttp
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    /// <summary>A connected TCP socket with Nagle off, from the family of <paramref name="server"/>.</summary>
    public static async Task<Socket> ConnectAsync(IPEndPoint server)
    {
        var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(server).WaitAsync(Timeout);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public static byte[] Request(string host, string path = "/") =>
        Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");

    /// <summary>Sends GET with <c>Connection: close</c> and reads the response until the server closes.</summary>
    public static async Task<HttpReply> GetAsync(Stream stream, string host, string path = "/")
    {
        await stream.WriteAsync(Request(host, path)).AsTask().WaitAsync(Timeout);
        return await ReadToEndAsync(stream);
    }

    /// <summary>Reads until the peer closes; a reset ends the reply as a close does (a rejecting peer resets).</summary>
    public static async Task<HttpReply> ReadToEndAsync(Stream stream)
    {
        var received = new MemoryStream();
        byte[] buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer).AsTask().WaitAsync(Timeout)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (IOException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset })
        {
        }

        return new HttpReply(received.ToArray());
    }
}
