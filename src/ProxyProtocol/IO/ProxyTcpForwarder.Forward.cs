using System;
using System.Buffers;
using System.Diagnostics;
using System.IO;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;

namespace ProxyProtocol;

public sealed partial class ProxyTcpForwarder
{
    /// <summary>
    /// Forwards one accepted connection: reads the balancer's header if configured, connects to the backend,
    /// sends the client's header, relays both ways until both sides are done, and closes both sockets.
    /// </summary>
    /// <param name="client">The accepted connection; this method owns and disposes it.</param>
    /// <param name="options">Where to forward and how.</param>
    /// <param name="cancellationToken">Closes both sides when canceled.</param>
    /// <returns>What happened; failures are in <see cref="ProxyForwardedConnection.Error"/>, never thrown.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="client"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
    public static async Task<ProxyForwardedConnection> ForwardAsync(Socket client, ProxyTcpForwarderOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        long started = Stopwatch.GetTimestamp();
        var result = new ProxyForwardedConnection(client.RemoteEndPoint);
        using (client)
        {
            try
            {
                client.NoDelay = true;
                (ProxyHeader header, byte[]? tlvs) = await GetClientHeaderAsync(client, options, cancellationToken).ConfigureAwait(false);
                using Socket backend = await ConnectAsync(options, cancellationToken).ConfigureAwait(false);
                if (options.Version == ProxyVersion.V2 && tlvs is not null)
                {
                    await backend.SendProxyHeaderAsync(header, tlvs, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await backend.SendProxyHeaderAsync(header, options.Version, cancellationToken).ConfigureAwait(false);
                }

                result.SentHeader = header;
                await RelayAsync(client, backend, options, result, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                result.Error = e;
            }
        }

        result.Duration = Stopwatch.GetElapsedTime(started);
        options.ConnectionCompleted?.Invoke(result);
        return result;
    }

    /// <summary>The header for the backend and, from an accepted v2 header, the TLVs to pass on.</summary>
    private static async ValueTask<(ProxyHeader Header, byte[]? Tlvs)> GetClientHeaderAsync(Socket client, ProxyTcpForwarderOptions options, CancellationToken cancellationToken)
    {
        if (!options.AcceptProxyHeader)
        {
            return (ProxyHeader.Create(Unmap(client.RemoteEndPoint), Unmap(client.LocalEndPoint)), null);
        }

        if (options.TrustedProxies.Count > 0 && !IsTrusted(client.RemoteEndPoint, options))
        {
            throw new UnauthorizedAccessException($"{client.RemoteEndPoint} is not a trusted proxy; its header was not read.");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.HeaderTimeout);
        ReceivedProxyHeader received;
        try
        {
            received = await client.ReceiveProxyHeaderAsync(options.ParserOptions, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"No complete PROXY header within {options.HeaderTimeout.TotalSeconds} s.");
        }

        // The balancer's LOCAL connections (health checks) stay LOCAL: they are its own, not a client's.
        return (received.Header, CopyTlvsExceptCrc(received.Tlvs));
    }

    private static byte[]? CopyTlvsExceptCrc(ProxyTlvs tlvs)
    {
        if (tlvs.IsEmpty)
        {
            return null;
        }

        var copy = new ArrayBufferWriter<byte>(tlvs.Bytes.Length);
        foreach (ProxyTlv tlv in tlvs)
        {
            if (tlv.Type is ProxyTlvType.Crc32c or ProxyTlvType.Noop)
            {
                continue;
            }

            Span<byte> target = copy.GetSpan(3 + tlv.Value.Length);
            target[0] = (byte)tlv.Type;
            target[1] = (byte)(tlv.Value.Length >> 8);
            target[2] = (byte)tlv.Value.Length;
            tlv.Value.CopyTo(target.Slice(3));
            copy.Advance(3 + tlv.Value.Length);
        }

        return copy.WrittenCount == 0 ? null : copy.WrittenSpan.ToArray();
    }

    private static bool IsTrusted(EndPoint? remote, ProxyTcpForwarderOptions options)
    {
        if (remote is not IPEndPoint ip)
        {
            return false;
        }

        IPAddress address = ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address;
        foreach (IPNetwork network in options.TrustedProxies)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A dual-mode listener reports IPv4 clients as <c>::ffff:a.b.c.d</c>; the header names them as IPv4.</summary>
    private static EndPoint? Unmap(EndPoint? endPoint) =>
        endPoint is IPEndPoint { Address.IsIPv4MappedToIPv6: true } ip ? new IPEndPoint(ip.Address.MapToIPv4(), ip.Port) : endPoint;

    private static async Task<Socket> ConnectAsync(ProxyTcpForwarderOptions options, CancellationToken cancellationToken)
    {
        // Dual-mode: a DnsEndPoint may resolve to IPv4 or IPv6. NoDelay: the header must not wait for an ACK.
        var backend = options.Backend is IPEndPoint { AddressFamily: AddressFamily.InterNetwork }
            ? new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
            : new Socket(SocketType.Stream, ProtocolType.Tcp);
        backend.NoDelay = true;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ConnectTimeout);
        try
        {
            await backend.ConnectAsync(options.Backend, timeout.Token).ConfigureAwait(false);
            return backend;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            backend.Dispose();
            throw new TimeoutException($"Could not connect to {options.Backend} within {options.ConnectTimeout.TotalSeconds} s.");
        }
        catch
        {
            backend.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Relays both directions until both have ended. A direction ends when its source finishes sending: the
    /// other side is then half-closed (FIN), and the opposite direction goes on. Any error, cancellation or the
    /// idle timeout ends both at once.
    /// </summary>
    private static async Task RelayAsync(Socket client, Socket backend, ProxyTcpForwarderOptions options, ProxyForwardedConnection result, CancellationToken cancellationToken)
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var watch = new IdleWatch(idle, options.IdleTimeout);
        watch.Touch();
        Task up = CopyAsync(client, backend, options.BufferSize, watch, result, toBackend: true, idle.Token);
        Task down = CopyAsync(backend, client, options.BufferSize, watch, result, toBackend: false, idle.Token);

        Task first = await Task.WhenAny(up, down).ConfigureAwait(false);
        if (!first.IsCompletedSuccessfully)
        {
            // One side failed: nothing more can be relayed faithfully, so the other direction stops too.
            await idle.CancelAsync().ConfigureAwait(false);
        }

        try
        {
            await Task.WhenAll(up, down).ConfigureAwait(false);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Report the cause, not the cancellation it caused in the other direction.
            Exception? cause = GetFailure(first) ?? GetFailure(first == up ? down : up);
            if (cause is not null)
            {
                ExceptionDispatchInfo.Throw(cause);
            }

            throw new TimeoutException($"No data in either direction for {options.IdleTimeout.TotalSeconds} s.");
        }
    }

    private static Exception? GetFailure(Task task) => task.IsFaulted && task.Exception!.InnerException is not OperationCanceledException ? task.Exception.InnerException : null;

    private static async Task CopyAsync(Socket source, Socket destination, int bufferSize, IdleWatch watch, ProxyForwardedConnection result, bool toBackend, CancellationToken cancellationToken)
    {
        // One read at a time, of at most bufferSize bytes, consumed whole before the next: the bound on memory
        // and the backpressure both come from awaiting the send before reading again.
        PipeReader reader = PipeReader.Create(
            new NetworkStream(source, ownsSocket: false),
            new StreamPipeReaderOptions(bufferSize: bufferSize, minimumReadSize: Math.Min(bufferSize, 4096), leaveOpen: true));
        try
        {
            while (true)
            {
                ReadResult read = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = read.Buffer;
                foreach (ReadOnlyMemory<byte> segment in buffer)
                {
                    for (ReadOnlyMemory<byte> rest = segment; !rest.IsEmpty;)
                    {
                        rest = rest.Slice(await destination.SendAsync(rest, SocketFlags.None, cancellationToken).ConfigureAwait(false));
                    }
                }

                result.AddRelayed(toBackend, buffer.Length);
                reader.AdvanceTo(buffer.End);
                if (!buffer.IsEmpty)
                {
                    watch.Touch();
                }

                if (read.IsCompleted)
                {
                    break;
                }
            }

            // The source finished sending: pass its FIN on, and keep relaying the other way.
            destination.Shutdown(SocketShutdown.Send);
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Cancels the relay when neither direction moved a byte for the idle timeout.</summary>
    private sealed class IdleWatch(CancellationTokenSource source, TimeSpan timeout)
    {
        public void Touch()
        {
            if (timeout != Timeout.InfiniteTimeSpan)
            {
                try
                {
                    source.CancelAfter(timeout); // re-arms the timer
                }
                catch (ObjectDisposedException)
                {
                    // The relay already ended.
                }
            }
        }
    }
}
