using System;
using System.Collections.Generic;
using System.Net;
using System.Threading;

namespace ProxyProtocol;

/// <summary>Settings of a <see cref="ProxyTcpForwarder"/>: where to forward, which header to send, what to accept, and the limits.</summary>
public sealed class ProxyTcpForwarderOptions
{
    private ProxyVersion _version = ProxyVersion.V2;
    private TimeSpan _headerTimeout = TimeSpan.FromSeconds(5);
    private TimeSpan _connectTimeout = TimeSpan.FromSeconds(10);
    private TimeSpan _idleTimeout = TimeSpan.FromMinutes(5);
    private int _bufferSize = 32 * 1024;

    /// <summary>Creates options that forward to <paramref name="backend"/>.</summary>
    /// <param name="backend">The backend: an <see cref="IPEndPoint"/> or a <see cref="DnsEndPoint"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="backend"/> is <see langword="null"/>.</exception>
    public ProxyTcpForwarderOptions(EndPoint backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        Backend = backend;
    }

    /// <summary>The backend every connection is forwarded to.</summary>
    public EndPoint Backend { get; }

    /// <summary>The version of the header sent to the backend: <see cref="ProxyVersion.V2"/> (the default) or <see cref="ProxyVersion.V1"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not V1 or V2.</exception>
    public ProxyVersion Version
    {
        get => _version;
        set => _version = value is ProxyVersion.V1 or ProxyVersion.V2 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The PROXY protocol version is V1 or V2.");
    }

    /// <summary>
    /// Whether each accepted connection starts with a PROXY header from a load balancer in front (off by default).
    /// The header sent to the backend then names the client from that header, and a v2 header keeps its TLVs
    /// (except CRC32C, which would not match the new header).
    /// </summary>
    public bool AcceptProxyHeader { get; set; }

    /// <summary>
    /// With <see cref="AcceptProxyHeader"/>, the networks balancers connect from; connections from elsewhere are
    /// closed without reading. Empty (the default) accepts a header from any address: bind to a private address
    /// or firewall the port, or anyone can claim any client address.
    /// </summary>
    public IList<IPNetwork> TrustedProxies { get; } = new List<IPNetwork>();

    /// <summary>Limits and allowed versions of the accepted header; the default is recommended.</summary>
    public ProxyParserOptions ParserOptions { get; set; }

    /// <summary>How long an accepted connection has to send its whole header (5 s by default; spec RX-04).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public TimeSpan HeaderTimeout
    {
        get => _headerTimeout;
        set => _headerTimeout = Positive(value, allowInfinite: false);
    }

    /// <summary>How long connecting to the backend may take (10 s by default).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public TimeSpan ConnectTimeout
    {
        get => _connectTimeout;
        set => _connectTimeout = Positive(value, allowInfinite: false);
    }

    /// <summary>
    /// How long a connection may pass no byte in either direction before both sides are closed (5 minutes by
    /// default); <see cref="Timeout.InfiniteTimeSpan"/> for no limit.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is neither positive nor infinite.</exception>
    public TimeSpan IdleTimeout
    {
        get => _idleTimeout;
        set => _idleTimeout = Positive(value, allowInfinite: true);
    }

    /// <summary>
    /// The most bytes read from one side and not yet written to the other, per direction (32 KiB by default, 1 KiB
    /// to 1 MiB). Nothing more is read from a side until the other side has taken what was read: a slow reader slows
    /// its writer down through TCP flow control instead of filling memory.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside 1 KiB to 1 MiB.</exception>
    public int BufferSize
    {
        get => _bufferSize;
        set => _bufferSize = value is >= 1024 and <= 1024 * 1024 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The buffer size is 1 KiB to 1 MiB.");
    }

    /// <summary>Called once per connection when it ends, with its endpoints, byte counts and error; must not throw.</summary>
    public Action<ProxyForwardedConnection>? ConnectionCompleted { get; set; }

    private static TimeSpan Positive(TimeSpan value, bool allowInfinite) =>
        value > TimeSpan.Zero || (allowInfinite && value == Timeout.InfiniteTimeSpan)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, allowInfinite ? "The timeout is positive or infinite." : "The timeout is positive.");
}
