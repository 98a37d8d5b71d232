using System;
using System.Buffers;
using System.Threading;
using System.Threading.Tasks;

namespace ProxyProtocol.Tool;

/// <summary>Reads from a stream or socket until the bytes so far are a whole header, an invalid one, or the input ends.</summary>
/// <remarks>
/// The parser is incremental, so nothing past the point where it decides is waited for: a pipe that
/// stays open after the header does not hang <c>decode</c>. Bytes read past the header stay in the
/// buffer for callers that want them (<c>listen</c> shows them).
/// </remarks>
internal static class HeaderReader
{
    /// <summary>Reads a header.</summary>
    /// <param name="read">Reads into the given memory; returns 0 at the end of the input.</param>
    /// <param name="options">The parser options.</param>
    /// <param name="extraCapacity">Room to leave in the buffer for bytes after the header.</param>
    /// <param name="timeout">How long the whole header may take (RX-04), or <see cref="Timeout.InfiniteTimeSpan"/>.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    public static async Task<HeaderReadResult> ReadAsync(
        Func<Memory<byte>, CancellationToken, ValueTask<int>> read,
        ProxyParserOptions options,
        int extraCapacity,
        TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        // The parser decides within MaxHeaderLength bytes for v2 and 107 for v1 (V1-09), so this never fills up undecided.
        byte[] buffer = new byte[Math.Max(options.MaxHeaderLength, ProxyHeaderWriter.MaxV1Length) + extraCapacity];
        int count = 0;
        using CancellationTokenSource deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            while (true)
            {
                int received = count < buffer.Length ? await read(buffer.AsMemory(count), deadline.Token).ConfigureAwait(false) : 0;
                count += received;
                HeaderReadResult result = Parse(buffer, count, options, endOfInput: received == 0);
                if (result.Status != OperationStatus.NeedMoreData)
                {
                    return result;
                }
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new HeaderReadResult(OperationStatus.InvalidData, default, ProxyHeaderError.None, buffer, count, 0) { TimedOut = true };
        }
    }

    /// <summary>Parses a complete input: bytes that will not grow, such as <c>--hex</c>.</summary>
    public static HeaderReadResult ParseComplete(byte[] input, ProxyParserOptions options) =>
        Parse(input, input.Length, options, endOfInput: true);

    private static HeaderReadResult Parse(byte[] buffer, int count, ProxyParserOptions options, bool endOfInput)
    {
        OperationStatus status = ProxyHeaderParser.Parse(buffer.AsSpan(0, count), options, out ProxyHeader header, out int consumed, out ProxyHeaderError error);
        if (status == OperationStatus.NeedMoreData && endOfInput)
        {
            // V2-09: a connection or file that ends with a partial header is rejected.
            status = OperationStatus.InvalidData;
            error = ProxyHeaderError.IncompleteHeader;
        }

        return new HeaderReadResult(status, header, error, buffer, count, consumed);
    }
}

/// <summary>The outcome of <see cref="HeaderReader"/>.</summary>
/// <param name="Status"><see cref="OperationStatus.Done"/> or <see cref="OperationStatus.InvalidData"/> (never NeedMoreData once returned).</param>
/// <param name="Header">The header when Done.</param>
/// <param name="Error">The reason when InvalidData.</param>
/// <param name="Buffer">The bytes read, from the first byte of the input; the header's TLVs point into it.</param>
/// <param name="Count">How many bytes of <paramref name="Buffer"/> were read.</param>
/// <param name="HeaderLength">The header's length when Done.</param>
internal sealed record HeaderReadResult(OperationStatus Status, ProxyHeader Header, ProxyHeaderError Error, byte[] Buffer, int Count, int HeaderLength)
{
    public bool IsDone => Status == OperationStatus.Done;

    /// <summary>Whether the timeout passed before the header was complete (then <see cref="Error"/> is None).</summary>
    public bool TimedOut { get; init; }

    /// <summary>The header's own bytes.</summary>
    public ReadOnlySpan<byte> HeaderBytes => Buffer.AsSpan(0, HeaderLength);
}
