using System;
using System.Net;
using System.Threading;

namespace ProxyProtocol;

/// <summary>What happened to one connection a <see cref="ProxyTcpForwarder"/> forwarded.</summary>
public sealed class ProxyForwardedConnection
{
    internal ProxyForwardedConnection(EndPoint? transportRemoteEndPoint) => TransportRemoteEndPoint = transportRemoteEndPoint;

    /// <summary>The accepted socket's peer: the client, or the balancer when a header was accepted.</summary>
    public EndPoint? TransportRemoteEndPoint { get; }

    /// <summary>The header sent to the backend, once sent; its source is the client.</summary>
    public ProxyHeader? SentHeader { get; internal set; }

    private long _bytesToBackend;
    private long _bytesToClient;

    /// <summary>Bytes relayed from the client to the backend, header excluded.</summary>
    public long BytesToBackend => Interlocked.Read(ref _bytesToBackend);

    /// <summary>Bytes relayed from the backend to the client.</summary>
    public long BytesToClient => Interlocked.Read(ref _bytesToClient);

    /// <summary>
    /// Why the connection ended early, or <see langword="null"/> when both sides closed normally:
    /// <see cref="ProxyProtocolException"/> for a bad header, <see cref="TimeoutException"/> for a header, connect or
    /// idle timeout, <see cref="UnauthorizedAccessException"/> for a header from an untrusted address,
    /// <see cref="System.Net.Sockets.SocketException"/> or <see cref="System.IO.IOException"/> for network failures,
    /// <see cref="OperationCanceledException"/> when the forwarder stopped.
    /// </summary>
    public Exception? Error { get; internal set; }

    /// <summary>How long the connection lasted, from accept to close.</summary>
    public TimeSpan Duration { get; internal set; }

    internal void AddRelayed(bool toBackend, long count) => Interlocked.Add(ref toBackend ? ref _bytesToBackend : ref _bytesToClient, count);
}
