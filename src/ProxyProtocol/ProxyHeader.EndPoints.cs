using System;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ProxyProtocol.Internal;

namespace ProxyProtocol;

public readonly partial struct ProxyHeader
{
    /// <summary>Creates the source address as an <see cref="IPAddress"/>.</summary>
    /// <returns>The address, or <see langword="null"/> unless <see cref="HasAddresses"/> is set and the family is IPv4 or IPv6.</returns>
    public IPAddress? GetSourceIPAddress() => HasIPAddresses ? new IPAddress(SourceAddress) : null;

    /// <summary>Creates the destination address as an <see cref="IPAddress"/>.</summary>
    /// <returns>The address, or <see langword="null"/> unless <see cref="HasAddresses"/> is set and the family is IPv4 or IPv6.</returns>
    public IPAddress? GetDestinationIPAddress() => HasIPAddresses ? new IPAddress(DestinationAddress) : null;

    /// <summary>Creates the source endpoint: an <see cref="IPEndPoint"/> or a <see cref="UnixDomainSocketEndPoint"/>.</summary>
    /// <returns>The endpoint, or <see langword="null"/> when <see cref="HasAddresses"/> is not set (LOCAL, UNSPEC).</returns>
    /// <exception cref="InvalidOperationException">A Unix header parsed from bytes it does not keep; use
    /// <see cref="GetSourceEndPoint(ReadOnlySpan{byte})"/>.</exception>
    public EndPoint? GetSourceEndPoint() => HasAddresses ? CreateEndPoint(SourceAddress, _sourcePort) : null;

    /// <summary>Creates the destination endpoint: an <see cref="IPEndPoint"/> or a <see cref="UnixDomainSocketEndPoint"/>.</summary>
    /// <returns>The endpoint, or <see langword="null"/> when <see cref="HasAddresses"/> is not set (LOCAL, UNSPEC).</returns>
    /// <exception cref="InvalidOperationException">A Unix header parsed from bytes it does not keep; use
    /// <see cref="GetDestinationEndPoint(ReadOnlySpan{byte})"/>.</exception>
    public EndPoint? GetDestinationEndPoint() => HasAddresses ? CreateEndPoint(DestinationAddress, _destinationPort) : null;

    /// <summary>Creates the source endpoint, reading a Unix path from the bytes the header was parsed from.</summary>
    /// <param name="header">The parsed bytes, starting at the header's first byte; read only for a Unix
    /// header that does not own its paths.</param>
    /// <returns>The endpoint, or <see langword="null"/> when <see cref="HasAddresses"/> is not set (LOCAL, UNSPEC).</returns>
    /// <exception cref="ArgumentException"><paramref name="header"/> is not the bytes this Unix header was
    /// parsed from (for example a buffer reused since).</exception>
    public EndPoint? GetSourceEndPoint(ReadOnlySpan<byte> header) =>
        HasAddresses ? CreateEndPoint(GetSourceAddress(header), _sourcePort) : null;

    /// <summary>Creates the destination endpoint, reading a Unix path from the bytes the header was parsed from.</summary>
    /// <param name="header">The parsed bytes, starting at the header's first byte.</param>
    /// <returns>The endpoint, or <see langword="null"/> when <see cref="HasAddresses"/> is not set (LOCAL, UNSPEC).</returns>
    /// <exception cref="ArgumentException"><paramref name="header"/> is not the bytes this Unix header was parsed from.</exception>
    public EndPoint? GetDestinationEndPoint(ReadOnlySpan<byte> header) =>
        HasAddresses ? CreateEndPoint(GetDestinationAddress(header), _destinationPort) : null;

    /// <summary>Decodes the source Unix socket path (UTF-8, NUL padding removed; a Linux abstract name keeps its leading NUL).</summary>
    /// <returns>The path, or <see langword="null"/> unless <see cref="HasAddresses"/> is set and the family is Unix.</returns>
    /// <exception cref="InvalidOperationException">A Unix header parsed from bytes it does not keep; use
    /// <see cref="GetSourceUnixPath(ReadOnlySpan{byte})"/>.</exception>
    public string? GetSourceUnixPath() => IsUnixWithAddresses ? DecodeUnixPath(SourceAddress) : null;

    /// <summary>Decodes the destination Unix socket path, as <see cref="GetSourceUnixPath()"/> does.</summary>
    /// <returns>The path, or <see langword="null"/> unless <see cref="HasAddresses"/> is set and the family is Unix.</returns>
    /// <exception cref="InvalidOperationException">A Unix header parsed from bytes it does not keep; use
    /// <see cref="GetDestinationUnixPath(ReadOnlySpan{byte})"/>.</exception>
    public string? GetDestinationUnixPath() => IsUnixWithAddresses ? DecodeUnixPath(DestinationAddress) : null;

    /// <summary>Decodes the source Unix socket path from the bytes the header was parsed from.</summary>
    /// <param name="header">The parsed bytes, starting at the header's first byte.</param>
    /// <returns>The path, or <see langword="null"/> unless <see cref="HasAddresses"/> is set and the family is Unix.</returns>
    /// <exception cref="ArgumentException"><paramref name="header"/> is not the bytes this Unix header was
    /// parsed from (for example a buffer reused since).</exception>
    public string? GetSourceUnixPath(ReadOnlySpan<byte> header) => IsUnixWithAddresses ? DecodeUnixPath(GetSourceAddress(header)) : null;

    /// <summary>Decodes the destination Unix socket path from the bytes the header was parsed from.</summary>
    /// <param name="header">The parsed bytes, starting at the header's first byte.</param>
    /// <returns>The path, or <see langword="null"/> unless <see cref="HasAddresses"/> is set and the family is Unix.</returns>
    /// <exception cref="ArgumentException"><paramref name="header"/> is not the bytes this Unix header was parsed from.</exception>
    public string? GetDestinationUnixPath(ReadOnlySpan<byte> header) => IsUnixWithAddresses ? DecodeUnixPath(GetDestinationAddress(header)) : null;

    private bool IsUnixWithAddresses => HasAddresses && _family == ProxyAddressFamily.Unix;

    /// <summary>Returns a description such as <c>PROXY TCP4 192.168.0.1:56324 -> 192.168.0.11:443 (v2)</c>.</summary>
    /// <returns>The description.</returns>
    public override string ToString()
    {
        string kind = (_family, _transport) switch
        {
            (ProxyAddressFamily.InterNetwork, ProxyTransport.Stream) => "TCP4",
            (ProxyAddressFamily.InterNetwork, ProxyTransport.Datagram) => "UDP4",
            (ProxyAddressFamily.InterNetworkV6, ProxyTransport.Stream) => "TCP6",
            (ProxyAddressFamily.InterNetworkV6, ProxyTransport.Datagram) => "UDP6",
            (ProxyAddressFamily.Unix, ProxyTransport.Stream) => "UNIX-STREAM",
            (ProxyAddressFamily.Unix, ProxyTransport.Datagram) => "UNIX-DGRAM",
            _ => "UNSPEC",
        };
        string command = _command == ProxyCommand.Local ? "LOCAL" : "PROXY";
        string version = _version == ProxyVersion.V1 ? "v1" : "v2";
        if (_family == ProxyAddressFamily.Unspecified)
        {
            return $"{command} {kind} ({version})";
        }

        if (NeedsUnixBlock)
        {
            return $"{command} {kind} (paths in the parsed bytes) ({version})";
        }

        return $"{command} {kind} {Describe(SourceAddress, _sourcePort)} -> {Describe(DestinationAddress, _destinationPort)} ({version})";
    }

    private string Describe(ReadOnlySpan<byte> address, ushort port) => _family switch
    {
        ProxyAddressFamily.InterNetwork => $"{new IPAddress(address)}:{port}",
        ProxyAddressFamily.InterNetworkV6 => $"[{new IPAddress(address)}]:{port}",
        _ => DecodeUnixPath(address),
    };

    private bool HasIPAddresses => HasAddresses && _family is ProxyAddressFamily.InterNetwork or ProxyAddressFamily.InterNetworkV6;

    private EndPoint CreateEndPoint(ReadOnlySpan<byte> address, ushort port) =>
        _family == ProxyAddressFamily.Unix
            ? CreateUnixEndPoint(address)
            : new IPEndPoint(new IPAddress(address), port);

    /// <summary>
    /// Creates the endpoint for a 108-byte Unix address slot. <c>new UnixDomainSocketEndPoint(string)</c>
    /// throws for paths the wire carries legitimately: empty (an unnamed client socket: a proxy copies its all-NUL address),
    /// 108 bytes with no NUL, or bytes that are not UTF-8. Built from a socket address, as the runtime does
    /// for a socket's own peer, the endpoint keeps the exact bytes and nothing throws.
    /// </summary>
    private static UnixDomainSocketEndPoint CreateUnixEndPoint(ReadOnlySpan<byte> path)
    {
        const int PathOffset = 2; // sun_path follows the 2-byte family (sun_len + sun_family on BSDs)
        int length = GetUnixPathLength(path);
        SocketAddress socketAddress = new(System.Net.Sockets.AddressFamily.Unix, PathOffset + length);
        path.Slice(0, length).CopyTo(socketAddress.Buffer.Span.Slice(PathOffset));

        // Create is an instance method; any endpoint serves as the factory.
        return (UnixDomainSocketEndPoint)new UnixDomainSocketEndPoint("/").Create(socketAddress);
    }

    /// <summary>
    /// Decodes a NUL-padded Unix path. A leading NUL marks a Linux abstract socket, whose name may hold
    /// NULs itself; then only the trailing padding is removed.
    /// </summary>
    internal static string DecodeUnixPath(ReadOnlySpan<byte> path) =>
        Encoding.UTF8.GetString(path.Slice(0, GetUnixPathLength(path)));

    /// <summary>The length of the path in a NUL-padded slot: up to the first NUL, or for an abstract name up to the last non-NUL; 0 when all NUL.</summary>
    private static int GetUnixPathLength(ReadOnlySpan<byte> path)
    {
        int length;
        if (!path.IsEmpty && path[0] == 0)
        {
            length = path.LastIndexOfAnyExcept((byte)0) + 1;
        }
        else
        {
            length = path.IndexOf((byte)0);
            if (length < 0)
            {
                length = path.Length;
            }
        }

        return Math.Min(length, WireFormat.UnixPathLength);
    }
}
