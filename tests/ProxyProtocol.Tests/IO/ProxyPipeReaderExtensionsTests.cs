using System;
using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net;
using System.Reflection;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace ProxyProtocol.Tests.IO;

public class ProxyPipeReaderExtensionsTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);

    private static readonly byte[] s_v1 = Encoding.ASCII.GetBytes("PROXY TCP4 192.0.2.1 198.51.100.2 56324 443\r\n");
    private static readonly byte[] s_request = Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n");

    private static byte[] V2WithTlvs()
    {
        var header = ProxyHeader.CreateProxy(new IPEndPoint(IPAddress.Parse("2001:db8::7"), 4242), new IPEndPoint(IPAddress.Parse("2001:db8::1"), 443));
        byte[] buffer = new byte[512];
        var builder = new ProxyV2HeaderBuilder(buffer, header);
        builder.AddAlpn("h2"u8);
        builder.AddAuthority("example.com");
        builder.AddCrc32c();
        Assert.Equal(OperationStatus.Done, builder.Complete(out int written));
        return buffer.AsSpan(0, written).ToArray();
    }

    private static byte[] Concat(params byte[][] parts)
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

    private static async Task<byte[]> ReadRestAsync(PipeReader reader)
    {
        using var cts = new CancellationTokenSource(s_timeout);
        while (true)
        {
            ReadResult result = await reader.ReadAsync(cts.Token);
            if (result.IsCompleted)
            {
                byte[] rest = result.Buffer.ToArray();
                reader.AdvanceTo(result.Buffer.End);
                return rest;
            }

            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }

    /// <summary>Splits the input into one segment per byte, the worst shape a sequence can have.</summary>
    private static ReadOnlySequence<byte> OneBytePerSegment(byte[] data)
    {
        var first = new Segment(data.AsMemory(0, 1), 0);
        Segment last = first;
        for (int i = 1; i < data.Length; i++)
        {
            last = last.Append(data.AsMemory(i, 1));
        }

        return new ReadOnlySequence<byte>(first, 0, last, 1);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }

    /// <summary>Counts reads, to prove the adapter waits for new bytes instead of spinning on the same ones.</summary>
    private sealed class CountingReader(PipeReader inner) : PipeReader
    {
        public int Reads;

        public override void AdvanceTo(SequencePosition consumed) => inner.AdvanceTo(consumed);

        public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) => inner.AdvanceTo(consumed, examined);

        public override void CancelPendingRead() => inner.CancelPendingRead();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref Reads);
            return inner.ReadAsync(cancellationToken);
        }

        public override bool TryRead(out ReadResult result) => inner.TryRead(out result);
    }

    [Fact]
    public async Task V1_header_and_data_in_one_write_consumes_exactly_the_header()
    {
        // RX-02: read exactly the header; every byte after it reaches the application.
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Concat(s_v1, s_request));
        await pipe.Writer.CompleteAsync();

        ReceivedProxyHeader received = await pipe.Reader.ReadProxyHeaderAsync();

        Assert.Equal(ProxyVersion.V1, received.Header.Version);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 56324), received.Header.GetSourceEndPoint());
        Assert.Equal(new IPEndPoint(IPAddress.Parse("198.51.100.2"), 443), received.Header.GetDestinationEndPoint());
        Assert.True(received.TlvBytes.IsEmpty);
        Assert.Equal(s_request, await ReadRestAsync(pipe.Reader));
    }

    [Fact]
    public async Task V2_header_sent_one_byte_per_write_is_assembled_without_spinning()
    {
        // RX-03: fragmentation is tolerated; each partial read marks everything examined.
        byte[] header = V2WithTlvs();
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0));
        var reader = new CountingReader(pipe.Reader);

        ValueTask<ReceivedProxyHeader> pending = reader.ReadProxyHeaderAsync();
        for (int i = 0; i < header.Length; i++)
        {
            Assert.False(pending.IsCompleted);
            await pipe.Writer.WriteAsync(header.AsMemory(i, 1));
        }

        await pipe.Writer.WriteAsync(s_request);
        await pipe.Writer.CompleteAsync();
        ReceivedProxyHeader received = await pending.AsTask().WaitAsync(s_timeout);

        Assert.Equal(ProxyVersion.V2, received.Header.Version);
        Assert.Equal(header.Length, received.Header.Length);
        Assert.True(received.Tlvs.TryGetAlpn(out ReadOnlySpan<byte> alpn));
        Assert.Equal("h2"u8.ToArray(), alpn.ToArray());
        Assert.True(received.Tlvs.TryGetAuthority(out ReadOnlySpan<byte> authority));
        Assert.Equal("example.com", Encoding.UTF8.GetString(authority));
        // One read per write at most (the reader may see several bytes at once), plus the first.
        Assert.InRange(reader.Reads, 1, header.Length + 1);
        Assert.Equal(s_request, await ReadRestAsync(pipe.Reader));
    }

    [Fact]
    public async Task Header_over_many_segments_copies_its_tlvs_once_and_keeps_the_rest()
    {
        byte[] header = V2WithTlvs();
        PipeReader reader = PipeReader.Create(OneBytePerSegment(Concat(header, s_request)));

        ReceivedProxyHeader received = await reader.ReadProxyHeaderAsync();

        Assert.Equal(header.AsSpan(received.Header.TlvOffset, received.Header.TlvLength).ToArray(), received.TlvBytes.ToArray());
        Assert.True(received.Tlvs.TryGetCrc32c(out _));
        Assert.Equal(s_request, await ReadRestAsync(reader));
    }

    [Fact]
    public async Task Tlv_bytes_outlive_the_pipe_memory()
    {
        var pipe = new Pipe();
        byte[] header = V2WithTlvs();
        await pipe.Writer.WriteAsync(Concat(header, s_request));

        ReceivedProxyHeader received = await pipe.Reader.ReadProxyHeaderAsync();
        // Overwrite the pipe's memory by consuming and writing new data; the owned TLVs must not change.
        ReadResult rest = await pipe.Reader.ReadAsync();
        pipe.Reader.AdvanceTo(rest.Buffer.End);
        await pipe.Writer.WriteAsync(new byte[4096]);

        Assert.Equal(header.AsSpan(received.Header.TlvOffset, received.Header.TlvLength).ToArray(), received.TlvBytes.ToArray());
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\n\r\n", ProxyHeaderError.InvalidSignature)]
    [InlineData("PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n", ProxyHeaderError.InvalidProtocol)]
    [InlineData("PROXY TCP4 01.2.3.4 5.6.7.8 1 2\r\n", ProxyHeaderError.InvalidIPv4Address)]
    public async Task Invalid_input_throws_the_precise_error_and_consumes_nothing(string input, ProxyHeaderError expected)
    {
        // DET-03, V1-02, V1-04: bad bytes are rejected with a precise error; nothing is consumed.
        var pipe = new Pipe();
        byte[] bytes = Encoding.ASCII.GetBytes(input);
        await pipe.Writer.WriteAsync(bytes);

        ProxyProtocolException ex = await Assert.ThrowsAsync<ProxyProtocolException>(() => pipe.Reader.ReadProxyHeaderAsync().AsTask());

        Assert.Equal(expected, ex.Error);
        Assert.True(pipe.Reader.TryRead(out ReadResult result));
        Assert.Equal(bytes, result.Buffer.ToArray());
    }

    [Fact]
    public async Task Completed_pipe_mid_header_is_an_incomplete_header()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(s_v1.AsMemory(0, 20));
        await pipe.Writer.CompleteAsync();

        ProxyProtocolException ex = await Assert.ThrowsAsync<ProxyProtocolException>(() => pipe.Reader.ReadProxyHeaderAsync().AsTask());

        Assert.Equal(ProxyHeaderError.IncompleteHeader, ex.Error);
    }

    [Fact]
    public async Task Header_longer_than_the_option_is_rejected_when_its_length_is_read()
    {
        // V2-05 with the receiver's cap: only the 16-byte fixed part has arrived when the error is reported.
        byte[] header = V2WithTlvs();
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(header.AsMemory(0, 16));

        ProxyProtocolException ex = await Assert.ThrowsAsync<ProxyProtocolException>(
            () => pipe.Reader.ReadProxyHeaderAsync(new ProxyParserOptions { MaxHeaderLength = 16 }).AsTask());

        Assert.Equal(ProxyHeaderError.HeaderTooLong, ex.Error);
    }

    [Fact]
    public async Task Version_not_allowed_is_reported()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(s_v1);

        ProxyProtocolException ex = await Assert.ThrowsAsync<ProxyProtocolException>(
            () => pipe.Reader.ReadProxyHeaderAsync(new ProxyParserOptions { AllowedVersions = ProxyVersions.V2 }).AsTask());

        Assert.Equal(ProxyHeaderError.VersionNotAllowed, ex.Error);
    }

    [Fact]
    public async Task Token_cancels_the_wait_and_leaves_the_partial_header_in_the_pipe()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(s_v1.AsMemory(0, 10));
        using var cts = new CancellationTokenSource();

        ValueTask<ReceivedProxyHeader> pending = pipe.Reader.ReadProxyHeaderAsync(cts.Token);
        Assert.False(pending.IsCompleted);
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.AsTask().WaitAsync(s_timeout));
        await pipe.Writer.WriteAsync(s_v1.AsMemory(10, 1));
        ReadResult result = await pipe.Reader.ReadAsync().AsTask().WaitAsync(s_timeout);
        Assert.Equal(11, result.Buffer.Length);
    }

    [Fact]
    public async Task CancelPendingRead_cancels_the_wait()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(s_v1.AsMemory(0, 10));

        ValueTask<ReceivedProxyHeader> pending = pipe.Reader.ReadProxyHeaderAsync();
        Assert.False(pending.IsCompleted);
        pipe.Reader.CancelPendingRead();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.AsTask().WaitAsync(s_timeout));
    }

    [Fact]
    public async Task Buffered_header_with_a_cancelled_token_is_cancelled_and_left_in_the_pipe()
    {
        // The buffered header is read without an async method; a token cancelled before the call still wins.
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Concat(s_v1, s_request));
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pipe.Reader.ReadProxyHeaderAsync(cts.Token).AsTask());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pipe.Reader.ReadOptionalProxyHeaderAsync(default, cts.Token).AsTask());

        await pipe.Writer.CompleteAsync();
        Assert.Equal(Concat(s_v1, s_request), await ReadRestAsync(pipe.Reader));
    }

    [Fact]
    public async Task Invalid_buffered_header_faults_the_returned_task_instead_of_throwing()
    {
        // Errors found in buffered bytes are in the task, as for bytes that arrive later: callers that start
        // the read and await it elsewhere see them where they await.
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Encoding.ASCII.GetBytes("PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n"));

        ValueTask<ReceivedProxyHeader> required = pipe.Reader.ReadProxyHeaderAsync();
        Assert.True(required.IsFaulted);
        ValueTask<ReceivedProxyHeader?> optional = pipe.Reader.ReadOptionalProxyHeaderAsync(default);
        Assert.True(optional.IsFaulted);

        Assert.Equal(ProxyHeaderError.InvalidProtocol, (await Assert.ThrowsAsync<ProxyProtocolException>(() => required.AsTask())).Error);
        Assert.Equal(ProxyHeaderError.InvalidProtocol, (await Assert.ThrowsAsync<ProxyProtocolException>(() => optional.AsTask())).Error);
    }

    [Fact]
    public async Task Buffered_partial_header_is_completed_by_later_bytes()
    {
        // Required and optional: the buffered start decides nothing yet; the read waits and the rest completes it.
        foreach (bool optional in new[] { false, true })
        {
            var pipe = new Pipe();
            await pipe.Writer.WriteAsync(s_v1.AsMemory(0, 3));
            Task<ReceivedProxyHeader?> pending = optional
                ? pipe.Reader.ReadOptionalProxyHeaderAsync(default).AsTask()
                : ReadRequired(pipe.Reader);
            Assert.False(pending.IsCompleted);
            await pipe.Writer.WriteAsync(s_v1.AsMemory(3, 10));
            Assert.False(pending.IsCompleted);
            await pipe.Writer.WriteAsync(Concat(s_v1.AsSpan(13).ToArray(), s_request));
            await pipe.Writer.CompleteAsync();

            ReceivedProxyHeader? header = await pending.WaitAsync(s_timeout);
            Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 56324), header!.Value.Header.GetSourceEndPoint());
            Assert.Equal(s_request, await ReadRestAsync(pipe.Reader));
        }

        static async Task<ReceivedProxyHeader?> ReadRequired(PipeReader reader) => await reader.ReadProxyHeaderAsync();
    }

    [Fact]
    public async Task Optional_with_a_buffered_start_that_is_not_a_header_returns_null_once_it_differs()
    {
        // "PR" could still be "PROXY "; "PROP" cannot. Nothing is consumed either way.
        byte[] request = Encoding.ASCII.GetBytes("PROPFIND / HTTP/1.1\r\n\r\n");
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(request.AsMemory(0, 2));

        ValueTask<ReceivedProxyHeader?> pending = pipe.Reader.ReadOptionalProxyHeaderAsync(default);
        Assert.False(pending.IsCompleted);
        await pipe.Writer.WriteAsync(request.AsMemory(2));
        await pipe.Writer.CompleteAsync();

        Assert.Null(await pending.AsTask().WaitAsync(s_timeout));
        Assert.Equal(request, await ReadRestAsync(pipe.Reader));
    }

    [Fact]
    public async Task Optional_without_header_returns_null_and_consumes_nothing()
    {
        // DET-04: the first bytes decide; "PROPFIND" shares 3 bytes with "PROXY " and is still not a header.
        byte[] request = Encoding.ASCII.GetBytes("PROPFIND / HTTP/1.1\r\n\r\n");
        var pipe = new Pipe();
        var reader = new CountingReader(pipe.Reader);

        ValueTask<ReceivedProxyHeader?> pending = reader.ReadOptionalProxyHeaderAsync(default);
        await pipe.Writer.WriteAsync(request.AsMemory(0, 3));
        Assert.False(pending.IsCompleted);
        await pipe.Writer.WriteAsync(request.AsMemory(3));
        await pipe.Writer.CompleteAsync();

        Assert.Null(await pending.AsTask().WaitAsync(s_timeout));
        Assert.Equal(request, await ReadRestAsync(pipe.Reader));
    }

    [Fact]
    public async Task Optional_with_header_reads_it()
    {
        byte[] header = V2WithTlvs();
        var pipe = new Pipe();
        ValueTask<ReceivedProxyHeader?> pending = pipe.Reader.ReadOptionalProxyHeaderAsync(default);
        await pipe.Writer.WriteAsync(header.AsMemory(0, 5));
        await pipe.Writer.WriteAsync(Concat(header.AsSpan(5).ToArray(), s_request));
        await pipe.Writer.CompleteAsync();

        ReceivedProxyHeader? received = await pending.AsTask().WaitAsync(s_timeout);

        Assert.NotNull(received);
        Assert.Equal(4242, received.Value.Header.SourcePort);
        Assert.Equal(s_request, await ReadRestAsync(pipe.Reader));
    }

    [Fact]
    public async Task Optional_on_an_empty_completed_pipe_returns_null()
    {
        var pipe = new Pipe();
        await pipe.Writer.CompleteAsync();

        Assert.Null(await pipe.Reader.ReadOptionalProxyHeaderAsync(default));
    }

    [Fact]
    public async Task Optional_with_a_signature_and_a_bad_header_throws()
    {
        // DET-04, RX-06: the optional mode decides once, by the first bytes; once they match a signature the
        // header must be valid, with no fallback to treating the bytes as data (no sniffing past the signature).
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Encoding.ASCII.GetBytes("PROXY TCP4 1.2.3.4 nope\r\n"));

        ProxyProtocolException ex = await Assert.ThrowsAsync<ProxyProtocolException>(
            () => pipe.Reader.ReadOptionalProxyHeaderAsync(default).AsTask());

        Assert.Equal(ProxyHeaderError.InvalidIPv4Address, ex.Error); // V1-04: "nope" is not a dotted quad
    }

    [Fact]
    public async Task Optional_with_a_signature_cut_by_the_end_of_input_is_incomplete()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(s_v1.AsMemory(0, 12));
        await pipe.Writer.CompleteAsync();

        ProxyProtocolException ex = await Assert.ThrowsAsync<ProxyProtocolException>(
            () => pipe.Reader.ReadOptionalProxyHeaderAsync(default).AsTask());

        Assert.Equal(ProxyHeaderError.IncompleteHeader, ex.Error);
    }

    [Fact]
    public async Task Stacked_second_header_is_left_for_the_application()
    {
        // QUIRK-07: only the first header is consumed; the next one is data the application must reject.
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Concat(s_v1, s_v1));
        await pipe.Writer.CompleteAsync();

        await pipe.Reader.ReadProxyHeaderAsync();

        Assert.Equal(s_v1, await ReadRestAsync(pipe.Reader));
    }

    [Fact]
    public async Task Reading_a_buffered_header_allocates_only_the_tlv_copy()
    {
        byte[] v1Input = Concat(s_v1, s_request);
        byte[] v2 = V2WithTlvs();
        byte[] v2Input = Concat(v2, s_request);
        async Task<long> MeasureAsync(byte[] input)
        {
            // Buffered input completes synchronously, so the whole read runs on this thread.
            long total = 0;
            for (int i = 0; i < 100; i++)
            {
                var pipe = new Pipe();
                pipe.Writer.Write(input);
                await pipe.Writer.FlushAsync();
                long before = GC.GetAllocatedBytesForCurrentThread();
                ValueTask<ReceivedProxyHeader> read = pipe.Reader.ReadProxyHeaderAsync();
                Assert.True(read.IsCompletedSuccessfully);
                _ = read.Result;
                total = GC.GetAllocatedBytesForCurrentThread() - before;
                pipe.Reader.Complete();
                pipe.Writer.Complete();
            }

            return total;
        }

        long withoutTlvs = await MeasureAsync(v1Input);
        long withTlvs = await MeasureAsync(v2Input);
        ProxyHeaderParser.Parse(v2, out ProxyHeader parsed, out _, out _);

        // A Debug build compiles async state machines as classes; an optimized one keeps them on the stack.
        var debuggable = typeof(ProxyPipeReaderExtensions).Assembly.GetCustomAttribute<DebuggableAttribute>();
        if (debuggable is null || !debuggable.IsJITOptimizerDisabled)
        {
            Assert.Equal(0, withoutTlvs);
        }

        // One byte[] of the TLV region: a 24-byte array header plus the data, rounded up to 8.
        Assert.InRange(withTlvs - withoutTlvs, parsed.TlvLength, 24 + parsed.TlvLength + 8);
    }
}
