using System;
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

    // The override variable decides, each way, with names no real peer has (so no cached lookup and no PATH
    // change that would disturb the interop tests running beside this one).
    [Fact]
    public void The_override_variable_finds_disables_or_misses_a_peer()
    {
        string directory = Directory.CreateTempSubdirectory("proxyprotocol-peers-").FullName;
        string id = Guid.NewGuid().ToString("N");
        try
        {
            string binary = Path.Combine(directory, "fake-peer");
            File.WriteAllText(binary, "#!/bin/sh\n");

            Environment.SetEnvironmentVariable($"PROXYPROTOCOL_INTEROP_FOUND{id}".ToUpperInvariant(), binary);
            PeerLookup found = Peers.Find($"found{id}");
            Assert.True(found.IsFound);
            Assert.Equal(binary, found.Path);
            Assert.Equal(string.Empty, found.Reason);

            Environment.SetEnvironmentVariable($"PROXYPROTOCOL_INTEROP_OFF{id}".ToUpperInvariant(), "none");
            PeerLookup disabled = Peers.Find($"off{id}");
            Assert.False(disabled.IsFound);
            Assert.Equal($"off{id} is disabled by PROXYPROTOCOL_INTEROP_OFF{id.ToUpperInvariant()}=none", disabled.Reason);

            string nowhere = Path.Combine(directory, "not-there");
            Environment.SetEnvironmentVariable($"PROXYPROTOCOL_INTEROP_GONE{id}".ToUpperInvariant(), nowhere);
            PeerLookup gone = Peers.Find($"gone{id}");
            Assert.False(gone.IsFound);
            Assert.Equal($"gone{id} not found at PROXYPROTOCOL_INTEROP_GONE{id.ToUpperInvariant()}={nowhere}", gone.Reason);
        }
        finally
        {
            foreach (string name in new[] { "FOUND", "OFF", "GONE" })
            {
                Environment.SetEnvironmentVariable($"PROXYPROTOCOL_INTEROP_{name}{id}".ToUpperInvariant(), null);
            }

            Directory.Delete(directory, recursive: true);
        }
    }
}
