using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net;
using System.Reflection;
using System.Runtime.CompilerServices;
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
        long bufferedV2 = await MeasureAsync(app, s_v2WithTlvs, headerArrivesLater: false);
        long laterV2 = await MeasureAsync(app, s_v2WithTlvs, headerArrivesLater: true);

        output.WriteLine($"optimized build: {IsOptimized}; ReceivedProxyHeader is {Unsafe.SizeOf<ReceivedProxyHeader>()} B");
        output.WriteLine($"v1 IPv4, header already buffered: {bufferedV1} B/connection");
        output.WriteLine($"v1 IPv4, header arrives after the read starts: {laterV1} B/connection");
        output.WriteLine($"v2 IPv6 + 2 TLVs, header already buffered: {bufferedV2} B/connection");
        output.WriteLine($"v2 IPv6 + 2 TLVs, header arrives later: {laterV2} B/connection");

        if (!IsOptimized)
        {
            Assert.InRange(bufferedV1, 1, 4096);
            Assert.InRange(laterV2, laterV1, 4096 + 256);
            return;
        }

        // What an optimized build allocates, piece by piece (64-bit): nothing else is allowed. The client's endpoint,
        // which Kestrel's HTTP layer reads as soon as the connection reaches it (IPEndPoint 32 B and IPAddress 40 B,
        // plus a 40 B ushort[8] for IPv6); the destination, the balancer's own address, is shared after the first
        // connection (DestinationEndPointCache); the feature (object header, five references and the 80-byte
        // ReceivedProxyHeader inline); the one copy of the TLV bytes; and, only when the header has to be awaited,
        // the state machine that waits for it and then for the rest of the pipeline. No timer, token source or
        // close-token registration: those are pooled, or armed only after a wait of 100 ms.
        const long EndPointV4 = 32 + 40;
        const long EndPointV6 = 32 + 40 + 40;
        const long AwaitingStateMachine = 152;
        long feature = RoundUp(16 + (5 * 8) + Unsafe.SizeOf<ReceivedProxyHeader>());
        long tlvCopy = RoundUp(24 + TlvLength(s_v2WithTlvs));

        Assert.InRange(bufferedV1, 1, EndPointV4 + feature);
        Assert.InRange(laterV1, bufferedV1, bufferedV1 + AwaitingStateMachine);
        Assert.InRange(bufferedV2, bufferedV1, EndPointV6 + feature + tlvCopy);
        Assert.InRange(laterV2, bufferedV2, bufferedV2 + AwaitingStateMachine);

        // The budgets: 320 B for a buffered v1 header, 480 B for v2 with TLVs, also when it is awaited.
        Assert.InRange(bufferedV1, 1, 320);
        Assert.InRange(bufferedV2, 1, 480);
        Assert.InRange(laterV2, 1, 480);
    }

    private static long RoundUp(long size) => (size + 7) & ~7L;

    private static int TlvLength(byte[] input)
    {
        ProxyHeaderParser.Parse(input, out ProxyHeader header, out _, out _);
        return header.TlvLength;
    }
}
