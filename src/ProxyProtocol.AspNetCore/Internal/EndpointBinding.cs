namespace ProxyProtocol.AspNetCore.Internal;

/// <summary>What the middleware needs to know of its endpoint, decided once when Kestrel binds it.</summary>
/// <param name="Name">The endpoint as Kestrel shows it, for example <c>http://0.0.0.0:8080</c>.</param>
/// <param name="DetectHttp2Preface">Whether the bytes after the header choose HTTP/2 or HTTP/1.1.</param>
/// <param name="Http2Only">Whether the endpoint serves HTTP/2 only (a TLS feature then must say <c>h2</c>).</param>
/// <param name="HttpsFromHeader">Whether a trusted header's TLS makes the connection report https: the option is on
/// and the endpoint has no TLS of its own.</param>
internal sealed record EndpointBinding(string Name, bool DetectHttp2Preface, bool Http2Only, bool HttpsFromHeader);
