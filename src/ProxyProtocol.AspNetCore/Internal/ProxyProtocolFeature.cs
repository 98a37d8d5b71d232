using System;
using System.Net;
using System.Text;
using System.Threading;

namespace ProxyProtocol.AspNetCore.Internal;

/// <summary>
/// The connection's <see cref="IProxyProtocolFeature"/>. Typed values are decoded on first use and cached;
/// a race between two first uses only decodes twice.
/// </summary>
internal sealed class ProxyProtocolFeature : IProxyProtocolFeature
{
    private readonly ReceivedProxyHeader _header;
    private EndPoint? _source;
    private EndPoint? _destination;
    private string? _alpn;
    private string? _authority;
    private string? _networkNamespace;
    private string? _awsVpcEndpointId;
    private ProxySslInfo? _ssl;
    private int _decoded;

    public ProxyProtocolFeature(in ReceivedProxyHeader header, EndPoint? transportRemoteEndPoint, EndPoint? transportLocalEndPoint)
    {
        _header = header;
        TransportRemoteEndPoint = transportRemoteEndPoint;
        TransportLocalEndPoint = transportLocalEndPoint;
    }

    [Flags]
    private enum DecodedValues
    {
        None = 0,
        Source = 1 << 0,
        Destination = 1 << 1,
        Alpn = 1 << 2,
        Authority = 1 << 3,
        NetworkNamespace = 1 << 4,
        AwsVpcEndpointId = 1 << 5,
        Ssl = 1 << 6,
    }

    public ReceivedProxyHeader ReceivedHeader => _header;

    public ProxyHeader Header => _header.Header;

    public ProxyTlvs Tlvs => _header.Tlvs;

    public EndPoint? SourceEndPoint => Get(DecodedValues.Source, ref _source, static h => h.Header.GetSourceEndPoint());

    public EndPoint? DestinationEndPoint => Get(DecodedValues.Destination, ref _destination, static h => h.Header.GetDestinationEndPoint());

    public EndPoint? TransportRemoteEndPoint { get; }

    public EndPoint? TransportLocalEndPoint { get; }

    public string? Alpn => Get(DecodedValues.Alpn, ref _alpn, static h => h.Tlvs.TryGetAlpn(out ReadOnlySpan<byte> v) ? Encoding.UTF8.GetString(v) : null);

    public string? Authority => Get(DecodedValues.Authority, ref _authority, static h => h.Tlvs.TryGetAuthority(out ReadOnlySpan<byte> v) ? Encoding.UTF8.GetString(v) : null);

    public ReadOnlyMemory<byte> UniqueId
    {
        get
        {
            // A slice of the TLV copy: nothing to decode or allocate.
            ReadOnlySpan<byte> all = _header.TlvBytes.Span;
            return _header.Tlvs.TryGetUniqueId(out ReadOnlySpan<byte> id) && all.Overlaps(id, out int offset)
                ? _header.TlvBytes.Slice(offset, id.Length)
                : ReadOnlyMemory<byte>.Empty;
        }
    }

    public string? NetworkNamespace => Get(DecodedValues.NetworkNamespace, ref _networkNamespace, static h => h.Tlvs.TryGetNetworkNamespace(out ReadOnlySpan<byte> v) ? Encoding.ASCII.GetString(v) : null);

    public ProxySslInfo? Ssl => Get(DecodedValues.Ssl, ref _ssl, static h => h.Tlvs.TryGetSsl(out ProxySslTlv ssl) ? new ProxySslInfo(h.TlvBytes, ssl) : null);

    public string? AwsVpcEndpointId => Get(DecodedValues.AwsVpcEndpointId, ref _awsVpcEndpointId, static h => h.Tlvs.TryGetAwsVpcEndpointId(out ReadOnlySpan<byte> v) ? Encoding.ASCII.GetString(v) : null);

    public uint? AzureLinkId => _header.Tlvs.TryGetAzureLinkId(out uint id) ? id : null;

    public ulong? GcpPscConnectionId => _header.Tlvs.TryGetGcpPscConnectionId(out ulong id) ? id : null;

    public bool ClientUsedTls
    {
        get
        {
            if (_header.Header.Command != ProxyCommand.Proxy)
            {
                return false;
            }

            // The SSL TLV says it outright; without one, an ALPN TLV exists only after a TLS (or QUIC) handshake.
            ProxyTlvs tlvs = _header.Tlvs;
            return tlvs.TryGetSsl(out ProxySslTlv ssl)
                ? (ssl.Client & ProxySslClientFlags.Ssl) != 0
                : tlvs.TryGetAlpn(out _);
        }
    }

    /// <summary>Lets the middleware hand over endpoints it already created, so they are made once.</summary>
    internal void SetEndPoints(EndPoint? source, EndPoint? destination)
    {
        _source = source;
        _destination = destination;
        Interlocked.Or(ref _decoded, (int)(DecodedValues.Source | DecodedValues.Destination));
    }

    private T? Get<T>(DecodedValues which, ref T? field, Func<ReceivedProxyHeader, T?> decode)
        where T : class
    {
        // The field is written before the flag (Interlocked.Or is a full fence), so a set flag means a set field.
        if ((Volatile.Read(ref _decoded) & (int)which) == 0)
        {
            field = decode(_header);
            Interlocked.Or(ref _decoded, (int)which);
        }

        return field;
    }
}
