using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ProxyProtocol.AspNetCore;

namespace ProxyProtocol.Demo;

/// <summary>
/// The demo: a Kestrel app with <c>UseProxyProtocol()</c>, and a client that plays the load balancer. Callable from
/// <c>Program.cs</c> and from tests.
/// </summary>
public static class DemoRunner
{
    private static readonly IPEndPoint s_clientV4 = IPEndPoint.Parse("203.0.113.7:51234");
    private static readonly IPEndPoint s_frontendV4 = IPEndPoint.Parse("198.51.100.10:443");
    private static readonly IPEndPoint s_clientV6 = IPEndPoint.Parse("[2001:db8::7]:51235");
    private static readonly IPEndPoint s_frontendV6 = IPEndPoint.Parse("[2001:db8::10]:443");

    /// <summary>Runs every step, writes what happened to <paramref name="output"/>, and returns the exit code.</summary>
    public static async Task<int> RunAsync(TextWriter output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);

        // Every step is bounded: the demo ends within seconds whatever happens.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        CancellationToken ct = timeout.Token;

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseProxyProtocol()));

        await using WebApplication app = builder.Build();
        using var rejections = new RejectionListener(app.Services.GetRequiredService<IMeterFactory>());
        app.MapGet("/", Describe);
        app.MapGet("/health", Describe);
        await app.StartAsync(ct);

        var server = IPEndPoint.Parse(new Uri(app.Urls.First()).Authority);
        output.WriteLine($"Kestrel with listenOptions.UseProxyProtocol() is listening on {server}.");
        output.WriteLine("This program plays the load balancer: each connection starts with a PROXY header.");

        int failures = 0;
        failures += await ProxyV1Async(output, server, ct) ? 0 : 1;
        failures += await ProxyV2WithTlvsAsync(output, server, ct) ? 0 : 1;
        failures += await LocalHealthCheckAsync(output, server, ct) ? 0 : 1;
        failures += await GarbageAsync(output, server, rejections, ct) ? 0 : 1;

        await app.StopAsync(ct);
        output.WriteLine();
        output.WriteLine(failures == 0 ? "All 4 steps behaved as expected." : $"{failures} of 4 steps did not behave as expected.");
        return failures == 0 ? 0 : 1;
    }

    private static async Task<bool> ProxyV1Async(TextWriter output, IPEndPoint server, CancellationToken ct)
    {
        ProxyHeader header = ProxyHeader.CreateProxy(s_clientV4, s_frontendV4);
        byte[] bytes = new byte[ProxyHeaderWriter.MaxV1Length];
        ProxyHeaderWriter.WriteV1(header, bytes, out int written);

        output.WriteLine();
        output.WriteLine($"[1] PROXY v1, written by ProxyHeaderWriter.WriteV1 ({written} bytes):");
        output.WriteLine($"    {Encoding.ASCII.GetString(bytes, 0, written).Replace("\r\n", "\\r\\n", StringComparison.Ordinal)}");
        string? seen = await RequestAsync(server, new ArraySegment<byte>(bytes, 0, written), "/", ct);
        return Report(output, seen, $"client       {s_clientV4}");
    }

    private static async Task<bool> ProxyV2WithTlvsAsync(TextWriter output, IPEndPoint server, CancellationToken ct)
    {
        byte[] bytes = new byte[512];
        var builder = new ProxyV2HeaderBuilder(bytes, ProxyHeader.CreateProxy(s_clientV6, s_frontendV6));
        builder.AddAlpn("http/1.1"u8);
        builder.AddAuthority("api.example.com");
        builder.AddUniqueId("demo-request-0001"u8);
        builder.AddAwsVpcEndpointId("vpce-0a1b2c3d4e5f60708"u8);
        builder.AddCrc32c();
        if (builder.Complete(out int written) != OperationStatus.Done)
        {
            throw new InvalidOperationException("The demo header does not fit its buffer.");
        }

        output.WriteLine();
        output.WriteLine($"[2] PROXY v2 with TLVs (ALPN, authority, unique id, AWS VPC endpoint id, CRC32C), built by ProxyV2HeaderBuilder ({written} bytes):");
        for (int offset = 0; offset < written; offset += 32)
        {
            output.WriteLine($"    {Convert.ToHexStringLower(bytes, offset, Math.Min(32, written - offset))}");
        }

        string? seen = await RequestAsync(server, new ArraySegment<byte>(bytes, 0, written), "/", ct);
        return Report(output, seen, $"client       {s_clientV6}", "vpce-0a1b2c3d4e5f60708", "(verified by the parser)");
    }

    private static async Task<bool> LocalHealthCheckAsync(TextWriter output, IPEndPoint server, CancellationToken ct)
    {
        byte[] bytes = new byte[ProxyHeaderWriter.GetV2Length(ProxyHeader.CreateLocal(), 0)];
        ProxyHeaderWriter.WriteV2(ProxyHeader.CreateLocal(), bytes, out _);

        output.WriteLine();
        output.WriteLine($"[3] LOCAL health check, as AWS NLB and HAProxy send (v2, {bytes.Length} bytes), then GET /health:");
        output.WriteLine($"    {Convert.ToHexStringLower(bytes)}");
        string? seen = await RequestAsync(server, bytes, "/health", ct);

        // LOCAL carries no addresses (spec: use the real ones), so the app sees the socket's own peer.
        return Report(output, seen, "header       v2 LOCAL", "client       127.0.0.1:");
    }

    private static async Task<bool> GarbageAsync(TextWriter output, IPEndPoint server, RejectionListener rejections, CancellationToken ct)
    {
        output.WriteLine();
        output.WriteLine("[4] A client that skips the balancer and sends HTTP straight away (no header):");
        byte[] response = await ExchangeAsync(server, "GET / HTTP/1.0\r\n\r\n"u8.ToArray(), ct);
        string reason = await rejections.FirstRejection.WaitAsync(ct);
        output.WriteLine($"    the server closed the connection after {response.Length} bytes of response; rejected: {reason}");
        return response.Length == 0 && reason.Contains("InvalidSignature", StringComparison.Ordinal);
    }

    private static bool Report(TextWriter output, string? seen, params string[] expected)
    {
        if (seen is null)
        {
            output.WriteLine("    no HTTP response: the connection was closed");
            return false;
        }

        output.WriteLine("    the app saw:");
        foreach (string line in seen.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            output.WriteLine($"      {line}");
        }

        return Array.TrueForAll(expected, e => seen.Contains(e, StringComparison.Ordinal));
    }

    /// <summary>What the application sees of its connection: the endpoint behind <c>/</c> and <c>/health</c>.</summary>
    private static string Describe(HttpContext context)
    {
        ConnectionInfo connection = context.Connection;
        IProxyProtocolFeature? proxy = context.Features.Get<IProxyProtocolFeature>();
        var text = new StringBuilder();
        text.Append($"client       {new IPEndPoint(connection.RemoteIpAddress!, connection.RemotePort)}   (HttpContext.Connection.RemoteIpAddress/RemotePort)\n");
        text.Append($"connected to {new IPEndPoint(connection.LocalIpAddress!, connection.LocalPort)}\n");
        if (proxy is null)
        {
            return text.Append("no PROXY header\n").ToString();
        }

        text.Append($"balancer     {proxy.TransportRemoteEndPoint}   (IProxyProtocolFeature.TransportRemoteEndPoint)\n");
        text.Append($"header       v{(proxy.Header.Version == ProxyVersion.V1 ? 1 : 2)} {proxy.Header.Command.ToString().ToUpperInvariant()}\n");
        foreach (ProxyTlv tlv in proxy.Tlvs)
        {
            text.Append($"TLV {GetName(tlv.Type),-10}{GetValue(proxy, tlv)}\n");
        }

        return text.ToString();
    }

    private static string GetName(ProxyTlvType type) => type switch
    {
        ProxyTlvType.Alpn => "ALPN",
        ProxyTlvType.Authority => "AUTHORITY",
        ProxyTlvType.Crc32c => "CRC32C",
        ProxyTlvType.UniqueId => "UNIQUE_ID",
        ProxyTlvType.Aws => "AWS",
        _ => $"0x{(byte)type:x2}",
    };

    private static string GetValue(IProxyProtocolFeature proxy, ProxyTlv tlv) => tlv.Type switch
    {
        ProxyTlvType.Alpn => proxy.Alpn ?? "?",
        ProxyTlvType.Authority => proxy.Authority ?? "?",
        ProxyTlvType.UniqueId => Encoding.ASCII.GetString(tlv.Value),
        ProxyTlvType.Aws => $"{proxy.AwsVpcEndpointId} (VPC endpoint id)",
        ProxyTlvType.Crc32c => $"0x{BinaryPrimitives.ReadUInt32BigEndian(tlv.Value):x8} (verified by the parser)",
        _ => Convert.ToHexStringLower(tlv.Value),
    };

    /// <summary>Sends the header and an HTTP/1.0 request in one write, as a balancer forwards them; returns the body.</summary>
    private static async Task<string?> RequestAsync(IPEndPoint server, ArraySegment<byte> header, string path, CancellationToken ct)
    {
        byte[] request = [.. header, .. Encoding.ASCII.GetBytes($"GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n")];
        string response = Encoding.UTF8.GetString(await ExchangeAsync(server, request, ct));
        int body = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        return response.StartsWith("HTTP/1.1 200", StringComparison.Ordinal) && body >= 0 ? response[(body + 4)..] : null;
    }

    private static async Task<byte[]> ExchangeAsync(IPEndPoint server, byte[] request, CancellationToken ct)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(server, ct);
        await socket.SendAsync(request, SocketFlags.None, ct);
        var response = new MemoryStream();
        byte[] buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, ct)) > 0)
            {
                response.Write(buffer, 0, read);
            }
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            // A server that closes with unread bytes in its buffer resets the connection: a rejection looks like this.
        }

        return response.ToArray();
    }

    /// <summary>Listens to the middleware's <c>proxy_protocol.rejected_connections</c> counter.</summary>
    private sealed class RejectionListener : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly TaskCompletionSource<string> _first = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public RejectionListener(IMeterFactory scope)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                // This app's meter only (its host's IMeterFactory), whatever else runs in the process.
                if (instrument is { Name: "proxy_protocol.rejected_connections", Meter.Name: "ProxyProtocol.AspNetCore" }
                    && ReferenceEquals(instrument.Meter.Scope, scope))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
            {
                string? type = null;
                string? error = null;
                foreach (KeyValuePair<string, object?> tag in tags)
                {
                    if (tag.Key == "error.type")
                    {
                        type = tag.Value as string;
                    }
                    else if (tag.Key == "proxy_protocol.header_error")
                    {
                        error = tag.Value as string;
                    }
                }

                _first.TrySetResult($"{type} ({error})");
            });
            _listener.Start();
        }

        public Task<string> FirstRejection => _first.Task;

        public void Dispose() => _listener.Dispose();
    }
}
