using System;
using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace ProxyProtocol.Tool;

/// <summary>
/// <c>proxyproto forward</c>: a TCP forwarder that sends the backend a PROXY header naming the client. The work
/// is done by <see cref="ProxyTcpForwarder"/> in the library; this command only maps the command line onto its
/// options and prints one line per connection.
/// </summary>
internal sealed class ForwardCommand : ToolCommand
{
    private readonly Option<IPEndPoint> _listen = Required(ToolOptions.Value(
        "--listen", "ADDR:PORT", "Where to listen, for example 127.0.0.1:8080 or [::]:8080.", text => ValueParsers.ParseIPEndPoint("--listen", text)));

    private readonly Option<(string Host, int Port)> _to = Required(ToolOptions.Value(
        "--to", "HOST:PORT", "The backend: a host name or an IP address, and a port.", text => ValueParsers.ParseHostPort("--to", text)));

    private readonly Option<bool> _acceptProxy = ToolOptions.Flag("--accept-proxy", "Read a PROXY header (v1 or v2) from each accepted connection first.");

    private readonly Option<IPNetwork[]> _trusted = new("--trusted")
    {
        HelpName = "CIDR",
        Description = "With --accept-proxy, a network balancers connect from; others are closed (repeatable).",
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = false,
        CustomParser = result =>
        {
            var networks = new IPNetwork[result.Tokens.Count];
            for (int i = 0; i < networks.Length; i++)
            {
                string text = result.Tokens[i].Value;
                if (!IPNetwork.TryParse(text, out networks[i]))
                {
                    result.AddError($"--trusted: '{text}' is not a network (CIDR, for example 10.0.0.0/8)");
                }
            }

            return networks;
        },
    };

    private readonly Option<bool> _v1 = ToolOptions.Flag("--v1", "Send v1 (text) headers.");

    private readonly Option<bool> _v2 = ToolOptions.Flag("--v2", "Send v2 (binary) headers; the default.");

    private readonly Option<int?> _count = ToolOptions.Value<int?>(
        "--count", "N", "Exit after N connections have ended.", text => ValueParsers.ParseInt32("--count", text, 1, int.MaxValue));

    private readonly Option<TimeSpan?> _headerTimeout = ToolOptions.Value<TimeSpan?>(
        "--header-timeout", "SECONDS", "Time a connection has to send its header with --accept-proxy (default 5).", text => ValueParsers.ParseSeconds("--header-timeout", text));

    private readonly Option<TimeSpan?> _idleTimeout = ToolOptions.Value<TimeSpan?>(
        "--idle-timeout", "SECONDS", "Close a connection idle in both directions this long (default 300).", text => ValueParsers.ParseSeconds("--idle-timeout", text));

    private readonly Option<bool> _quiet = ToolOptions.Flag("--quiet", "Print nothing per connection.");

    public ForwardCommand(StandardStreams streams)
        : base(
            "forward",
            "Forward TCP connections to a backend, sending it a header.",
            """
            Listens on ADDR:PORT (port 0 picks a free one; "listening on ADDR:PORT" goes to stderr),
            connects each accepted connection to HOST:PORT, sends a PROXY header naming the client
            (v2 unless --v1) and relays bytes both ways until both sides close. With --accept-proxy
            each connection must start with a header from a load balancer in front, and the header
            sent on names the client from it. Prints one line per connection on stdout. Stops after
            --count connections or on Ctrl+C. Exits 3 if it cannot listen.
            """,
            streams)
    {
        Options.Add(_listen);
        Options.Add(_to);
        Options.Add(_acceptProxy);
        Options.Add(_trusted);
        Options.Add(_v1);
        Options.Add(_v2);
        Options.Add(_count);
        Options.Add(_headerTimeout);
        Options.Add(_idleTimeout);
        Options.Add(_quiet);
    }

    protected override async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        IPEndPoint listen = parse.GetValue(_listen)!;
        (string host, int port) = parse.GetValue(_to);
        if (parse.GetValue(_v1) && parse.GetValue(_v2))
        {
            throw new UsageException("--v1 and --v2 exclude each other");
        }

        EndPoint backend = ValueParsers.ParseIPAddress("--to", host) is IPAddress address ? new IPEndPoint(address, port) : new DnsEndPoint(host, port);
        int? count = parse.GetValue(_count);
        bool quiet = parse.GetValue(_quiet);
        StandardStreams streams = Streams;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int ended = 0;
        var options = new ProxyTcpForwarderOptions(backend)
        {
            Version = parse.GetValue(_v1) ? ProxyVersion.V1 : ProxyVersion.V2,
            AcceptProxyHeader = parse.GetValue(_acceptProxy),
            ConnectionCompleted = connection =>
            {
                if (!quiet)
                {
                    Report(streams, connection);
                }

                if (Interlocked.Increment(ref ended) == count)
                {
                    done.TrySetResult();
                }
            },
        };
        if (parse.GetValue(_headerTimeout) is TimeSpan headerTimeout)
        {
            options.HeaderTimeout = headerTimeout;
        }

        if (parse.GetValue(_idleTimeout) is TimeSpan idleTimeout)
        {
            options.IdleTimeout = idleTimeout;
        }

        foreach (IPNetwork network in parse.GetValue(_trusted) ?? [])
        {
            options.TrustedProxies.Add(network);
        }

        if (options.TrustedProxies.Count > 0 && !options.AcceptProxyHeader)
        {
            throw new UsageException("--trusted needs --accept-proxy");
        }

        await using var forwarder = new ProxyTcpForwarder(options);
        try
        {
            forwarder.Start(listen);
        }
        catch (SocketException e)
        {
            await streams.Error.WriteLineAsync($"proxyproto forward: cannot listen on {listen}: {e.Message}").ConfigureAwait(false);
            return ExitCodes.NetworkError;
        }

        await streams.Error.WriteLineAsync($"listening on {forwarder.LocalEndPoint}, forwarding to {backend}").ConfigureAwait(false);
        await streams.Error.FlushAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C: disposing the forwarder closes the connections in progress.
        }

        return ExitCodes.Success;
    }

    private static Option<T> Required<T>(Option<T> option)
    {
        option.Required = true;
        return option;
    }

    private static void Report(StandardStreams streams, ProxyForwardedConnection connection)
    {
        string client = connection.SentHeader?.GetSourceEndPoint()?.ToString() ?? connection.TransportRemoteEndPoint?.ToString() ?? "?";
        string outcome = connection.Error is null ? "closed" : $"error {connection.Error.GetType().Name}: {connection.Error.Message}";
        string line = string.Create(CultureInfo.InvariantCulture, $"{client} via {connection.TransportRemoteEndPoint}: {connection.BytesToBackend} bytes up, {connection.BytesToClient} bytes down, {connection.Duration.TotalMilliseconds:F0} ms, {outcome}\n");
        lock (streams)
        {
            streams.WriteOutput(line);
        }
    }
}
