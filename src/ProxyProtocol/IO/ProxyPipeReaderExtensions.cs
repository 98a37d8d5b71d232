using System;
using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using ProxyProtocol.Internal;

namespace ProxyProtocol;

/// <summary>
/// Reads a PROXY header from the start of a <see cref="PipeReader"/>, consuming exactly the header's bytes
/// and leaving everything after it in the pipe for the application.
/// </summary>
/// <remarks>
/// <para>
/// The reader must be positioned at the first byte of the connection. While the bytes so far are only the
/// beginning of a header, nothing is consumed and the whole buffer is marked examined, so the next read
/// waits for new bytes instead of spinning; a header split over any number of reads is assembled that way.
/// </para>
/// <para>
/// Cancellation through the token, or <see cref="PipeReader.CancelPendingRead"/>, throws
/// <see cref="OperationCanceledException"/> and leaves the pipe as it was.
/// </para>
/// </remarks>
public static class ProxyPipeReaderExtensions
{
    /// <summary>Reads a required v1 or v2 header with the default parser options.</summary>
    /// <param name="reader">The connection's input, at its first byte.</param>
    /// <param name="cancellationToken">Cancels the wait for more bytes.</param>
    /// <returns>The header, with its own copy of the TLV bytes.</returns>
    /// <exception cref="ProxyProtocolException">The bytes are not a valid header (DET-03), or the pipe completed
    /// before the header did (<see cref="ProxyHeaderError.IncompleteHeader"/>).</exception>
    /// <exception cref="OperationCanceledException">The read was cancelled.</exception>
    public static ValueTask<ReceivedProxyHeader> ReadProxyHeaderAsync(this PipeReader reader, CancellationToken cancellationToken = default) =>
        ReadProxyHeaderAsync(reader, ProxyParserOptions.Default, cancellationToken);

    /// <summary>Reads a required v1 or v2 header.</summary>
    /// <param name="reader">The connection's input, at its first byte.</param>
    /// <param name="options">Limits and leniencies of the parser.</param>
    /// <param name="cancellationToken">Cancels the wait for more bytes.</param>
    /// <returns>The header, with its own copy of the TLV bytes.</returns>
    /// <exception cref="ProxyProtocolException">The bytes are not a valid header (DET-03), or the pipe completed
    /// before the header did (<see cref="ProxyHeaderError.IncompleteHeader"/>).</exception>
    /// <exception cref="OperationCanceledException">The read was cancelled.</exception>
    public static ValueTask<ReceivedProxyHeader> ReadProxyHeaderAsync(this PipeReader reader, ProxyParserOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);

        // The header usually came with the connection's first bytes: read it without running an async method.
        if (!cancellationToken.IsCancellationRequested && reader.TryRead(out ReadResult result))
        {
            try
            {
                if (TryParse(reader, result, options, out ReceivedProxyHeader header))
                {
                    return new ValueTask<ReceivedProxyHeader>(header);
                }
            }
            catch (Exception ex) when (ex is ProxyProtocolException or OperationCanceledException)
            {
                return ValueTask.FromException<ReceivedProxyHeader>(ex);
            }
        }

        return ReadRequiredAsync(reader, options, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<ReceivedProxyHeader> ReadRequiredAsync(PipeReader reader, ProxyParserOptions options, CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadResult result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (TryParse(reader, result, options, out ReceivedProxyHeader header))
            {
                return header;
            }
        }
    }

    /// <summary>
    /// Reads a header when the connection starts with one, for an explicitly optional mode: the first bytes
    /// decide (<see cref="ProxyHeaderParser.DetectVersion(in ReadOnlySequence{byte}, out ProxyVersion)"/>), never
    /// a guess made after application data.
    /// </summary>
    /// <remarks>
    /// When the first bytes cannot start a header (or the pipe completes before they could), nothing is consumed
    /// and <see langword="null"/> is returned: the application reads the connection from its first byte. Once the
    /// first bytes match a v1 or v2 signature, the header is required to be complete and valid. A receiver
    /// configured for PROXY must not guess (DET-04): use this only where mixed traffic is an explicit choice.
    /// </remarks>
    /// <param name="reader">The connection's input, at its first byte.</param>
    /// <param name="options">Limits and leniencies of the parser.</param>
    /// <param name="cancellationToken">Cancels the wait for more bytes.</param>
    /// <returns>The header, or <see langword="null"/> when the connection does not start with one.</returns>
    /// <exception cref="ProxyProtocolException">The connection starts like a header but it is invalid or incomplete.</exception>
    /// <exception cref="OperationCanceledException">The read was cancelled.</exception>
    public static ValueTask<ReceivedProxyHeader?> ReadOptionalProxyHeaderAsync(this PipeReader reader, ProxyParserOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);

        // As in ReadProxyHeaderAsync: the first bytes usually decide at once, without an async method.
        if (!cancellationToken.IsCancellationRequested && reader.TryRead(out ReadResult result))
        {
            try
            {
                switch (TryDetect(reader, result))
                {
                    case OperationStatus.InvalidData:
                        return new ValueTask<ReceivedProxyHeader?>((ReceivedProxyHeader?)null);
                    case OperationStatus.Done when TryParse(reader, result, options, out ReceivedProxyHeader header):
                        return new ValueTask<ReceivedProxyHeader?>(header);
                    case OperationStatus.Done:
                        return ReadOptionalAsync(reader, options, detected: true, cancellationToken);
                    case OperationStatus.NeedMoreData:
                        break; // too few bytes to tell, all examined: the wait below decides
                }
            }
            catch (Exception ex) when (ex is ProxyProtocolException or OperationCanceledException)
            {
                return ValueTask.FromException<ReceivedProxyHeader?>(ex);
            }
        }

        return ReadOptionalAsync(reader, options, detected: false, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<ReceivedProxyHeader?> ReadOptionalAsync(PipeReader reader, ProxyParserOptions options, bool detected, CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadResult result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (!detected)
            {
                OperationStatus detection = TryDetect(reader, result);
                if (detection == OperationStatus.InvalidData)
                {
                    return null;
                }

                if (detection == OperationStatus.NeedMoreData)
                {
                    continue;
                }

                detected = true;
            }

            if (TryParse(reader, result, options, out ReceivedProxyHeader header))
            {
                return header;
            }
        }
    }

    /// <summary>
    /// Whether the first bytes start a header: <see cref="OperationStatus.Done"/> when they do (nothing advanced yet),
    /// <see cref="OperationStatus.InvalidData"/> when they cannot (nothing consumed or examined, so the application's
    /// first read sees them at once), <see cref="OperationStatus.NeedMoreData"/> when too few came (all examined).
    /// </summary>
    private static OperationStatus TryDetect(PipeReader reader, in ReadResult result)
    {
        ReadOnlySequence<byte> buffer = result.Buffer;
        OperationStatus detection = ProxyHeaderParser.DetectVersion(buffer, out _);
        if (detection == OperationStatus.InvalidData || (detection == OperationStatus.NeedMoreData && result.IsCompleted))
        {
            reader.AdvanceTo(buffer.Start);
            return OperationStatus.InvalidData;
        }

        if (detection == OperationStatus.NeedMoreData)
        {
            WaitForMore(reader, result);
        }

        return detection;
    }

    /// <summary>
    /// Parses the buffer of one read and advances the reader: past the header when done, not at all when
    /// invalid, and "all examined" when more bytes are needed.
    /// </summary>
    private static bool TryParse(PipeReader reader, in ReadResult result, in ProxyParserOptions options, out ReceivedProxyHeader header)
    {
        ReadOnlySequence<byte> buffer = result.Buffer;
        if (!result.IsCompleted && HeaderLengthBound.IsIncompleteV2(buffer, options))
        {
            // A v2 header is parsed once whole: parsing (and, across segments, copying) every prefix again is
            // quadratic for a header that trickles in. At the end of the pipe the prefix is parsed as before.
            WaitForMore(reader, result);
            header = default;
            return false;
        }

        OperationStatus status = ProxyHeaderParser.Parse(buffer, options, out ProxyHeader parsed, out int consumed, out ProxyHeaderError error);
        switch (status)
        {
            case OperationStatus.Done:
                header = Own(parsed, buffer);
                reader.AdvanceTo(buffer.GetPosition(consumed));
                return true;

            case OperationStatus.InvalidData:
                reader.AdvanceTo(buffer.Start);
                throw new ProxyProtocolException(error);

            default:
                if (result.IsCompleted)
                {
                    reader.AdvanceTo(buffer.Start, buffer.End);
                    throw new ProxyProtocolException(ProxyHeaderError.IncompleteHeader);
                }

                WaitForMore(reader, result);
                header = default;
                return false;
        }
    }

    private static void WaitForMore(PipeReader reader, in ReadResult result)
    {
        // Consumed nothing, examined everything: the next ReadAsync completes only when new bytes arrive.
        reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        if (result.IsCanceled)
        {
            throw new OperationCanceledException("The read of the PROXY header was cancelled.");
        }
    }

    /// <summary>Copies what the header still needs (TLVs, Unix paths) once, from the first segment when it holds the whole header.</summary>
    private static ReceivedProxyHeader Own(in ProxyHeader header, in ReadOnlySequence<byte> buffer) =>
        ReceivedProxyHeader.Create(header, buffer);
}
