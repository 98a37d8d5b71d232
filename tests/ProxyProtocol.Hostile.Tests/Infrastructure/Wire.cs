using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace ProxyProtocol.Hostile.Tests.Infrastructure;

/// <summary>How a connection ended, seen from the client.</summary>
public enum ConnectionEnd
{
    /// <summary>The server closed it gracefully (FIN).</summary>
    Eof,

    /// <summary>The server reset it (RST: it closed with unread bytes in its receive buffer).</summary>
    Reset,

    /// <summary>Still open when the client stopped waiting.</summary>
    StillOpen,
}

/// <summary>What a client received before the connection ended, and how it ended.</summary>
public readonly record struct Received(byte[] Bytes, ConnectionEnd End)
{
    /// <summary>Closed by the server (either way) without a byte written: how every rejection must look.</summary>
    public bool IsClosedWithoutResponse => Bytes.Length == 0 && End != ConnectionEnd.StillOpen;

    /// <summary>The <c>key=value</c> lines of a 200 response's body, or null when it is not one.</summary>
    public IReadOnlyDictionary<string, string>? Echo
    {
        get
        {
            string text = Encoding.ASCII.GetString(Bytes);
            int start = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (!text.StartsWith("HTTP/1.1 200 ", StringComparison.Ordinal) || start < 0)
            {
                return null;
            }

            var values = new Dictionary<string, string>();
            foreach (string line in text.Substring(start + 4).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                string[] pair = line.Split('=', 2);
                values[pair[0]] = pair[1];
            }

            return values;
        }
    }
}

/// <summary>Raw-socket clients for hostile tests: exact bytes, exact writes, resets on demand.</summary>
public static class Wire
{
    /// <summary>The longest any single wait in these tests may take; reaching it fails the test, it never hangs it.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    public static readonly byte[] Get = "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"u8.ToArray();

    /// <summary>Connects with NoDelay (every write leaves at once), from <paramref name="source"/> when given.</summary>
    public static async Task<Socket> ConnectAsync(IPEndPoint server, IPAddress? source = null)
    {
        var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (source is not null)
            {
                socket.Bind(new IPEndPoint(source, 0));
            }

            using var timeout = new CancellationTokenSource(Timeout);
            await socket.ConnectAsync(server, timeout.Token);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Sends all bytes; returns false when the server had already closed or reset the connection.</summary>
    public static async Task<bool> TrySendAsync(Socket socket, ReadOnlyMemory<byte> data)
    {
        try
        {
            while (!data.IsEmpty)
            {
                int sent = await socket.SendAsync(data, SocketFlags.None);
                data = data.Slice(sent);
            }

            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>Reads until the server closes or resets the connection, or until <paramref name="wait"/> passes.</summary>
    public static async Task<Received> ReadToEndAsync(Socket socket, TimeSpan wait)
    {
        using var timeout = new CancellationTokenSource(wait);
        using var received = new MemoryStream();
        byte[] buffer = new byte[4096];
        try
        {
            while (true)
            {
                int read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
                if (read == 0)
                {
                    return new Received(received.ToArray(), ConnectionEnd.Eof);
                }

                received.Write(buffer, 0, read);
            }
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
        {
            return new Received(received.ToArray(), ConnectionEnd.Reset);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return new Received(received.ToArray(), ConnectionEnd.StillOpen);
        }
    }

    /// <summary>Sends each chunk in its own write, then reads to the end.</summary>
    public static async Task<Received> ExchangeAsync(IPEndPoint server, params byte[][] writes)
    {
        using Socket socket = await ConnectAsync(server);
        foreach (byte[] chunk in writes)
        {
            if (!await TrySendAsync(socket, chunk))
            {
                break;
            }
        }

        return await ReadToEndAsync(socket, Timeout);
    }

    /// <summary>Aborts the connection: SO_LINGER with a zero timeout makes the close send RST instead of FIN.</summary>
    public static void Reset(Socket socket)
    {
        socket.LingerState = new LingerOption(true, 0);
        socket.Close();
    }

    public static byte[] Concat(params byte[][] parts)
    {
        int length = 0;
        foreach (byte[] part in parts)
        {
            length += part.Length;
        }

        byte[] result = new byte[length];
        int offset = 0;
        foreach (byte[] part in parts)
        {
            part.CopyTo(result, offset);
            offset += part.Length;
        }

        return result;
    }
}
