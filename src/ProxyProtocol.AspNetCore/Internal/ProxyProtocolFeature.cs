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

    // The typed values live apart, made on the first read of one: most connections read none, and five cached
    // values inline would cost every connection 40 bytes.
    private DecodedValues? _decoded;

    public ProxyProtocolFeature(in ReceivedProxyHeader header, EndPoint? transportRemoteEndPoint, EndPoint? transportLocalEndPoint)
    {
        _header = header;
        TransportRemoteEndPoint = transportRemoteEndPoint;
        TransportLocalEndPoint = transportLocalEndPoint;
    }

    [Flags]
    private enum Decoded
    {
        None = 0,
        Alpn = 1 << 0,
        Authority = 1 << 1,
        NetworkNamespace = 1 << 2,
        AwsVpcEndpointId = 1 << 3,
        Ssl = 1 << 4,
    }

    public ReceivedProxyHeader ReceivedHeader => _header;

    public ProxyHeader Header => _header.Header;

    public ProxyTlvs Tlvs => _header.Tlvs;

    // Null only for headers without addresses (LOCAL, UNSPEC), whose endpoints are null anyway: nothing to cache.
    public EndPoint? SourceEndPoint => _source ??= _header.Header.GetSourceEndPoint();

    public EndPoint? DestinationEndPoint => _destination ??= _header.Header.GetDestinationEndPoint();

    public EndPoint? TransportRemoteEndPoint { get; }

    public EndPoint? TransportLocalEndPoint { get; }

    public string? Alpn => Get(Decoded.Alpn, static v => ref v.Alpn, static h => h.Tlvs.TryGetAlpn(out ReadOnlySpan<byte> v) ? Encoding.UTF8.GetString(v) : null);

    public string? Authority => Get(Decoded.Authority, static v => ref v.Authority, static h => h.Tlvs.TryGetAuthority(out ReadOnlySpan<byte> v) ? Encoding.UTF8.GetString(v) : null);

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

    public string? NetworkNamespace => Get(Decoded.NetworkNamespace, static v => ref v.NetworkNamespace, static h => h.Tlvs.TryGetNetworkNamespace(out ReadOnlySpan<byte> v) ? Encoding.ASCII.GetString(v) : null);

    public ProxySslInfo? Ssl => Get(Decoded.Ssl, static v => ref v.Ssl, static h => h.Tlvs.TryGetSsl(out ProxySslTlv ssl) ? new ProxySslInfo(h.TlvBytes, ssl) : null);

    public string? AwsVpcEndpointId => Get(Decoded.AwsVpcEndpointId, static v => ref v.AwsVpcEndpointId, static h => h.Tlvs.TryGetAwsVpcEndpointId(out ReadOnlySpan<byte> v) ? Encoding.ASCII.GetString(v) : null);

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
    }

    private T? Get<T>(Decoded which, FieldOf<T> field, Func<ReceivedProxyHeader, T?> decode)
        where T : class
    {
        DecodedValues values = Volatile.Read(ref _decoded) ?? InitializeDecoded();

        // The field is written before the flag (Interlocked.Or is a full fence), so a set flag means a set field.
        ref T? value = ref field(values);
        if ((Volatile.Read(ref values.Flags) & (int)which) == 0)
        {
            value = decode(_header);
            Interlocked.Or(ref values.Flags, (int)which);
        }

        return value;
    }

    private DecodedValues InitializeDecoded()
    {
        var values = new DecodedValues();
        return Interlocked.CompareExchange(ref _decoded, values, null) ?? values;
    }

    private delegate ref T? FieldOf<T>(DecodedValues values);

    /// <summary>The typed values decoded so far; a race between two first uses only decodes twice.</summary>
    private sealed class DecodedValues
    {
        public int Flags;
        public string? Alpn;
        public string? Authority;
        public string? NetworkNamespace;
        public string? AwsVpcEndpointId;
        public ProxySslInfo? Ssl;
    }
}
