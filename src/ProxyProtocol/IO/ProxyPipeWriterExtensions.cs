using System;
using System.Buffers;
using System.IO.Pipelines;
using System.Threading;
using System.Threading.Tasks;
using ProxyProtocol.Internal;

namespace ProxyProtocol;

/// <summary>Writes PROXY headers into a <see cref="PipeWriter"/>, for outbound connections built on pipelines.</summary>
/// <remarks>
/// The header is written into one contiguous span with a single <see cref="PipeWriter.Advance"/> and then
/// flushed, so the transport sends it in one write before any payload (TX-01). Reading a header from a
/// <see cref="PipeReader"/> is the job of the PipeReader adapter, not of this class.
/// </remarks>
public static class ProxyPipeWriterExtensions
{
    /// <summary>Writes <paramref name="header"/> as a v1 or v2 PROXY header and flushes it.</summary>
    /// <param name="writer">The outbound connection's writer, before any payload.</param>
    /// <param name="header">The connection to describe, from the <see cref="ProxyHeader"/> factories.</param>
    /// <param name="version">The header version; v2 by default. v1 writes <c>PROXY UNKNOWN</c> for what it cannot express (TX-04).</param>
    /// <param name="cancellationToken">Cancels the flush.</param>
    /// <returns>The flush result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="writer"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="version"/> is not V1 or V2.</exception>
    public static ValueTask<FlushResult> WriteProxyHeaderAsync(this PipeWriter writer, in ProxyHeader header, ProxyVersion version = ProxyVersion.V2, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writer);
        OutboundHeader.ThrowIfInvalid(version);
        if (version == ProxyVersion.V1)
        {
            ProxyHeaderWriter.WriteV1(header, writer);
        }
        else
        {
            ProxyHeaderWriter.WriteV2(header, writer);
        }

        return writer.FlushAsync(cancellationToken);
    }

    /// <summary>Writes <paramref name="header"/> as a v2 PROXY header followed by already encoded TLVs, and flushes it.</summary>
    /// <param name="writer">The outbound connection's writer, before any payload.</param>
    /// <param name="header">The connection to describe.</param>
    /// <param name="tlvs">Encoded TLVs; a CRC32C TLV among them gets its value computed.</param>
    /// <param name="cancellationToken">Cancels the flush.</param>
    /// <returns>The flush result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="writer"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="tlvs"/> is not a run of whole TLVs, or the header would exceed 65551 bytes.</exception>
    public static ValueTask<FlushResult> WriteProxyHeaderAsync(this PipeWriter writer, in ProxyHeader header, ReadOnlySpan<byte> tlvs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ProxyHeaderWriter.WriteV2(header, writer, tlvs);
        return writer.FlushAsync(cancellationToken);
    }

    /// <summary>Writes <paramref name="header"/> as a v2 PROXY header with the TLVs that <paramref name="writeTlvs"/> adds, and flushes it.</summary>
    /// <typeparam name="TState">The type of <paramref name="state"/>.</typeparam>
    /// <param name="writer">The outbound connection's writer, before any payload.</param>
    /// <param name="header">The connection to describe.</param>
    /// <param name="writeTlvs">Adds the TLVs; called a second time with more room if the first buffer was too small.</param>
    /// <param name="state">Passed to <paramref name="writeTlvs"/>.</param>
    /// <param name="cancellationToken">Cancels the flush.</param>
    /// <returns>The flush result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="writer"/> or <paramref name="writeTlvs"/> is <see langword="null"/>.</exception>
    public static ValueTask<FlushResult> WriteProxyHeaderAsync<TState>(this PipeWriter writer, in ProxyHeader header, ProxyTlvWriter<TState> writeTlvs, TState state, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(writeTlvs);
        int sizeHint = 512;
        for (int attempt = 0; attempt < 2; attempt++)
        {
            var builder = new ProxyV2HeaderBuilder(writer.GetSpan(sizeHint), header);
            writeTlvs(ref builder, state);
            if (builder.Complete(out int written) == OperationStatus.Done)
            {
                writer.Advance(written);
                return writer.FlushAsync(cancellationToken);
            }

            sizeHint = builder.Length; // nothing was advanced; ask the pipe for the size the TLVs need
        }

        throw new InvalidOperationException("The TLV writer added more on its second call than on its first; it must add the same TLVs each time.");
    }
}
