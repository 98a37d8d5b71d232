using System;
using System.Net;

namespace ProxyProtocol;

/// <summary>
/// One UDP datagram received by <see cref="ProxySocketExtensions.ReceiveProxyDatagramAsync"/>: who sent it
/// (the proxy), its PROXY header (the original client), and where its payload lies in the buffer.
/// </summary>
/// <remarks>
/// A bad header in one datagram does not stop the next: it is reported in <see cref="Error"/> rather than
/// thrown, so a receive loop can drop the datagram and go on.
/// </remarks>
public readonly struct ProxyDatagramReceiveResult
{
    /// <summary>Creates a result.</summary>
    /// <param name="receivedBytes">The datagram's length.</param>
    /// <param name="remoteEndPoint">The endpoint the datagram came from.</param>
    /// <param name="header">The parsed header, when <paramref name="error"/> is <see cref="ProxyHeaderError.None"/>.</param>
    /// <param name="payloadOffset">Where the payload starts in the buffer.</param>
    /// <param name="error">Why the header was rejected, or <see cref="ProxyHeaderError.None"/>.</param>
    public ProxyDatagramReceiveResult(int receivedBytes, EndPoint remoteEndPoint, in ProxyHeader header, int payloadOffset, ProxyHeaderError error)
    {
        ReceivedBytes = receivedBytes;
        RemoteEndPoint = remoteEndPoint;
        Header = header;
        PayloadOffset = payloadOffset;
        Error = error;
    }

    /// <summary>The datagram's length: header and payload.</summary>
    public int ReceivedBytes { get; }

    /// <summary>The endpoint the datagram came from: the proxy, not the client.</summary>
    public EndPoint RemoteEndPoint { get; }

    /// <summary>The parsed header; its TLV offsets are relative to the start of the receive buffer.</summary>
    /// <remarks>Like its TLVs, a Unix header's paths stay in the receive buffer: read them with
    /// <see cref="ProxyHeader.GetSourceEndPoint(ReadOnlySpan{byte})"/> and the other overloads that take it.</remarks>
    public ProxyHeader Header { get; }

    /// <summary>Where the payload starts in the receive buffer: the header's length.</summary>
    public int PayloadOffset { get; }

    /// <summary>The payload's length.</summary>
    public int PayloadLength => IsValid ? ReceivedBytes - PayloadOffset : 0;

    /// <summary>Why the header was rejected, or <see cref="ProxyHeaderError.None"/>.</summary>
    public ProxyHeaderError Error { get; }

    /// <summary>Whether the datagram started with a valid v2 header.</summary>
    public bool IsValid => Error == ProxyHeaderError.None;

    /// <summary>Returns the payload within the buffer the datagram was received into.</summary>
    /// <param name="buffer">The buffer passed to the receive call.</param>
    /// <returns>The payload; empty when the header was invalid.</returns>
    public ReadOnlyMemory<byte> GetPayload(ReadOnlyMemory<byte> buffer) => buffer.Slice(PayloadOffset, PayloadLength);

    /// <summary>Returns the header's TLVs within the buffer the datagram was received into.</summary>
    /// <param name="buffer">The buffer passed to the receive call.</param>
    /// <returns>The TLVs; empty when there are none or the header was invalid.</returns>
    public ProxyTlvs GetTlvs(ReadOnlySpan<byte> buffer) => Header.GetTlvs(buffer);
}
