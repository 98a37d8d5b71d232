using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using ProxyProtocol.AspNetCore.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ProxyProtocol.AspNetCore.Tests;

/// <summary>
/// What the middleware allocates per connection, measured on the connection pipeline Kestrel would build
/// (ListenOptions.Build()) over in-memory pipes, so that only this thread's allocations are counted.
/// </summary>
public class AllocationTests(ITestOutputHelper output)
{
    private static readonly byte[] s_v1 = Headers.Concat(Headers.V1("203.0.113.7", 4242, "198.51.100.9", 443), RawClient.Get());
    private static readonly byte[] s_v2WithTlvs = Headers.Concat(
        Headers.V2("2001:db8::7", 4242, "2001:db8::1", 443, (ref ProxyV2HeaderBuilder b) =>
        {
            b.AddAuthority("api.example.com");
            b.AddAwsVpcEndpointId("vpce-08d2bf15fac5001c9"u8);
        }),
        RawClient.Get());

    private static bool IsOptimized => typeof(ListenOptionsProxyProtocolExtensions).Assembly.GetCustomAttribute<DebuggableAttribute>()?.IsJITOptimizerDisabled != true;

    /// <summary>Average bytes allocated on this thread per connection, after warm-up.</summary>
    private static async Task<long> MeasureAsync(ConnectionDelegate app, byte[] input, bool headerArrivesLater)
    {
        const int Warmup = 200;
        const int Measured = 500;
        long total = 0;
        for (int i = 0; i < Warmup + Measured; i++)
        {
            // Inline scheduling: the read's continuation runs inside FlushAsync, on this thread.
            var pipe = new Pipe(new PipeOptions(readerScheduler: PipeScheduler.Inline, writerScheduler: PipeScheduler.Inline, useSynchronizationContext: false));
            var connection = new InMemoryConnection(pipe.Reader);
            if (!headerArrivesLater)
            {
                await pipe.Writer.WriteAsync(input);
            }

            // The pipe's buffer is the transport's business, not the middleware's: get it before measuring.
            Memory<byte> buffer = pipe.Writer.GetMemory(input.Length);

            long before = GC.GetAllocatedBytesForCurrentThread();
            Task running = app(connection);
            if (headerArrivesLater)
            {
                Assert.False(running.IsCompleted);
                input.CopyTo(buffer);
                pipe.Writer.Advance(input.Length);
                _ = pipe.Writer.FlushAsync();
            }

            Assert.True(running.IsCompletedSuccessfully);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.NotNull(connection.Features.Get<IProxyProtocolFeature>());
            if (i >= Warmup)
            {
                total += allocated;
            }
        }

        return total / Measured;
    }

    [Fact]
    public async Task Per_connection_allocation_is_the_endpoints_the_feature_and_the_tlv_copy()
    {
        ConnectionDelegate app = InMemoryConnection.BuildPipeline(listenOptions => listenOptions.UseProxyProtocol());

        long bufferedV1 = await MeasureAsync(app, s_v1, headerArrivesLater: false);
        long laterV1 = await MeasureAsync(app, s_v1, headerArrivesLater: true);
        long laterV2 = await MeasureAsync(app, s_v2WithTlvs, headerArrivesLater: true);

        output.WriteLine($"optimized build: {IsOptimized}");
        output.WriteLine($"v1 IPv4, header already buffered: {bufferedV1} B/connection");
        output.WriteLine($"v1 IPv4, header arrives after the read starts: {laterV1} B/connection");
        output.WriteLine($"v2 IPv6 + 2 TLVs, header arrives later: {laterV2} B/connection");

        // Budget for an optimized build: endpoints (2 IPEndPoint + 2 IPAddress), the feature, the feature
        // collection entry, one small async state machine and the TLV copy; no per-connection timer or CTS.
        long budget = IsOptimized ? 1024 : 4096;
        Assert.InRange(bufferedV1, 1, budget);
        Assert.InRange(laterV1, bufferedV1, budget);
        Assert.InRange(laterV2, laterV1, budget + 256);
    }
}
