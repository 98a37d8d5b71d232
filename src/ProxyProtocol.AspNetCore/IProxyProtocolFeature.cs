using System;
using System.Net;

namespace ProxyProtocol.AspNetCore;

/// <summary>
/// The PROXY header a connection started with: its addresses, every TLV, typed values of the well-known TLVs,
/// and the endpoints of the socket it arrived on.
/// </summary>
/// <remarks>
/// <para>
/// Set on the connection's features by <c>UseProxyProtocol()</c> when a header was accepted, PROXY or LOCAL;
/// absent when the optional mode found no header or an untrusted source's header was ignored. Read it with
/// <c>HttpContext.Features.Get&lt;IProxyProtocolFeature&gt;()</c> or <c>ConnectionContext.Features</c>.
/// </para>
/// <para>
/// The typed values are decoded on first use from the one copy of the TLV bytes, and cached.
/// </para>
/// </remarks>
public interface IProxyProtocolFeature
{
    /// <summary>The header with its owned TLV bytes.</summary>
    public ReceivedProxyHeader ReceivedHeader { get; }

    /// <summary>The parsed header: version, command, family, transport, addresses and ports.</summary>
    public ProxyHeader Header { get; }

    /// <summary>Every TLV of a v2 header, to enumerate or query; empty for v1.</summary>
    public ProxyTlvs Tlvs { get; }

    /// <summary>
    /// The client's endpoint from the header (an <see cref="IPEndPoint"/>, or a <see cref="System.Net.Sockets.UnixDomainSocketEndPoint"/>
    /// for the UNIX family); <see langword="null"/> for LOCAL and UNSPEC headers, which keep the socket's endpoints (SEM-01, SEM-03).
    /// </summary>
    public EndPoint? SourceEndPoint { get; }

    /// <summary>The endpoint the client connected to, from the header; <see langword="null"/> as for <see cref="SourceEndPoint"/>.</summary>
    /// <remarks>The balancer's own address is the same on most connections, so the middleware shares one
    /// endpoint object between connections to the same destination: read it, do not modify it.</remarks>
    public EndPoint? DestinationEndPoint { get; }

    /// <summary>The remote endpoint of the socket: the proxy's address.</summary>
    public EndPoint? TransportRemoteEndPoint { get; }

    /// <summary>The local endpoint of the socket.</summary>
    public EndPoint? TransportLocalEndPoint { get; }

    /// <summary>
    /// Whether the header says the client reached the proxy over TLS: the SSL TLV (0x20) with its client-SSL bit,
    /// or, without an SSL TLV, an ALPN TLV (0x01). Always <see langword="false"/> for LOCAL headers.
    /// </summary>
    /// <remarks>
    /// This is the header's own account. With <see cref="ProxyProtocolOptions.HttpsFromHeader"/> (the default) it
    /// also makes requests report <c>https</c>; <c>Request.Scheme</c> can differ from it in one case, an HTTP/2
    /// connection from a client that did not use TLS on a Kestrel that cannot select HTTP/2 otherwise (see
    /// docs/kestrel.md).
    /// </remarks>
    public bool ClientUsedTls { get; }

    /// <summary>The ALPN TLV (0x01), the protocol negotiated with the client, for example <c>h2</c>; <see langword="null"/> when absent.</summary>
    public string? Alpn { get; }

    /// <summary>The AUTHORITY TLV (0x02), the host name the client asked for (TLS SNI); <see langword="null"/> when absent.</summary>
    public string? Authority { get; }

    /// <summary>The UNIQUE_ID TLV (0x05), an opaque id of up to 128 bytes; empty when absent.</summary>
    public ReadOnlyMemory<byte> UniqueId { get; }

    /// <summary>The NETNS TLV (0x30), the network namespace name; <see langword="null"/> when absent.</summary>
    public string? NetworkNamespace { get; }

    /// <summary>The SSL TLV (0x20): how the client's TLS connection to the proxy went; <see langword="null"/> when absent.</summary>
    public ProxySslInfo? Ssl { get; }

    /// <summary>The AWS VPC endpoint id (0xEA, subtype 0x01), for example <c>vpce-08d2bf15fac5001c9</c>; <see langword="null"/> when absent.</summary>
    public string? AwsVpcEndpointId { get; }

    /// <summary>The Azure Private Link LINKID (0xEE, subtype 0x01); <see langword="null"/> when absent.</summary>
    public uint? AzureLinkId { get; }

    /// <summary>The Google Cloud Private Service Connect connection id (0xE0); <see langword="null"/> when absent.</summary>
    public ulong? GcpPscConnectionId { get; }
}
