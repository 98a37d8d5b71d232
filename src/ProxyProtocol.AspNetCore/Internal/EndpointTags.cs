using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;

namespace ProxyProtocol.AspNetCore.Internal;

/// <summary>
/// The OpenTelemetry endpoint tags (<c>server.address</c>, <c>server.port</c>, <c>network.type</c>,
/// <c>network.transport</c>) of the socket a connection arrived on, as Kestrel's own instruments carry them.
/// </summary>
/// <remarks>
/// Built once per distinct local endpoint and kept: an endpoint bound to one address always gives the same tags,
/// so tagging a connection compares two endpoints and allocates nothing.
/// </remarks>
internal sealed class EndpointTags
{
    private Entry? _last;

    public KeyValuePair<string, object?>[] For(EndPoint? local)
    {
        Entry? last = _last;
        if (last is not null && Equals(last.EndPoint, local))
        {
            return last.Tags;
        }

        var entry = new Entry(local, Create(local));
        _last = entry;
        return entry.Tags;
    }

    private static KeyValuePair<string, object?>[] Create(EndPoint? local) => local switch
    {
        IPEndPoint ip =>
        [
            new("server.address", ip.Address.ToString()),
            new("server.port", ip.Port),
            new("network.type", ip.AddressFamily == AddressFamily.InterNetworkV6 ? "ipv6" : "ipv4"),
            new("network.transport", "tcp"),
        ],
        UnixDomainSocketEndPoint unix =>
        [
            new("server.address", unix.ToString()),
            new("network.transport", "unix"),
        ],
        null => [],
        _ => [new("server.address", local.ToString())],
    };

    private sealed record Entry(EndPoint? EndPoint, KeyValuePair<string, object?>[] Tags);
}
