using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace ProxyProtocol.Tool;

/// <summary>
/// <c>proxyproto send</c>: connects, sends a PROXY header in one write, then relays standard input to the
/// connection and the connection to standard output, like a minimal netcat that speaks PROXY first.
/// </summary>
internal sealed class SendCommand : ToolCommand
{
    private static readonly TimeSpan s_defaultConnectTimeout = TimeSpan.FromSeconds(10);

    private readonly Argument<(string Host, int Port)> _target = new("HOST:PORT")
    {
        Description = "The server to connect to; IPv6 as [addr]:port.",
        CustomParser = result =>
        {
            try
            {
                return ValueParsers.ParseHostPort("HOST:PORT", result.Tokens[0].Value);
            }
            catch (UsageException e)
            {
                result.AddError(e.Message);
                return default;
            }
        },
    };

    private readonly Option<TimeSpan?> _connectTimeout = ToolOptions.Value<TimeSpan?>(
        "--connect-timeout", "SECONDS", "Give up connecting after this long (default 10).", text => ValueParsers.ParseSeconds("--connect-timeout", text));

    private readonly HeaderOptions _header = new();

    public SendCommand(StandardStreams streams)
        : base(
            "send",
            "Connect, send a header, then relay stdin to the connection and the connection to stdout.",
            """
            Connects to HOST:PORT (IPv6 as [addr]:port), sends a PROXY header in a single write with
            Nagle off (TX-01), then copies standard input to the connection and the connection to
            standard output. When standard input ends, the sending side is shut down; the command exits
            when both directions are done, and says on stderr when the server closed without sending
            anything back (a server that rejects the header does that). Without --src/--dst, --local or
            --unknown the header carries the connection's own endpoints: our local address as source,
            the server's as destination.
            """,
            streams)
    {
        Arguments.Add(_target);
        Options.Add(_connectTimeout);
        _header.AddTo(this);
    }

    protected override async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        string target = parse.GetResult(_target)!.Tokens[0].Value;
        (string host, int port) = parse.GetValue(_target);
        HeaderRequest request = HeaderRequest.Parse(_header, parse, addressesRequired: false);
        TimeSpan connectTimeout = parse.GetValue(_connectTimeout) ?? s_defaultConnectTimeout;
        StandardStreams streams = Streams;

        Socket? socket = null;
        try
        {
            socket = await ConnectAsync(host, port, connectTimeout, cancellationToken).ConfigureAwait(false);
            socket.NoDelay = true;
            byte[] header = request.Build(socket.LocalEndPoint, socket.RemoteEndPoint);
            await SendAllAsync(socket, header, cancellationToken).ConfigureAwait(false);
            long received = await RelayAsync(socket, streams, cancellationToken).ConfigureAwait(false);
            if (received == 0)
            {
                // Without this line a server that rejected the header (it closes without a word) looks like success.
                await streams.Error.WriteLineAsync($"proxyproto send: {target} closed the connection without sending anything").ConfigureAwait(false);
            }

            return ExitCodes.Success;
        }
        catch (SocketException e)
        {
            await streams.Error.WriteLineAsync($"proxyproto send: {target}: {e.Message}").ConfigureAwait(false);
            return ExitCodes.NetworkError;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await streams.Error.WriteLineAsync($"proxyproto send: {target}: no connection within {connectTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} seconds").ConfigureAwait(false);
            return ExitCodes.NetworkError;
        }
        catch (OperationCanceledException)
        {
            return ExitCodes.Success; // Ctrl+C
        }
        finally
        {
            socket?.Dispose();
        }
    }

    /// <summary>
    /// Connects to each address of <paramref name="host"/> in turn, with a socket of that address's own
    /// family, so the local endpoint (the default header source) is never a v4-mapped IPv6 address.
    /// </summary>
    private static async Task<Socket> ConnectAsync(string host, int port, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using CancellationTokenSource deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        IPAddress[] addresses = ValueParsers.ParseIPAddress("HOST:PORT", host) is IPAddress literal
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, deadline.Token).ConfigureAwait(false);

        SocketException? last = null;
        foreach (IPAddress address in addresses)
        {
            Socket socket = new(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, port), deadline.Token).ConfigureAwait(false);
                return socket;
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw last ?? new SocketException((int)SocketError.HostNotFound);
    }

    private static async Task SendAllAsync(Socket socket, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        while (!bytes.IsEmpty)
        {
            int sent = await socket.SendAsync(bytes, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            bytes = bytes.Slice(sent);
        }
    }

    /// <summary>Copies both directions at once and returns, when both have ended, how many bytes the server sent.</summary>
    private static async Task<long> RelayAsync(Socket socket, StandardStreams streams, CancellationToken cancellationToken)
    {
        Task upload = UploadAsync(socket, streams.Input, cancellationToken);
        Task<long> download = DownloadAsync(socket, streams.Output, cancellationToken);
        List<Task> pending = [upload, download];
        while (pending.Count > 0)
        {
            // Await through a cancellable wait: a console read cannot be cancelled, so Ctrl+C must not wait for it.
            Task finished = await Task.WhenAny(pending).WaitAsync(cancellationToken).ConfigureAwait(false);
            pending.Remove(finished);
            await finished.ConfigureAwait(false);
        }

        return await download.ConfigureAwait(false);
    }

    private static async Task UploadAsync(Socket socket, Stream input, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[16 * 1024];
        while (true)
        {
            int read = await input.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            await SendAllAsync(socket, buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
        }

        // Tell the server we are done sending (FIN), but keep receiving its answer.
        socket.Shutdown(SocketShutdown.Send);
    }

    private static async Task<long> DownloadAsync(Socket socket, Stream output, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[16 * 1024];
        long total = 0;
        while (true)
        {
            int received = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (received == 0)
            {
                return total;
            }

            total += received;
            await output.WriteAsync(buffer.AsMemory(0, received), cancellationToken).ConfigureAwait(false);
            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
