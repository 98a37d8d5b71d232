using System;

namespace ProxyProtocol.Hostile.Tests.Infrastructure;

/// <summary>A fact that needs Linux: 127.0.0.2 as a second loopback source address, /proc for descriptor counts.</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "Needs Linux (the whole 127.0.0.0/8 on loopback, /proc/self).";
        }
    }
}
