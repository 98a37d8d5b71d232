using System;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ProxyProtocol.Internal;

namespace ProxyProtocol;

public readonly partial struct ProxyHeader
{
    /// <summary>Creates a v2 LOCAL header with no addresses: what a proxy sends on its own connections, such as health checks (TX-02).</summary>
    /// <returns>The header.</returns>
    public static ProxyHeader CreateLocal() =>
        new(ProxyVersion.V2, ProxyCommand.Local, ProxyAddressFamily.Unspecified, ProxyTransport.Unspecified, default, default, 0, 0, 0, 0, 0);

    /// <summary>
    /// Creates a PROXY header with an unknown family: the receiver uses the socket's own endpoints. Written as v1
    /// <c>PROXY UNKNOWN\r\n</c>, and as v2 LOCAL with fam 0x00, as HAProxy writes it (HAProxy rejects a v2 PROXY
    /// header with fam 0x00; see docs/conformance.md#tx-04).
    /// </summary>
    /// <returns>The header.</returns>
    public static ProxyHeader CreateUnknown() =>
        new(ProxyVersion.V2, ProxyCommand.Proxy, ProxyAddressFamily.Unspecified, ProxyTransport.Unspecified, default, default, 0, 0, 0, 0, 0);

    /// <summary>Creates a PROXY header for an IP connection from <paramref name="source"/> to <paramref name="destination"/>.</summary>
    /// <remarks>
    /// When one endpoint is IPv4 and the other IPv6, the IPv4 one is written as v4-mapped IPv6
    /// (<c>::ffff:a.b.c.d</c>) and the header is IPv6, as HAProxy does (TX-03). IPv6 scope ids are dropped:
    /// the protocol cannot carry them.
    /// </remarks>
    /// <param name="source">The client's address and port.</param>
    /// <param name="destination">The address and port the client connected to.</param>
    /// <param name="transport"><see cref="ProxyTransport.Stream"/> (TCP, the default) or <see cref="ProxyTransport.Datagram"/> (UDP).</param>
    /// <returns>The header.</returns>
    /// <exception cref="ArgumentNullException">An endpoint is null.</exception>
    /// <exception cref="ArgumentException">An endpoint is neither IPv4 nor IPv6, or <paramref name="transport"/> is not Stream or Datagram.</exception>
    public static ProxyHeader CreateProxy(IPEndPoint source, IPEndPoint destination, ProxyTransport transport = ProxyTransport.Stream)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        ThrowIfNotStreamOrDatagram(transport);

        System.Net.Sockets.AddressFamily sourceFamily = source.AddressFamily;
        System.Net.Sockets.AddressFamily destinationFamily = destination.AddressFamily;
        if (sourceFamily is not (System.Net.Sockets.AddressFamily.InterNetwork or System.Net.Sockets.AddressFamily.InterNetworkV6) ||
            destinationFamily is not (System.Net.Sockets.AddressFamily.InterNetwork or System.Net.Sockets.AddressFamily.InterNetworkV6))
        {
            throw new ArgumentException("Only IPv4 and IPv6 endpoints can be written as IP addresses.", sourceFamily is System.Net.Sockets.AddressFamily.InterNetwork or System.Net.Sockets.AddressFamily.InterNetworkV6 ? nameof(destination) : nameof(source));
        }

        ProxyAddressFamily family = sourceFamily == System.Net.Sockets.AddressFamily.InterNetwork && destinationFamily == System.Net.Sockets.AddressFamily.InterNetwork
            ? ProxyAddressFamily.InterNetwork
            : ProxyAddressFamily.InterNetworkV6;
        int size = family == ProxyAddressFamily.InterNetwork ? 4 : 16;

        Span<byte> src = stackalloc byte[16];
        Span<byte> dst = stackalloc byte[16];
        WriteAddress(source.Address, src.Slice(0, size));
        WriteAddress(destination.Address, dst.Slice(0, size));

        return new ProxyHeader(
            ProxyVersion.V2, ProxyCommand.Proxy, family, transport,
            src.Slice(0, size), dst.Slice(0, size),
            checked((ushort)source.Port), checked((ushort)destination.Port), 0, 0, 0);
    }

    /// <summary>Creates a PROXY header for a Unix-socket connection (v2 only; v1 writes it as <c>UNKNOWN</c>).</summary>
    /// <remarks>The header owns a copy of the two paths (one 216-byte array).</remarks>
    /// <param name="sourcePath">The client's socket path in UTF-8, at most 108 bytes.</param>
    /// <param name="destinationPath">The listening socket's path in UTF-8, at most 108 bytes.</param>
    /// <param name="transport"><see cref="ProxyTransport.Stream"/> (the default) or <see cref="ProxyTransport.Datagram"/>.</param>
    /// <returns>The header.</returns>
    /// <exception cref="ArgumentException">A path is longer than 108 bytes, or <paramref name="transport"/> is not Stream or Datagram.</exception>
    public static ProxyHeader CreateUnix(ReadOnlySpan<byte> sourcePath, ReadOnlySpan<byte> destinationPath, ProxyTransport transport = ProxyTransport.Stream)
    {
        ThrowIfNotStreamOrDatagram(transport);
        if (sourcePath.Length > WireFormat.UnixPathLength)
        {
            throw new ArgumentException("A Unix socket path is at most 108 bytes.", nameof(sourcePath));
        }

        if (destinationPath.Length > WireFormat.UnixPathLength)
        {
            throw new ArgumentException("A Unix socket path is at most 108 bytes.", nameof(destinationPath));
        }

        // Paths are NUL-padded to 108 bytes on the wire (V2-06); copying into a new (zeroed) block does that.
        byte[] block = new byte[WireFormat.UnixBlockLength];
        sourcePath.CopyTo(block);
        destinationPath.CopyTo(block.AsSpan(WireFormat.UnixPathLength));
        return new ProxyHeader(ProxyCommand.Proxy, transport, block);
    }

    /// <summary>Creates a PROXY header for a Unix-socket connection from two paths.</summary>
    /// <param name="sourcePath">The client's socket path, at most 108 bytes in UTF-8.</param>
    /// <param name="destinationPath">The listening socket's path, at most 108 bytes in UTF-8.</param>
    /// <param name="transport"><see cref="ProxyTransport.Stream"/> (the default) or <see cref="ProxyTransport.Datagram"/>.</param>
    /// <returns>The header.</returns>
    /// <exception cref="ArgumentException">A path is longer than 108 bytes in UTF-8.</exception>
    public static ProxyHeader CreateUnix(string sourcePath, string destinationPath, ProxyTransport transport = ProxyTransport.Stream)
    {
        ArgumentNullException.ThrowIfNull(sourcePath);
        ArgumentNullException.ThrowIfNull(destinationPath);
        Span<byte> src = stackalloc byte[WireFormat.UnixPathLength];
        Span<byte> dst = stackalloc byte[WireFormat.UnixPathLength];
        if (!Encoding.UTF8.TryGetBytes(sourcePath, src, out int srcLength))
        {
            throw new ArgumentException("A Unix socket path is at most 108 bytes.", nameof(sourcePath));
        }

        if (!Encoding.UTF8.TryGetBytes(destinationPath, dst, out int dstLength))
        {
            throw new ArgumentException("A Unix socket path is at most 108 bytes.", nameof(destinationPath));
        }

        return CreateUnix(src.Slice(0, srcLength), dst.Slice(0, dstLength), transport);
    }

    /// <summary>
    /// Creates the header that describes a connection between two socket endpoints, as a proxy would:
    /// IP endpoints give a PROXY header, Unix endpoints a Unix header, anything else a LOCAL header (TX-04).
    /// </summary>
    /// <param name="source">The client's endpoint (for example <c>Socket.RemoteEndPoint</c>).</param>
    /// <param name="destination">The endpoint the client connected to (for example <c>Socket.LocalEndPoint</c>).</param>
    /// <param name="transport"><see cref="ProxyTransport.Stream"/> (the default) or <see cref="ProxyTransport.Datagram"/>.</param>
    /// <returns>The header.</returns>
    public static ProxyHeader Create(EndPoint? source, EndPoint? destination, ProxyTransport transport = ProxyTransport.Stream) => (source, destination) switch
    {
        (IPEndPoint s, IPEndPoint d) => CreateProxy(s, d, transport),
        (UnixDomainSocketEndPoint s, UnixDomainSocketEndPoint d) => CreateUnix(s, d, transport),
        _ => CreateLocal(),
    };

    /// <summary>
    /// Takes the paths from the endpoints' socket addresses: <c>ToString()</c> shows an abstract socket's name
    /// as <c>@name</c>, while on the wire it starts with its NUL.
    /// </summary>
    private static ProxyHeader CreateUnix(UnixDomainSocketEndPoint source, UnixDomainSocketEndPoint destination, ProxyTransport transport)
    {
        const int PathOffset = 2; // sun_path follows the 2-byte family (sun_len + sun_family on BSDs)
        SocketAddress sourceAddress = source.Serialize();
        SocketAddress destinationAddress = destination.Serialize();
        return CreateUnix(
            sourceAddress.Buffer.Span.Slice(PathOffset, sourceAddress.Size - PathOffset),
            destinationAddress.Buffer.Span.Slice(PathOffset, destinationAddress.Size - PathOffset),
            transport);
    }

    private static void WriteAddress(IPAddress address, Span<byte> destination)
    {
        if (destination.Length == 16 && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
        {
            // v4-mapped IPv6: ::ffff:a.b.c.d (RFC 4291 2.5.5.2).
            destination.Slice(0, 10).Clear();
            BinaryPrimitives.WriteUInt16BigEndian(destination.Slice(10), 0xFFFF);
            address.TryWriteBytes(destination.Slice(12), out _);
            return;
        }

        address.TryWriteBytes(destination, out _);
    }

    private static void ThrowIfNotStreamOrDatagram(ProxyTransport transport)
    {
        if (transport is not (ProxyTransport.Stream or ProxyTransport.Datagram))
        {
            throw new ArgumentException("The transport of a PROXY header with addresses is Stream or Datagram.", nameof(transport));
        }
    }
}
