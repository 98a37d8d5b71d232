using System;
using System.Buffers;
using System.IO.Pipelines;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using ProxyProtocol.AspNetCore.Tests.Infrastructure;

namespace ProxyProtocol.AspNetCore.Benchmarks;

/// <summary>
/// The middleware's own cost per connection: Kestrel's connection pipeline (ListenOptions.Build()) run over
/// in-memory pipes, with and without UseProxyProtocol(). The difference to <see cref="Plain"/> is what the
/// middleware adds to each connection, free of socket and scheduling noise. The AwaitOnly rows run the least
/// any header-reading middleware does (one read, nothing consumed, then the next middleware): the difference
/// between them and Plain is the price of reading first at all, the rest is this library's.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class MiddlewareBenchmarks
{
    private static readonly PipeOptions s_inline = new(readerScheduler: PipeScheduler.Inline, writerScheduler: PipeScheduler.Inline, useSynchronizationContext: false);
    private static readonly byte[] s_request = "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"u8.ToArray();
    private static readonly byte[] s_v1Request = [.. "PROXY TCP4 203.0.113.7 198.51.100.9 4242 443\r\n"u8, .. s_request];
    private static readonly byte[] s_v2Request = CreateV2Request();

    private ConnectionDelegate _plain = null!;
    private ConnectionDelegate _proxied = null!;
    private ConnectionDelegate _awaitOnly = null!;

    [GlobalSetup]
    public void Setup()
    {
        _plain = InMemoryConnection.BuildPipeline(static _ => { });
        _proxied = InMemoryConnection.BuildPipeline(static listenOptions => listenOptions.UseProxyProtocol());
        _awaitOnly = InMemoryConnection.BuildPipeline(static listenOptions => listenOptions.Use(next => async context =>
        {
            // The shape of any connection middleware that reads first, as in ConnectionBenchmarks.
            ReadResult result = await context.Transport.Input.ReadAsync();
            context.Transport.Input.AdvanceTo(result.Buffer.Start);
            await next(context);
        }));
    }

    [Benchmark(Baseline = true)]
    public Task Plain() => RunBuffered(_plain, s_request);

    [Benchmark]
    public Task V1HeaderBuffered() => RunBuffered(_proxied, s_v1Request);

    [Benchmark]
    public Task V2WithTlvsBuffered() => RunBuffered(_proxied, s_v2Request);

    /// <summary>The usual case on a real socket: the middleware waits, then the header arrives.</summary>
    [Benchmark]
    public Task V1HeaderArrivesLater() => RunArrivingLater(_proxied, s_v1Request);

    /// <summary>The await-only middleware over a buffered request: the floor for <see cref="V1HeaderBuffered"/>.</summary>
    [Benchmark]
    public Task AwaitOnlyBuffered() => RunBuffered(_awaitOnly, s_request);

    /// <summary>The await-only middleware when the bytes arrive after its read: the floor for <see cref="V1HeaderArrivesLater"/>.</summary>
    [Benchmark]
    public Task AwaitOnlyArrivesLater() => RunArrivingLater(_awaitOnly, s_request);

    private static Task RunArrivingLater(ConnectionDelegate app, byte[] input)
    {
        var pipe = new Pipe(s_inline);
        Task running = app(new InMemoryConnection(pipe.Reader));
        pipe.Writer.Write(input);
        _ = pipe.Writer.FlushAsync();
        return running;
    }

    private static Task RunBuffered(ConnectionDelegate app, byte[] input)
    {
        var pipe = new Pipe(s_inline);
        pipe.Writer.Write(input);
        _ = pipe.Writer.FlushAsync();
        return app(new InMemoryConnection(pipe.Reader));
    }

    private static byte[] CreateV2Request()
    {
        var header = ProxyHeader.CreateProxy(
            new System.Net.IPEndPoint(System.Net.IPAddress.Parse("2001:db8::7"), 4242),
            new System.Net.IPEndPoint(System.Net.IPAddress.Parse("2001:db8::1"), 443));
        byte[] buffer = new byte[256];
        var builder = new ProxyV2HeaderBuilder(buffer, header);
        builder.AddAuthority("api.example.com");
        builder.AddAwsVpcEndpointId("vpce-08d2bf15fac5001c9"u8);
        builder.Complete(out int written);
        return [.. buffer.AsSpan(0, written), .. s_request];
    }
}
