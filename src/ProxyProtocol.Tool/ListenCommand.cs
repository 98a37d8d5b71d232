using System;
using System.Buffers;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace ProxyProtocol.Tool;

/// <summary>
/// <c>proxyproto listen</c>: accepts TCP connections and prints each one's PROXY header and the first bytes
/// after it. A debugging receiver: point a proxy at it to see exactly what the proxy sends.
/// </summary>
internal sealed class ListenCommand : ToolCommand
{
    private const int DefaultPreviewBytes = 64;
    private static readonly TimeSpan s_defaultHeaderTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan s_defaultDataTimeout = TimeSpan.FromSeconds(1);

    private readonly Option<int?> _port = ToolOptions.Value<int?>(
        "--port", "N", "TCP port to listen on; 0 (the default) picks a free one.", text => ValueParsers.ParseInt32("--port", text, 0, ushort.MaxValue));

    private readonly Option<IPAddress> _address = ToolOptions.Value(
        "--address",
        "ADDR",
        "IP address to listen on (default 127.0.0.1; ::1 for IPv6, 0.0.0.0 for all).",
        text => ValueParsers.ParseIPAddress("--address", text) ?? throw new UsageException($"--address: '{text}' is not an IP address"));

    private readonly Option<bool> _json = ToolOptions.Flag("--json", "Print one JSON object per connection instead of text.");

    private readonly Option<int?> _count = ToolOptions.Value<int?>(
        "--count", "N", "Exit after reporting N connections.", text => ValueParsers.ParseInt32("--count", text, 1, int.MaxValue));

    private readonly Option<TimeSpan?> _headerTimeout = ToolOptions.Value<TimeSpan?>(
        "--timeout", "SECONDS", "Time a connection has to send its whole header (default 10).", text => ValueParsers.ParseSeconds("--timeout", text));

    private readonly Option<int?> _bytes = ToolOptions.Value<int?>(
        "--bytes", "N", $"How many bytes after the header to show, 0 to 65536 (default {DefaultPreviewBytes}).", text => ValueParsers.ParseInt32("--bytes", text, 0, 65536));

    private readonly Option<TimeSpan?> _dataTimeout = ToolOptions.Value<TimeSpan?>(
        "--data-timeout", "SECONDS", "How long to wait for those bytes (default 1).", text => ValueParsers.ParseSeconds("--data-timeout", text));

    private readonly ParserOptionArguments _parserOptions = new();

    public ListenCommand(StandardStreams streams)
        : base(
            "listen",
            "Accept connections and print each one's header and first bytes.",
            """
            Listens on TCP (127.0.0.1 unless --address says otherwise; port 0 picks a free port) and
            prints "listening on ADDR:PORT" on stderr. For each connection it reads the PROXY header,
            then waits up to --data-timeout for the first --bytes bytes after it (or the peer's end of
            data), prints one report on stdout (one JSON object per line with --json) and closes the
            connection. Stops after --count connections, or on Ctrl+C. Exits 1 if a reported
            connection had no valid header.
            """,
            streams)
    {
        Options.Add(_port);
        Options.Add(_address);
        Options.Add(_json);
        Options.Add(_count);
        Options.Add(_headerTimeout);
        Options.Add(_bytes);
        Options.Add(_dataTimeout);
        _parserOptions.AddTo(this);
    }

    protected override async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        Settings settings = new(
            parse.GetValue(_json),
            parse.GetValue(_count),
            parse.GetValue(_headerTimeout) ?? s_defaultHeaderTimeout,
            parse.GetValue(_bytes) ?? DefaultPreviewBytes,
            parse.GetValue(_dataTimeout) ?? s_defaultDataTimeout,
            _parserOptions.Get(parse));
        int port = parse.GetValue(_port) ?? 0;
        IPAddress address = parse.GetValue(_address) ?? IPAddress.Loopback;
        StandardStreams streams = Streams;

        using Socket listener = new(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        IPEndPoint endPoint = new(address, port);
        try
        {
            listener.Bind(endPoint);
            listener.Listen();
        }
        catch (SocketException e)
        {
            await streams.Error.WriteLineAsync($"proxyproto listen: cannot listen on {endPoint}: {e.Message}").ConfigureAwait(false);
            return ExitCodes.NetworkError;
        }

        await streams.Error.WriteLineAsync($"listening on {listener.LocalEndPoint}").ConfigureAwait(false);
        await streams.Error.FlushAsync(cancellationToken).ConfigureAwait(false);

        Reporter reporter = new(streams, settings.Json);
        List<Task> connections = [];
        int accepted = 0;
        try
        {
            while (settings.Count is null || accepted < settings.Count)
            {
                Socket connection = await listener.AcceptAsync(cancellationToken).ConfigureAwait(false);
                accepted++;
                connections.RemoveAll(static task => task.IsCompleted);
                connections.Add(HandleAsync(connection, settings, reporter, cancellationToken));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C: stop accepting; connections in progress end below.
        }

        listener.Close();
        await Task.WhenAll(connections).ConfigureAwait(false);
        return reporter.InvalidCount > 0 ? ExitCodes.InvalidHeader : ExitCodes.Success;
    }

    private static async Task HandleAsync(Socket connection, Settings settings, Reporter reporter, CancellationToken cancellationToken)
    {
        using (connection)
        {
            string remote = connection.RemoteEndPoint?.ToString() ?? "?";
            string local = connection.LocalEndPoint?.ToString() ?? "?";
            try
            {
                HeaderReadResult result = await HeaderReader.ReadAsync(
                    (memory, token) => connection.ReceiveAsync(memory, SocketFlags.None, token),
                    settings.ParserOptions,
                    settings.PreviewBytes,
                    settings.HeaderTimeout,
                    cancellationToken).ConfigureAwait(false);

                if (!result.IsDone)
                {
                    (string code, string message) = result.TimedOut
                        ? ("HeaderTimeout", $"No complete PROXY header within {settings.HeaderTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} seconds.")
                        : (result.Error.ToString(), ProxyProtocolException.GetMessage(result.Error));
                    reporter.ReportError(remote, local, code, message, result.Buffer.AsMemory(0, Math.Min(result.Count, settings.PreviewBytes)));
                    return;
                }

                int end = await ReadPreviewAsync(connection, result, settings, cancellationToken).ConfigureAwait(false);
                reporter.ReportHeader(remote, local, result, settings.ParserOptions.VerifyCrc32c, result.Buffer.AsMemory(result.HeaderLength, end - result.HeaderLength));
            }
            catch (SocketException e)
            {
                reporter.ReportError(remote, local, "ConnectionError", e.Message, ReadOnlyMemory<byte>.Empty);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Ctrl+C while this connection was in progress: nothing to report.
            }
        }
    }

    /// <summary>Reads until <c>--bytes</c> bytes follow the header, the peer stops sending, or <c>--data-timeout</c> passes; returns the end of the shown bytes.</summary>
    private static async Task<int> ReadPreviewAsync(Socket connection, HeaderReadResult result, Settings settings, CancellationToken cancellationToken)
    {
        int wanted = result.HeaderLength + settings.PreviewBytes;
        int count = result.Count;
        if (count < wanted)
        {
            using CancellationTokenSource deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(settings.DataTimeout);
            try
            {
                while (count < wanted)
                {
                    int received = await connection.ReceiveAsync(result.Buffer.AsMemory(count, wanted - count), SocketFlags.None, deadline.Token).ConfigureAwait(false);
                    if (received == 0)
                    {
                        break;
                    }

                    count += received;
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // The client sent its header and is waiting for us (server-speaks-first protocols): show what came.
            }
        }

        return Math.Min(count, wanted);
    }

    private sealed record Settings(bool Json, int? Count, TimeSpan HeaderTimeout, int PreviewBytes, TimeSpan DataTimeout, ProxyParserOptions ParserOptions);

    /// <summary>Prints connection reports one at a time: connections are handled concurrently, reports never interleave.</summary>
    private sealed class Reporter
    {
        private readonly Lock _gate = new();
        private readonly StandardStreams _streams;
        private readonly bool _json;
        private int _invalidCount;

        public Reporter(StandardStreams streams, bool json)
        {
            _streams = streams;
            _json = json;
        }

        public int InvalidCount => Volatile.Read(ref _invalidCount);

        public void ReportHeader(string remote, string local, HeaderReadResult result, bool crc32cVerified, ReadOnlyMemory<byte> data)
        {
            if (_json)
            {
                Write(writer =>
                {
                    writer.WriteStartObject();
                    writer.WriteString("remote", remote);
                    writer.WriteString("local", local);
                    writer.WritePropertyName("header");
                    HeaderJson.WriteHeader(writer, result.Header, result.HeaderBytes, crc32cVerified);
                    WriteData(writer, data.Span);
                    writer.WriteEndObject();
                });
                return;
            }

            string text = $"{remote} -> {local}: {HeaderText.Describe(result.Header, result.HeaderBytes)}\n  {DescribeData(data.Span, "after the header")}\n";
            lock (_gate)
            {
                _streams.WriteOutput(text);
            }
        }

        public void ReportError(string remote, string local, string code, string message, ReadOnlyMemory<byte> data)
        {
            Interlocked.Increment(ref _invalidCount);
            if (_json)
            {
                Write(writer =>
                {
                    writer.WriteStartObject();
                    writer.WriteString("remote", remote);
                    writer.WriteString("local", local);
                    HeaderJson.WriteErrorProperties(writer, code, message);
                    WriteData(writer, data.Span);
                    writer.WriteEndObject();
                });
                return;
            }

            string text = $"{remote} -> {local}: no valid header: {code}: {message}\n  {DescribeData(data.Span, "received")}\n";
            lock (_gate)
            {
                _streams.WriteOutput(text);
            }
        }

        private static string DescribeData(ReadOnlySpan<byte> data, string what) =>
            data.IsEmpty ? $"no bytes {what}" : $"{data.Length} bytes {what}: {HeaderText.DescribeBytes(data)}";

        private static void WriteData(System.Text.Json.Utf8JsonWriter writer, ReadOnlySpan<byte> data)
        {
            writer.WriteStartObject("data");
            writer.WriteNumber("length", data.Length);
            writer.WriteString("hex", Convert.ToHexStringLower(data));
            writer.WriteString("printable", HeaderText.GetPrintable(data));
            writer.WriteEndObject();
        }

        private void Write(Action<System.Text.Json.Utf8JsonWriter> write)
        {
            ArrayBufferWriter<byte> buffer = new();
            using (System.Text.Json.Utf8JsonWriter writer = new(buffer, HeaderJson.GetWriterOptions(indented: false)))
            {
                write(writer);
            }

            lock (_gate)
            {
                _streams.Output.Write(buffer.WrittenSpan);
                _streams.WriteOutput("\n");
            }
        }
    }
}
