using System;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using ProxyProtocol.Internal;

namespace ProxyProtocol;

/// <summary>
/// A parsed or to-be-written PROXY header: version, command, family, transport, and the source and
/// destination addresses and ports, all held inline.
/// </summary>
/// <remarks>
/// <para>
/// Parsing creates no objects: addresses stay as bytes until <see cref="GetSourceEndPoint"/> and friends
/// are called. The TLVs of a v2 header are not copied either; <see cref="TlvOffset"/> and
/// <see cref="TlvLength"/> locate them in the parsed bytes, and <see cref="GetTlvs"/> reads them there.
/// </para>
/// <para>
/// For <see cref="ProxyCommand.Local"/> headers the spec says the receiver must use the real socket
/// endpoints (SEM-01): the endpoint getters return <see langword="null"/>, while the raw address bytes,
/// when the sender filled them in, stay readable for logging.
/// </para>
/// </remarks>
public readonly partial struct ProxyHeader : IEquatable<ProxyHeader>
{
    private readonly AddressBlock _addresses;
    private readonly int _length;
    private readonly int _tlvOffset;
    private readonly int _tlvLength;
    private readonly ushort _sourcePort;
    private readonly ushort _destinationPort;
    private readonly ProxyVersion _version;
    private readonly ProxyCommand _command;
    private readonly ProxyAddressFamily _family;
    private readonly ProxyTransport _transport;

    internal ProxyHeader(
        ProxyVersion version,
        ProxyCommand command,
        ProxyAddressFamily family,
        ProxyTransport transport,
        ReadOnlySpan<byte> sourceAddress,
        ReadOnlySpan<byte> destinationAddress,
        ushort sourcePort,
        ushort destinationPort,
        int length,
        int tlvOffset,
        int tlvLength)
    {
        _version = version;
        _command = command;
        _family = family;
        _transport = transport;
        _sourcePort = sourcePort;
        _destinationPort = destinationPort;
        _length = length;
        _tlvOffset = tlvOffset;
        _tlvLength = tlvLength;

        int slot = GetAddressSlotLength(family);
        Span<byte> block = _addresses;
        sourceAddress.CopyTo(block.Slice(0, slot));
        destinationAddress.CopyTo(block.Slice(slot, slot));
    }

    /// <summary>
    /// Fills <paramref name="header"/> where it lies, with the source and destination addresses given back to
    /// back as in the v2 address block (<c>2 * slot</c> bytes, see <see cref="GetAddressSlotLength"/>).
    /// </summary>
    /// <remarks>
    /// The parsers' hot path. <c>header = new ProxyHeader(...)</c> on an <c>out</c> parameter builds the
    /// 236-byte value in a temporary and copies it, and the copy's wide loads stall on the narrow stores just
    /// made; writing the fields in place avoids both. This is only ever used on a header that nothing else
    /// can see yet, so the readonly fields are still being initialised, not mutated.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Initialize(
        out ProxyHeader header,
        ProxyVersion version,
        ProxyCommand command,
        ProxyAddressFamily family,
        ProxyTransport transport,
        ReadOnlySpan<byte> addresses,
        ushort sourcePort,
        ushort destinationPort,
        int length,
        int tlvOffset,
        int tlvLength)
    {
        header = default;
        Unsafe.AsRef(in header._version) = version;
        Unsafe.AsRef(in header._command) = command;
        Unsafe.AsRef(in header._family) = family;
        Unsafe.AsRef(in header._transport) = transport;
        Unsafe.AsRef(in header._sourcePort) = sourcePort;
        Unsafe.AsRef(in header._destinationPort) = destinationPort;
        Unsafe.AsRef(in header._length) = length;
        Unsafe.AsRef(in header._tlvOffset) = tlvOffset;
        Unsafe.AsRef(in header._tlvLength) = tlvLength;
        // Constant lengths for the IP families, so that the copy is a couple of moves, not a call.
        Span<byte> block = Unsafe.AsRef(in header._addresses);
        switch (addresses.Length)
        {
            case 8:
                addresses.Slice(0, 8).CopyTo(block);
                break;
            case 32:
                addresses.Slice(0, 32).CopyTo(block);
                break;
            default:
                addresses.CopyTo(block);
                break;
        }
    }

    /// <summary>The header's version: the wire format it was parsed from.</summary>
    /// <remarks>Headers made by the <c>Create</c> factories report <see cref="ProxyVersion.V2"/>, the format
    /// that can carry every field.</remarks>
    public ProxyVersion Version => _version;

    /// <summary>Whether the header relays a client (<see cref="ProxyCommand.Proxy"/>) or is the proxy's own connection.</summary>
    public ProxyCommand Command => _command;

    /// <summary>The address family; v1 <c>UNKNOWN</c> is <see cref="ProxyAddressFamily.Unspecified"/>.</summary>
    public ProxyAddressFamily AddressFamily => _family;

    /// <summary>The transport; v1 <c>TCP4</c>/<c>TCP6</c> are <see cref="ProxyTransport.Stream"/>.</summary>
    public ProxyTransport Transport => _transport;

    /// <summary>The number of bytes the header took on the wire (0 for a header made by a factory).</summary>
    /// <remarks>The application's data starts right after these bytes.</remarks>
    public int Length => _length;

    /// <summary>The offset of the v2 TLV region from the first byte of the header; 0 when there is none.</summary>
    public int TlvOffset => _tlvOffset;

    /// <summary>The length in bytes of the v2 TLV region; 0 for v1 and for v2 headers without TLVs.</summary>
    public int TlvLength => _tlvLength;

    /// <summary>The source port, or 0 when the family carries no ports.</summary>
    public ushort SourcePort => _sourcePort;

    /// <summary>The destination port, or 0 when the family carries no ports.</summary>
    public ushort DestinationPort => _destinationPort;

    /// <summary>
    /// Whether the header carries addresses that the receiver should use in place of the socket's own:
    /// the command is PROXY and the family is IPv4, IPv6 or Unix.
    /// </summary>
    public bool HasAddresses => _command == ProxyCommand.Proxy && _family != ProxyAddressFamily.Unspecified;

    /// <summary>
    /// The source address in network byte order: 4 bytes for IPv4, 16 for IPv6, the 108-byte NUL-padded path
    /// for Unix, empty for UNSPEC.
    /// </summary>
    [UnscopedRef]
    public ReadOnlySpan<byte> SourceAddress
    {
        get
        {
            int slot = GetAddressSlotLength(_family);
            return ((ReadOnlySpan<byte>)_addresses).Slice(0, slot);
        }
    }

    /// <summary>The destination address, laid out as <see cref="SourceAddress"/>.</summary>
    [UnscopedRef]
    public ReadOnlySpan<byte> DestinationAddress
    {
        get
        {
            int slot = GetAddressSlotLength(_family);
            return ((ReadOnlySpan<byte>)_addresses).Slice(slot, slot);
        }
    }

    /// <summary>Both addresses back to back, source first, as in the v2 address block (without the ports).</summary>
    [UnscopedRef]
    internal ReadOnlySpan<byte> Addresses => ((ReadOnlySpan<byte>)_addresses).Slice(0, 2 * GetAddressSlotLength(_family));

    /// <summary>Reads the TLVs of a parsed v2 header from the bytes it was parsed from.</summary>
    /// <param name="header">The parsed bytes, starting at the header's first byte (at least <see cref="Length"/> bytes).</param>
    /// <returns>The TLVs; empty for v1 headers and for v2 headers without TLVs.</returns>
    /// <exception cref="ArgumentException"><paramref name="header"/> is shorter than the TLV region.</exception>
    public ProxyTlvs GetTlvs(ReadOnlySpan<byte> header)
    {
        if (_tlvLength == 0)
        {
            return default;
        }

        if (header.Length < _tlvOffset + _tlvLength)
        {
            throw new ArgumentException("The span does not hold the header's TLV region; pass the bytes the header was parsed from.", nameof(header));
        }

        return new ProxyTlvs(header.Slice(_tlvOffset, _tlvLength));
    }

    /// <summary>
    /// Compares the connection information of two headers: command, family, transport, addresses and ports.
    /// </summary>
    /// <remarks>The wire form (version, <see cref="Length"/>, the TLV region) is not compared, so a header
    /// made by a factory equals the same header after a write and a parse.</remarks>
    /// <param name="other">The header to compare with.</param>
    /// <returns><see langword="true"/> when both describe the same connection.</returns>
    public bool Equals(ProxyHeader other) =>
        _command == other._command &&
        _family == other._family &&
        _transport == other._transport &&
        _sourcePort == other._sourcePort &&
        _destinationPort == other._destinationPort &&
        SourceAddress.SequenceEqual(other.SourceAddress) &&
        DestinationAddress.SequenceEqual(other.DestinationAddress);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is ProxyHeader other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        HashCode hash = default;
        hash.Add(_command);
        hash.Add(_family);
        hash.Add(_transport);
        hash.Add(_sourcePort);
        hash.Add(_destinationPort);
        hash.AddBytes(SourceAddress);
        hash.AddBytes(DestinationAddress);
        return hash.ToHashCode();
    }

    /// <summary>Compares the connection information of two headers.</summary>
    /// <param name="left">The first header.</param>
    /// <param name="right">The second header.</param>
    /// <returns><see langword="true"/> when equal.</returns>
    public static bool operator ==(ProxyHeader left, ProxyHeader right) => left.Equals(right);

    /// <summary>Compares the connection information of two headers.</summary>
    /// <param name="left">The first header.</param>
    /// <param name="right">The second header.</param>
    /// <returns><see langword="true"/> when different.</returns>
    public static bool operator !=(ProxyHeader left, ProxyHeader right) => !left.Equals(right);

    /// <summary>Size of one address in <see cref="_addresses"/> for a family.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int GetAddressSlotLength(ProxyAddressFamily family) => family switch
    {
        ProxyAddressFamily.InterNetwork => 4,
        ProxyAddressFamily.InterNetworkV6 => 16,
        ProxyAddressFamily.Unix => WireFormat.UnixPathLength,
        _ => 0,
    };
}
