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
    /// Empty (the default) trusts every source.
    /// </summary>
    /// <remarks>
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
    /// Whether a cleartext connection whose header carries the ALPN TLV <c>h2</c> is served as HTTP/2, as it would
    /// be had Kestrel negotiated h2 itself. Default <see langword="true"/>.
    /// </summary>
    /// <remarks>
    /// <para>
    /// A load balancer that terminates TLS and forwards the decrypted stream to a cleartext endpoint tells in
    /// the ALPN TLV what it negotiated with the client (dotnet/aspnetcore#43836). On an endpoint that allows
    /// both HTTP/1.1 and HTTP/2 (the default <see cref="Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http1AndHttp2"/>),
    /// Kestrel picks HTTP/2 only after a TLS handshake that negotiated h2; with this option the header stands in
    /// for that handshake. The connection then reports <c>Request.IsHttps == true</c> and scheme <c>https</c>, which
    /// is what the client used: an h2 client behind such a balancer sends <c>:scheme https</c>. A client that sends
    /// <c>:scheme http</c> needs <c>KestrelServerOptions.AllowAlternateSchemes</c>.
    /// </para>
    /// <para>
    /// It has no effect on endpoints that use TLS themselves (their own handshake decides), on HTTP/2-only
    /// endpoints (served as HTTP/2 with prior knowledge anyway) and on HTTP/1.1-only endpoints.
    /// </para>
    /// </remarks>
    public bool UseAlpnForHttp2 { get; set; } = true;
}
