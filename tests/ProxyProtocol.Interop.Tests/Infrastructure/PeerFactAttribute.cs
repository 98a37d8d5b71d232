using System;

namespace ProxyProtocol.Interop.Tests.Infrastructure;

/// <summary>
/// A fact that needs real peers. xunit 2 cannot skip from inside a test, so the decision is made here, at
/// discovery: when a peer is missing and CI is not "true", the test is skipped with the reason. With CI=true it
/// runs, and fails at its first use of the missing peer (<see cref="Peers.Require"/>) with a clear message.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class PeerFactAttribute : FactAttribute
{
    public PeerFactAttribute(params string[] peers)
    {
        Peers = peers;
        Skip = Infrastructure.Peers.GetSkipReason(peers);
    }

    public string[] Peers { get; }
}

/// <summary>The <see cref="PeerFactAttribute"/> of theories.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class PeerTheoryAttribute : TheoryAttribute
{
    public PeerTheoryAttribute(params string[] peers)
    {
        Peers = peers;
        Skip = Infrastructure.Peers.GetSkipReason(peers);
    }

    public string[] Peers { get; }
}
