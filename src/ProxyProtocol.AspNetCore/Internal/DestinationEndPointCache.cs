using System;
using System.Buffers.Binary;
using System.Net;
using System.Threading;

namespace ProxyProtocol.AspNetCore.Internal;

/// <summary>
/// The destination endpoints of recent headers on one listening endpoint, so that connections to the same
/// balancer address share one <see cref="IPEndPoint"/> instead of each allocating an endpoint and an address
/// (72 bytes for IPv4, 112 for IPv6). Behind a balancer the destination is its listener's address and port,
/// the same for every connection, or one of a few (one per zone).
/// </summary>
/// <remarks>
/// Four slots, chosen by the port and the address's last byte; a miss replaces the slot. Entries are immutable
/// and swapped whole, so readers on other threads see an old or a new entry, never a torn one. Sharing follows
/// Kestrel, whose named-pipe transport gives every connection its listener's endpoint object.
/// </remarks>
internal sealed class DestinationEndPointCache
{
    private const int SlotMask = 3;
    private readonly Entry?[] _slots = new Entry?[SlotMask + 1];

    /// <summary>The destination endpoint of an IP header: a cached one when the address and port match.</summary>
    public IPEndPoint Get(in ProxyHeader header)
    {
        ReadOnlySpan<byte> address = header.DestinationAddress;
        ushort port = header.DestinationPort;
        UInt128 key = ReadKey(address);
        ref Entry? slot = ref _slots[(port ^ address[^1]) & SlotMask];
        Entry? entry = Volatile.Read(ref slot);
        if (entry is not null && entry.Key == key && entry.Port == port && entry.AddressLength == address.Length)
        {
            return entry.EndPoint;
        }

        IPEndPoint created = new(new IPAddress(address), port);
        Volatile.Write(ref slot, new Entry(key, address.Length, port, created));
        return created;
    }

    private static UInt128 ReadKey(ReadOnlySpan<byte> address) => address.Length == 16
        ? BinaryPrimitives.ReadUInt128LittleEndian(address)
        : BinaryPrimitives.ReadUInt32LittleEndian(address);

    private sealed class Entry(UInt128 key, int addressLength, ushort port, IPEndPoint endPoint)
    {
        public UInt128 Key { get; } = key;

        public int AddressLength { get; } = addressLength;

        public ushort Port { get; } = port;

        public IPEndPoint EndPoint { get; } = endPoint;
    }
}
