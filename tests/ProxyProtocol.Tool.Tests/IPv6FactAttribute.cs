using System.Net.Sockets;
using Xunit;

namespace ProxyProtocol.Tool.Tests;

/// <summary>A fact that needs IPv6: reported as skipped, with the reason, on a machine without it.</summary>
public sealed class IPv6FactAttribute : FactAttribute
{
    public IPv6FactAttribute()
    {
        if (!Socket.OSSupportsIPv6)
        {
            Skip = "This machine has no IPv6 (Socket.OSSupportsIPv6 is false), so there is no ::1 to listen on.";
        }
    }
}
