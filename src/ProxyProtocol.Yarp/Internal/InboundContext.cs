using System.Net.Http;
using Microsoft.AspNetCore.Http;

namespace ProxyProtocol.Yarp.Internal;

/// <summary>
/// Carries the inbound request's <see cref="HttpContext"/> from YARP's request transform to the destination
/// handler, on <see cref="HttpRequestMessage.Options"/>: the handler needs to know which client connection a
/// request came from.
/// </summary>
internal static class InboundContext
{
    public static readonly HttpRequestOptionsKey<HttpContext> Key = new("ProxyProtocol.Yarp.InboundContext");
}
