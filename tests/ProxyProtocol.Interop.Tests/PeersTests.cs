using System.IO;
using ProxyProtocol.Interop.Tests.Infrastructure;

namespace ProxyProtocol.Interop.Tests;

/// <summary>The peer lookup behind [PeerFact]: runs without any peer installed.</summary>
public class PeersTests
{
    [Fact]
    public void A_binary_that_is_nowhere_is_missing_with_where_it_was_looked_for()
    {
        PeerLookup lookup = Peers.Find("proxyprotocol-interop-no-such-peer");

        Assert.False(lookup.IsFound);
        Assert.Equal("proxyprotocol-interop-no-such-peer is not installed (not on PATH, nor in /usr/local/sbin, /usr/sbin, /sbin)", lookup.Reason);
    }

    [Fact]
    public void A_found_binary_is_a_file_that_exists()
    {
        // Whatever this machine has installed: a lookup that succeeds names an existing file.
        foreach (string peer in new[] { Peers.Haproxy, Peers.Nginx, Peers.Curl, Peers.NginxStream })
        {
            PeerLookup lookup = Peers.Find(peer);
            Assert.True(lookup.IsFound ? File.Exists(lookup.Path) : lookup.Reason.Length > 0, $"{peer}: {lookup}");
        }
    }
}
