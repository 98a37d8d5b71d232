using System.Net;
using Microsoft.AspNetCore.Connections;

namespace ProxyProtocol.AspNetCore;

/// <summary>What <see cref="ProxyProtocolOptions.HeaderValidation"/> gets to decide on a header.</summary>
public readonly struct ProxyHeaderValidationContext
{
    /// <summary>Creates a context.</summary>
    /// <param name="connection">The connection, with its socket endpoints still in place.</param>
    /// <param name="feature">The header and its typed TLVs.</param>
    public ProxyHeaderValidationContext(ConnectionContext connection, IProxyProtocolFeature feature)
    {
        Connection = connection;
        Feature = feature;
    }

    /// <summary>
    /// The connection. Its <see cref="BaseConnectionContext.RemoteEndPoint"/> is still the proxy's address:
    /// the header's addresses are applied only once the header is accepted.
    /// </summary>
    public ConnectionContext Connection { get; }

    /// <summary>The header, its TLVs and typed values; the same object the application will see.</summary>
    public IProxyProtocolFeature Feature { get; }

    /// <summary>The proxy's address: the socket's remote endpoint.</summary>
    public EndPoint? ProxyEndPoint => Feature.TransportRemoteEndPoint;
}
