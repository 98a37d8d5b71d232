using System;
using System.Net;
using System.Net.Sockets;

namespace ProxyProtocol.Fuzz;

/// <summary>Invariants of a parsed <see cref="ProxyHeader"/>'s accessors: addresses, endpoints, equality, text.</summary>
internal static class HeaderChecks
{
    public static void CheckAccessors(in ProxyHeader header, ReadOnlySpan<byte> headerBytes)
    {
        bool isIP = header.AddressFamily is ProxyAddressFamily.InterNetwork or ProxyAddressFamily.InterNetworkV6;
        Invariant.True(
            header.HasAddresses == (header.Command == ProxyCommand.Proxy && header.AddressFamily != ProxyAddressFamily.Unspecified),
            $"HasAddresses is {header.HasAddresses} for {header.Command}/{header.AddressFamily}");

        IPAddress? sourceAddress = header.GetSourceIPAddress();
        IPAddress? destinationAddress = header.GetDestinationIPAddress();
        bool expectIP = header.HasAddresses && isIP;
        Invariant.True((sourceAddress is not null) == expectIP && (destinationAddress is not null) == expectIP, $"Get*IPAddress null-ness is wrong for {header}");

        // Endpoints are null exactly when the receiver must use the socket's own (SEM-01).
        EndPoint? source = header.GetSourceEndPoint(headerBytes);
        EndPoint? destination = header.GetDestinationEndPoint(headerBytes);
        Invariant.True((source is not null) == header.HasAddresses && (destination is not null) == header.HasAddresses, $"Get*EndPoint null-ness is wrong for {header}");

        if (expectIP)
        {
            CheckIPEndPoint(source, header.SourceAddress, header.SourcePort, "source");
            CheckIPEndPoint(destination, header.DestinationAddress, header.DestinationPort, "destination");
            Invariant.True(sourceAddress!.GetAddressBytes().AsSpan().SequenceEqual(header.SourceAddress), "GetSourceIPAddress bytes differ");
            Invariant.True(destinationAddress!.GetAddressBytes().AsSpan().SequenceEqual(header.DestinationAddress), "GetDestinationIPAddress bytes differ");

            // A proxy describing the same connection from its endpoints makes an equal header.
            ProxyHeader recreated = ProxyHeader.Create(source, destination, header.Transport);
            Invariant.True(recreated == header, $"ProxyHeader.Create from the endpoints gave {recreated}, expected {header}");
        }
        else if (header.HasAddresses)
        {
            CheckUnixEndPoint(source, header.GetSourceAddress(headerBytes), "source");
            CheckUnixEndPoint(destination, header.GetDestinationAddress(headerBytes), "destination");

            // The same paths from the owned copy the adapters keep, without the bytes.
            ProxyHeader owned = ReceivedProxyHeader.Create(header, headerBytes).Header;
            Invariant.True(owned.GetSourceUnixPath() == header.GetSourceUnixPath(headerBytes), "the owned copy's source path differs");
            Invariant.True(owned.GetDestinationUnixPath() == header.GetDestinationUnixPath(headerBytes), "the owned copy's destination path differs");
        }

        // Equality is reflexive, matches the hash code, and the text form never throws.
        ProxyHeader copy = header;
        Invariant.True(copy == header && !(copy != header) && copy.Equals((object)header) && copy.GetHashCode() == header.GetHashCode(), "header equality is not reflexive");
        Invariant.True(!string.IsNullOrEmpty(header.ToString()), "ToString is empty");
    }

    /// <summary>A Unix endpoint holds exactly the path bytes of the NUL-padded slot (abstract names keep their leading NUL).</summary>
    private static void CheckUnixEndPoint(EndPoint? endPoint, ReadOnlySpan<byte> slot, string which)
    {
        if (endPoint is not UnixDomainSocketEndPoint unix)
        {
            throw Invariant.Broken($"{which} endpoint of a Unix header is {endPoint?.GetType().Name ?? "null"}");
        }

        int length = slot.IsEmpty || slot[0] != 0 ? slot.IndexOf((byte)0) : slot.LastIndexOfAnyExcept((byte)0) + 1;
        ReadOnlySpan<byte> path = slot.Slice(0, length < 0 ? slot.Length : length);
        SocketAddress serialized = unix.Serialize();
        ReadOnlySpan<byte> bytes = serialized.Buffer.Span.Slice(2, serialized.Size - 2);

        // A path name is serialized with its terminating NUL when there is room; compare without it.
        if (path.Length > 0 && path[0] != 0 && bytes.Length == path.Length + 1 && bytes[^1] == 0)
        {
            bytes = bytes.Slice(0, path.Length);
        }

        Invariant.True(bytes.SequenceEqual(path), $"{which} Unix endpoint serializes to {Convert.ToHexString(bytes)}, the header holds {Convert.ToHexString(path)}");
    }

    private static void CheckIPEndPoint(EndPoint? endPoint, ReadOnlySpan<byte> address, ushort port, string which)
    {
        if (endPoint is not IPEndPoint ip)
        {
            throw Invariant.Broken($"{which} endpoint of an IP header is {endPoint?.GetType().Name ?? "null"}");
        }

        Invariant.True(ip.Port == port && ip.Address.GetAddressBytes().AsSpan().SequenceEqual(address), $"{which} endpoint {ip} differs from the header's address and port");
        Invariant.True(ip.AddressFamily == (address.Length == 4 ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6), $"{which} endpoint family {ip.AddressFamily}");
    }
}
