using System;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using ProxyProtocol.Internal;

namespace ProxyProtocol;

/// <summary>
/// A parsed or to-be-written PROXY header: version, command, family, transport, and the source and
/// destination addresses and ports.
/// </summary>
/// <remarks>
/// <para>
/// Parsing creates no objects: addresses stay as bytes until <see cref="GetSourceEndPoint()"/> and friends
/// are called. IP addresses are held inline. The TLVs of a v2 header are not copied: <see cref="TlvOffset"/>
/// and <see cref="TlvLength"/> locate them in the parsed bytes, and <see cref="GetTlvs"/> reads them there.
/// </para>
/// <para>
/// Unix socket paths (two 108-byte fields) are not copied either: a header parsed from a span reads them
/// from those bytes, through the overloads that take them (<see cref="GetSourceUnixPath(ReadOnlySpan{byte})"/>,
/// <see cref="GetSourceEndPoint(ReadOnlySpan{byte})"/>, <see cref="GetSourceAddress(ReadOnlySpan{byte})"/>).
/// The header keeps a 64-bit fingerprint of the paths, so bytes that are not the ones it was parsed from
/// (a buffer reused for the next connection) are refused rather than read. Headers from the I/O adapters
/// (<see cref="ReceivedProxyHeader"/>) and from <see cref="CreateUnix(string, string, ProxyTransport)"/>
/// own their paths, and the parameterless members work for them as for IP headers.
/// </para>
/// <para>
/// For <see cref="ProxyCommand.Local"/> headers the spec says the receiver must use the real socket
/// endpoints (SEM-01): the endpoint getters return <see langword="null"/>, while the raw address bytes,
/// when the sender filled them in, stay readable for logging.
/// </para>
/// </remarks>
public readonly partial struct ProxyHeader : IEquatable<ProxyHeader>
{
    private const string UnixPathsNotHeld =
        "This Unix header was parsed from bytes it does not keep: pass those bytes (GetSourceUnixPath(headerBytes), " +
        "GetSourceEndPoint(headerBytes), GetSourceAddress(headerBytes)), or keep the header with ReceivedProxyHeader.Create.";

    // The 216-byte Unix address block when this header owns it (factories, ReceivedProxyHeader); may be longer.
    private readonly byte[]? _unixBlock;
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

    /// <summary>Creates a header from its addresses (4, 16, 108 or 0 bytes each); a Unix header gets its own copy of the paths.</summary>
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
        if (family == ProxyAddressFamily.Unix)
        {
            byte[] unixBlock = new byte[WireFormat.UnixBlockLength];
            sourceAddress.CopyTo(unixBlock);
            destinationAddress.CopyTo(unixBlock.AsSpan(slot));
            _unixBlock = unixBlock;
            UnixAddressFingerprint.Write(unixBlock, block);
            return;
        }

        sourceAddress.CopyTo(block.Slice(0, slot));
        destinationAddress.CopyTo(block.Slice(slot, slot));
    }

    /// <summary>Creates a Unix header that owns its address block (the first 216 bytes of <paramref name="unixBlock"/>).</summary>
    private ProxyHeader(ProxyCommand command, ProxyTransport transport, byte[] unixBlock)
    {
        _version = ProxyVersion.V2;
        _command = command;
        _family = ProxyAddressFamily.Unix;
        _transport = transport;
        _unixBlock = unixBlock;
        UnixAddressFingerprint.Write(unixBlock.AsSpan(0, WireFormat.UnixBlockLength), _addresses);
    }

    /// <summary>
    /// Fills <paramref name="header"/> where it lies, with the source and destination addresses given back to
    /// back as in the v2 address block (8, 32 or 216 bytes, or none).
    /// </summary>
    /// <remarks>
    /// The parsers' hot path. <c>header = new ProxyHeader(...)</c> on an <c>out</c> parameter builds the
    /// value in a temporary and copies it, and the copy's wide loads stall on the narrow stores just
    /// made; writing the fields in place avoids both. This is only ever used on a header that nothing else
    /// can see yet, so the readonly fields are still being initialised, not mutated. A Unix block is not
    /// copied: only its fingerprint is kept. Every field is written exactly once (no zeroing of the whole
    /// value first): the stores are a good part of a v2 parse.
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
        Unsafe.SkipInit(out header);

        // The addresses first, so that their bytes are loaded before anything is stored (the JIT keeps loads
        // and stores in order, as the header could alias the source). The whole block is written, zeros after
        // a short address, so that no earlier value shows through. Constant lengths for the IP families, so
        // that this is one or two moves, not a call.
        Span<byte> block = Unsafe.AsRef(in header._addresses);
        switch (addresses.Length)
        {
            case 8:
                if (Vector256.IsHardwareAccelerated)
                {
                    Vector256.CreateScalar(BinaryPrimitives.ReadUInt64LittleEndian(addresses)).AsByte().CopyTo(block);
                }
                else
                {
                    block.Clear();
                    addresses.Slice(0, 8).CopyTo(block);
                }

                break;
            case 32:
                addresses.Slice(0, 32).CopyTo(block);
                break;
            case WireFormat.UnixBlockLength:
                block.Clear();
                UnixAddressFingerprint.Write(addresses, block);
                break;
            default:
                block.Clear();
                break;
        }

        InitializeFields(ref header, version, command, family, transport, sourcePort, destinationPort, length, tlvOffset, tlvLength);
    }

    /// <summary>
    /// <see cref="Initialize"/> for a TCP4 v1 line: the two IPv4 addresses come in a register, as the bytes of
    /// the address block read little-endian (source in the low half), not through memory.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void InitializeInet4Stream(out ProxyHeader header, ProxyVersion version, ulong addresses, ushort sourcePort, ushort destinationPort, int length)
    {
        Unsafe.SkipInit(out header);
        Span<byte> block = Unsafe.AsRef(in header._addresses);
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256.CreateScalar(addresses).AsByte().CopyTo(block);
        }
        else
        {
            block.Clear();
            BinaryPrimitives.WriteUInt64LittleEndian(block, addresses);
        }

        InitializeFields(ref header, version, ProxyCommand.Proxy, ProxyAddressFamily.InterNetwork, ProxyTransport.Stream, sourcePort, destinationPort, length, 0, 0);
    }

    /// <summary>The fields other than the addresses, each stored once; see <see cref="Initialize"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void InitializeFields(
        ref ProxyHeader header,
        ProxyVersion version,
        ProxyCommand command,
        ProxyAddressFamily family,
        ProxyTransport transport,
        ushort sourcePort,
        ushort destinationPort,
        int length,
        int tlvOffset,
        int tlvLength)
    {
        Unsafe.AsRef(in header._unixBlock) = null;
        Unsafe.AsRef(in header._version) = version;
        Unsafe.AsRef(in header._command) = command;
        Unsafe.AsRef(in header._family) = family;
        Unsafe.AsRef(in header._transport) = transport;
        Unsafe.AsRef(in header._sourcePort) = sourcePort;
        Unsafe.AsRef(in header._destinationPort) = destinationPort;
        Unsafe.AsRef(in header._length) = length;
        Unsafe.AsRef(in header._tlvOffset) = tlvOffset;
        Unsafe.AsRef(in header._tlvLength) = tlvLength;
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
    /// <exception cref="InvalidOperationException">A Unix header parsed from bytes it does not keep; use
    /// <see cref="GetSourceAddress(ReadOnlySpan{byte})"/>.</exception>
    [UnscopedRef]
    public ReadOnlySpan<byte> SourceAddress => Addresses.Slice(0, GetAddressSlotLength(_family));

    /// <summary>The destination address, laid out as <see cref="SourceAddress"/>.</summary>
    /// <exception cref="InvalidOperationException">A Unix header parsed from bytes it does not keep; use
    /// <see cref="GetDestinationAddress(ReadOnlySpan{byte})"/>.</exception>
    [UnscopedRef]
    public ReadOnlySpan<byte> DestinationAddress => Addresses.Slice(GetAddressSlotLength(_family));

    /// <summary>
    /// The source address as <see cref="SourceAddress"/> gives it, reading a Unix path from the bytes the
    /// header was parsed from.
    /// </summary>
    /// <param name="header">The parsed bytes, starting at the header's first byte; read only for a Unix
    /// header that does not own its paths.</param>
    /// <returns>The address bytes.</returns>
    /// <exception cref="ArgumentException"><paramref name="header"/> is not the bytes this Unix header was
    /// parsed from (for example a buffer reused since).</exception>
    [UnscopedRef]
    public ReadOnlySpan<byte> GetSourceAddress(ReadOnlySpan<byte> header) =>
        GetAddresses(header).Slice(0, GetAddressSlotLength(_family));

    /// <summary>The destination address, as <see cref="GetSourceAddress(ReadOnlySpan{byte})"/> reads the source.</summary>
    /// <param name="header">The parsed bytes, starting at the header's first byte.</param>
    /// <returns>The address bytes.</returns>
    /// <exception cref="ArgumentException"><paramref name="header"/> is not the bytes this Unix header was parsed from.</exception>
    [UnscopedRef]
    public ReadOnlySpan<byte> GetDestinationAddress(ReadOnlySpan<byte> header) =>
        GetAddresses(header).Slice(GetAddressSlotLength(_family));

    /// <summary>Both addresses back to back, source first, as in the v2 address block (without the ports).</summary>
    /// <exception cref="InvalidOperationException">A Unix header that does not own its paths.</exception>
    /// <remarks>
    /// The Unix case is a call, out of line: with its throw inline the getter is too big to inline, and the
    /// writers, which read it for every header, took about twice as long.
    /// </remarks>
    [UnscopedRef]
    internal ReadOnlySpan<byte> Addresses => _family != ProxyAddressFamily.Unix
        ? ((ReadOnlySpan<byte>)_addresses).Slice(0, 2 * GetAddressSlotLength(_family))
        : GetOwnedUnixBlock();

    /// <summary>
    /// The inline address bytes, all 32 (IPv4 at 0 and 4, IPv6 at 0 and 16; a Unix header's fingerprint): for
    /// writers that already know the family, and copy a constant length.
    /// </summary>
    [UnscopedRef]
    internal ReadOnlySpan<byte> InlineAddresses => _addresses;

    /// <summary>The Unix address block this header owns.</summary>
    /// <exception cref="InvalidOperationException">It does not own one (parsed from a span).</exception>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private ReadOnlySpan<byte> GetOwnedUnixBlock() => _unixBlock is null
        ? throw new InvalidOperationException(UnixPathsNotHeld)
        : _unixBlock.AsSpan(0, WireFormat.UnixBlockLength);

    /// <summary>Whether this is a Unix header whose paths are only in the bytes it was parsed from.</summary>
    internal bool NeedsUnixBlock => _family == ProxyAddressFamily.Unix && _unixBlock is null;

    /// <summary>Both addresses, reading a Unix block that this header does not own from its parsed bytes, checked against the fingerprint.</summary>
    [UnscopedRef]
    private ReadOnlySpan<byte> GetAddresses(ReadOnlySpan<byte> header)
    {
        if (!NeedsUnixBlock)
        {
            return Addresses;
        }

        const int End = WireFormat.V2FixedLength + WireFormat.UnixBlockLength;
        if (header.Length < End ||
            !UnixAddressFingerprint.Matches(header.Slice(WireFormat.V2FixedLength, WireFormat.UnixBlockLength), _addresses))
        {
            throw new ArgumentException(
                "The span is not the bytes this Unix header was parsed from (was the buffer reused?); pass the parsed bytes, starting at the header's first byte.",
                nameof(header));
        }

        return header.Slice(WireFormat.V2FixedLength, WireFormat.UnixBlockLength);
    }

    /// <summary>
    /// Returns this header owning its Unix address block: the first 216 bytes of <paramref name="unixBlock"/>,
    /// which the caller has checked (<see cref="GetAddresses"/>) and will not change.
    /// </summary>
    internal ProxyHeader WithUnixBlock(byte[] unixBlock)
    {
        ProxyHeader copy = this;
        Unsafe.AsRef(in copy._unixBlock) = unixBlock;
        return copy;
    }

    /// <summary>Checks that <paramref name="header"/> holds this Unix header's paths and copies them to <paramref name="destination"/>.</summary>
    internal void CopyUnixBlock(ReadOnlySpan<byte> header, Span<byte> destination) => GetAddresses(header).CopyTo(destination);

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
        ComparableAddresses.SequenceEqual(other.ComparableAddresses);

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
        hash.AddBytes(ComparableAddresses);
        return hash.ToHashCode();
    }

    /// <summary>
    /// What equality compares for the addresses: the IP addresses, or a Unix block's fingerprint, which
    /// every Unix header holds, owned or not.
    /// </summary>
    [UnscopedRef]
    private ReadOnlySpan<byte> ComparableAddresses => _family == ProxyAddressFamily.Unix
        ? ((ReadOnlySpan<byte>)_addresses).Slice(0, UnixAddressFingerprint.Length)
        : ((ReadOnlySpan<byte>)_addresses).Slice(0, 2 * GetAddressSlotLength(_family));

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

    /// <summary>Size of one address for a family, as on the wire.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int GetAddressSlotLength(ProxyAddressFamily family) => family switch
    {
        ProxyAddressFamily.InterNetwork => 4,
        ProxyAddressFamily.InterNetworkV6 => 16,
        ProxyAddressFamily.Unix => WireFormat.UnixPathLength,
        _ => 0,
    };
}
