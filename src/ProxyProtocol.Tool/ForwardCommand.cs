using System;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace ProxyProtocol.Tool;

/// <summary>
/// <c>proxyproto forward</c>: a TCP forwarder that sends the backend a PROXY header naming the client. The work
/// is done by <see cref="ProxyTcpForwarder"/> in the library; this file only maps the command line onto its
/// options and prints one line per connection.
/// </summary>
internal static class ForwardCommand
{
    private const string Listen = "--listen";
    private const string To = "--to";
    private const string AcceptProxy = "--accept-proxy";
    private const string Trusted = "--trusted";
    private const string V1 = "--v1";
    private const string V2 = "--v2";
    private const string Count = "--count";
    private const string HeaderTimeout = "--header-timeout";
    private const string IdleTimeout = "--idle-timeout";
    private const string Quiet = "--quiet";

    public static CommandDefinition Definition { get; } = new(
        "forward",
        "Forward TCP connections to a backend, sending it a header.",
        "forward --listen ADDR:PORT --to HOST:PORT [--accept-proxy] [--v1|--v2] [options]",
        """
        Listens on ADDR:PORT (port 0 picks a free one; "listening on ADDR:PORT" goes to stderr),
        connects each accepted connection to HOST:PORT, sends a PROXY header naming the client
        (v2 unless --v1) and relays bytes both ways until both sides close. With --accept-proxy
        each connection must start with a header from a load balancer in front, and the header
        sent on names the client from it. Prints one line per connection on stdout. Stops after
        --count connections or on Ctrl+C. Exits 3 if it cannot listen.
        """,
        [
            new(Listen, "ADDR:PORT", "Where to listen, for example 127.0.0.1:8080 or [::]:8080."),
            new(To, "HOST:PORT", "The backend: a host name or an IP address, and a port."),
            new(AcceptProxy, null, "Read a PROXY header (v1 or v2) from each accepted connection first."),
            new(Trusted, "CIDR", "With --accept-proxy, a network balancers connect from; others are closed.", repeatable: true),
            new(V1, null, "Send v1 (text) headers."),
            new(V2, null, "Send v2 (binary) headers; the default."),
            new(Count, "N", "Exit after N connections have ended."),
            new(HeaderTimeout, "SECONDS", "Time a connection has to send its header with --accept-proxy (default 5)."),
            new(IdleTimeout, "SECONDS", "Close a connection idle in both directions this long (default 300)."),
            new(Quiet, null, "Print nothing per connection."),
        ],
        maxPositionals: 0,
        RunAsync);

    private static async Task<int> RunAsync(ParsedArguments args, StandardStreams streams, CancellationToken cancellationToken)
    {
        IPEndPoint listen = ValueParsers.ParseIPEndPoint(Listen, args.GetValue(Listen) ?? throw new UsageException($"{Listen} is required"));
        (string host, int port) = ValueParsers.ParseHostPort(To, args.GetValue(To) ?? throw new UsageException($"{To} is required"));
        if (args.Has(V1) && args.Has(V2))
        {
            throw new UsageException($"{V1} and {V2} exclude each other");
        }

        EndPoint backend = ValueParsers.ParseIPAddress(To, host) is IPAddress address ? new IPEndPoint(address, port) : new DnsEndPoint(host, port);
        int? count = args.GetValue(Count) is string c ? ValueParsers.ParseInt32(Count, c, 1, int.MaxValue) : null;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int ended = 0;
        bool quiet = args.Has(Quiet);
        var options = new ProxyTcpForwarderOptions(backend)
        {
            Version = args.Has(V1) ? ProxyVersion.V1 : ProxyVersion.V2,
            AcceptProxyHeader = args.Has(AcceptProxy),
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
        if (args.GetValue(HeaderTimeout) is string headerTimeout)
        {
            options.HeaderTimeout = ValueParsers.ParseSeconds(HeaderTimeout, headerTimeout);
        }

        if (args.GetValue(IdleTimeout) is string idleTimeout)
        {
            options.IdleTimeout = ValueParsers.ParseSeconds(IdleTimeout, idleTimeout);
        }

        foreach (ParsedOption option in args.Options)
        {
            if (option.Name == Trusted)
            {
                options.TrustedProxies.Add(IPNetwork.TryParse(option.Value, out IPNetwork network) ? network : throw new UsageException($"{Trusted}: '{option.Value}' is not a network (CIDR, for example 10.0.0.0/8)"));
            }
        }

        if (options.TrustedProxies.Count > 0 && !options.AcceptProxyHeader)
        {
            throw new UsageException($"{Trusted} needs {AcceptProxy}");
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
