using System;
using System.Collections.Generic;
using System.Net;
using System.Threading;

namespace ProxyProtocol.AspNetCore;

/// <summary>
/// Settings for <c>ListenOptions.UseProxyProtocol()</c>: whether the header is required, which proxies may
/// send one, how long to wait for it, and what the parser accepts.
/// </summary>
/// <remarks>
/// The defaults are the secure ones for an endpoint that sits behind a load balancer: every connection must
/// start with a valid v1 or v2 header (DET-03, DET-04) within 10 seconds (RX-04), v2 headers are limited to
/// 4096 bytes and a CRC32C TLV is verified. Add the balancers' networks to <see cref="TrustedProxies"/> so that
/// a client that reaches the port directly cannot choose its own address (RX-05). Values are validated when
/// set; the middleware takes a snapshot of them when Kestrel binds the endpoint.
/// </remarks>
public sealed class ProxyProtocolOptions
{
    /// <summary>The default for <see cref="HeaderTimeout"/>: 10 seconds.</summary>
    public static readonly TimeSpan DefaultHeaderTimeout = TimeSpan.FromSeconds(10);

    private TimeSpan _headerTimeout = DefaultHeaderTimeout;
    private ProxyParserOptions _parserOptions;
    private UntrustedSourceAction _untrustedSourceAction;
    private Http2PrefaceDetection _detectHttp2Preface;

    /// <summary>
    /// Whether every connection must start with a header. Default <see langword="true"/>.
    /// </summary>
    /// <remarks>
    /// <see langword="false"/> is an explicit, off-spec optional mode (DET-04, RX-06): the first bytes of the
    /// connection decide. When they are a v1 (<c>"PROXY "</c>) or v2 signature, a complete and valid header must
    /// follow; otherwise nothing is consumed and the connection is served with the socket's own endpoints. Never
    /// expose an optional endpoint to clients that could send a header of their own unless
    /// <see cref="TrustedProxies"/> is set.
    /// </remarks>
    public bool RequireHeader { get; set; } = true;

    /// <summary>
    /// The networks of the proxies allowed to send a header, matched against the socket's remote address.
    /// Empty (the default) trusts every source, and says so with a Warning at startup unless
    /// <see cref="TrustAnySource"/> is set.
    /// </summary>
    /// <remarks>
    /// In configuration (<c>AddProxyProtocol(configuration)</c>) it is a list of CIDR strings, for example
    /// <c>"TrustedProxies": ["10.0.0.0/8", "2001:db8::/32"]</c> or <c>ProxyProtocol__TrustedProxies__0=10.0.0.0/8</c>;
    /// a bare address is a network of one. <c>ConfigurationBinder.Bind</c> cannot convert these strings and leaves
    /// the list empty: use <c>AddProxyProtocol(configuration)</c>.
    /// 
    /// An IPv4-mapped IPv6 remote address (a dual-mode socket) is matched as the IPv4 address it carries. A
    /// connection whose transport has no IP address (a Unix socket) is untrusted once the list is non-empty.
    /// What happens to untrusted connections is set by <see cref="UntrustedSourceAction"/>.
    /// </remarks>
    public IList<IPNetwork> TrustedProxies { get; } = new List<IPNetwork>();

    /// <summary>
    /// What to do with a connection from a source outside <see cref="TrustedProxies"/>. Default
    /// <see cref="AspNetCore.UntrustedSourceAction.Reject"/>: it is closed before anything is read.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not defined.</exception>
    public UntrustedSourceAction UntrustedSourceAction
    {
        get => _untrustedSourceAction;
        set
        {
            if (value is not (UntrustedSourceAction.Reject or UntrustedSourceAction.IgnoreHeader))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "Unknown action.");
            }

            _untrustedSourceAction = value;
        }
    }

    /// <summary>
    /// How long a connection may take to deliver its complete header, counted from the moment Kestrel hands it
    /// to the middleware. Default 10 seconds (<see cref="DefaultHeaderTimeout"/>).
    /// </summary>
    /// <remarks>The spec suggests at least 3 seconds so that one lost TCP segment can be retransmitted (RX-04).
    /// <see cref="Timeout.InfiniteTimeSpan"/> disables the timeout.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative and not infinite.</exception>
    public TimeSpan HeaderTimeout
    {
        get => _headerTimeout;
        set
        {
            if (value <= TimeSpan.Zero && value != Timeout.InfiniteTimeSpan)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "The timeout must be positive or Timeout.InfiniteTimeSpan.");
            }

            _headerTimeout = value;
        }
    }

    /// <summary>
    /// The largest v2 header accepted, in bytes (<c>16 + len</c>); a longer one is rejected as soon as its length
    /// field arrives. Default 4096; allowed 16 to 65551. v1 lines are always limited to 107 bytes by the spec.
    /// </summary>
    /// <remarks>The same value as <see cref="ParserOptions"/>' <see cref="ProxyParserOptions.MaxHeaderLength"/>.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside 16 to 65551.</exception>
    public int MaxHeaderLength
    {
        get => _parserOptions.MaxHeaderLength;
        set => _parserOptions = _parserOptions with { MaxHeaderLength = value };
    }

    /// <summary>The header versions accepted. Default <see cref="ProxyVersions.All"/> (DET-05).</summary>
    /// <remarks>The same value as <see cref="ParserOptions"/>' <see cref="ProxyParserOptions.AllowedVersions"/>.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value allows no version or has unknown bits.</exception>
    public ProxyVersions AllowedVersions
    {
        get => _parserOptions.AllowedVersions;
        set => _parserOptions = _parserOptions with { AllowedVersions = value };
    }

    /// <summary>
    /// All the options of the header parser; <see cref="MaxHeaderLength"/> and <see cref="AllowedVersions"/> are
    /// shortcuts to two of them. Default <see cref="ProxyParserOptions.Default"/>.
    /// </summary>
    public ProxyParserOptions ParserOptions
    {
        get => _parserOptions;
        set => _parserOptions = value;
    }

    /// <summary>
    /// Called for every header accepted from a trusted source, PROXY and LOCAL alike, before the connection's
    /// endpoints change: return <see langword="false"/> to close the connection. Default <see langword="null"/>.
    /// </summary>
    /// <remarks>
    /// Use it to allow only some load balancers or private endpoints, for example by their AWS VPC endpoint id.
    /// It runs on Kestrel's connection path, so keep it quick and non-blocking. An exception it throws closes the
    /// connection like a <see langword="false"/>.
    /// </remarks>
    public Func<ProxyHeaderValidationContext, bool>? HeaderValidation { get; set; }

    /// <summary>
    /// Whether every source is trusted on purpose while <see cref="TrustedProxies"/> is empty. Default
    /// <see langword="false"/>.
    /// </summary>
    /// <remarks>
    /// An empty <see cref="TrustedProxies"/> trusts every source either way; what this changes is the one Warning
    /// per endpoint logged at startup, which says that any client that can reach the port can choose its own
    /// address. Set it where the port is reachable only by the balancer (a private network, a firewall, a
    /// security group) and the warning is noise. Setting it while <see cref="TrustedProxies"/> lists networks
    /// is a contradiction and fails at startup.
    /// </remarks>
    public bool TrustAnySource { get; set; }

    /// <summary>
    /// Whether a connection whose trusted header says the client reached the balancer over TLS is served as
    /// HTTPS: <c>Request.IsHttps</c> is <see langword="true"/> and the scheme is <c>https</c>, for HTTP/1.1 and
    /// HTTP/2 alike. Default <see langword="true"/>.
    /// </summary>
    /// <remarks>
    /// <para>
    /// The header says so with the SSL TLV (0x20) and its client-SSL bit, or, without an SSL TLV, with an ALPN TLV
    /// (0x01), which only a TLS (or QUIC) handshake produces. A TLS-terminating balancer thus makes
    /// <c>UseHttpsRedirection()</c> and HSTS behave as they would had Kestrel done the handshake, without a
    /// redirect loop. Headers from untrusted sources, LOCAL headers and endpoints with their own
    /// <c>UseHttps()</c> are never affected.
    /// </para>
    /// <para>
    /// It works through an <see cref="Microsoft.AspNetCore.Http.Features.ITlsConnectionFeature"/> on the
    /// connection with no certificate (the balancer kept it; see <see cref="IProxyProtocolFeature.Ssl"/>) and no
    /// <c>ITlsHandshakeFeature</c>. What the header itself said is always on
    /// <see cref="IProxyProtocolFeature.ClientUsedTls"/>.
    /// </para>
    /// </remarks>
    public bool HttpsFromHeader { get; set; } = true;

    /// <summary>
    /// Whether the first bytes after the header choose between HTTP/1.1 and HTTP/2 on a cleartext endpoint that
    /// allows both (Kestrel's default <c>Http1AndHttp2</c>). Default <see cref="Http2PrefaceDetection.Auto"/>.
    /// </summary>
    /// <remarks>
    /// <para>
    /// A balancer that terminates TLS may speak HTTP/1.1 or HTTP/2 to the server whatever it negotiated with the
    /// client, so the header's ALPN TLV cannot choose; the HTTP/2 connection preface
    /// (<c>PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n</c>) can. The check consumes nothing, decides as soon as the bytes
    /// so far cannot be the preface, and waits no longer than <see cref="HeaderTimeout"/>.
    /// </para>
    /// <para>
    /// <see cref="Http2PrefaceDetection.Auto"/> looks only where Kestrel's HTTP layer follows
    /// <c>UseProxyProtocol()</c>: not in front of <c>UseConnectionHandler&lt;T&gt;()</c>, whose protocol may speak
    /// first. Endpoints with their own TLS (ALPN decides) and <c>Http1</c>-only or <c>Http2</c>-only endpoints are
    /// never checked.
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is not defined.</exception>
    public Http2PrefaceDetection DetectHttp2Preface
    {
        get => _detectHttp2Preface;
        set
        {
            if (value is not (Http2PrefaceDetection.Auto or Http2PrefaceDetection.Enabled or Http2PrefaceDetection.Disabled))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "Unknown HTTP/2 preface detection mode.");
            }

            _detectHttp2Preface = value;
        }
    }

    /// <summary>
    /// Whether an endpoint that also serves HTTP/3 may start, its QUIC connections served without a PROXY header.
    /// Default <see langword="false"/>: such an endpoint fails at startup.
    /// </summary>
    /// <remarks>
    /// HTTP/3 runs over QUIC (UDP), which carries no PROXY header, so its connections bypass this middleware:
    /// no header, no <see cref="TrustedProxies"/>, no <see cref="UntrustedSourceAction"/>, and the socket's
    /// address as the client's. Kestrel's <c>Alt-Svc</c> header moves browsers onto HTTP/3 once they have seen it.
    /// Set this only when that is wanted (a balancer that passes QUIC through to this server, for example); a
    /// Warning is then logged once per endpoint at startup.
    /// </remarks>
    public bool AllowHttp3WithoutHeader { get; set; }

    /// <summary>A copy for one endpoint, so the options configured in DI stay as they were.</summary>
    internal ProxyProtocolOptions Clone()
    {
        var copy = new ProxyProtocolOptions
        {
            RequireHeader = RequireHeader,
            UntrustedSourceAction = UntrustedSourceAction,
            HeaderTimeout = HeaderTimeout,
            ParserOptions = ParserOptions,
            HeaderValidation = HeaderValidation,
            TrustAnySource = TrustAnySource,
            HttpsFromHeader = HttpsFromHeader,
            DetectHttp2Preface = DetectHttp2Preface,
            AllowHttp3WithoutHeader = AllowHttp3WithoutHeader,
        };
        foreach (IPNetwork network in TrustedProxies)
        {
            copy.TrustedProxies.Add(network);
        }

        return copy;
    }
}
