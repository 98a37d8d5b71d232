using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ProxyProtocol.Internal;

namespace ProxyProtocol;

/// <summary>
/// A zero-copy view of a run of TLVs (<c>type(1) length(2, big-endian) value(length)</c>): the TLV region of
/// a v2 header, or the sub-TLVs of an SSL TLV. Enumerate it, or use the typed accessors.
/// </summary>
/// <remarks>
/// The parser validates the framing of every TLV before a header is returned, so over a parsed header the
/// enumeration sees every TLV. Over arbitrary bytes it stops quietly at the first malformed TLV; check
/// <see cref="Enumerator.IsMalformed"/> to tell. Accessors return the first TLV of a type (TLV-06 allows
/// duplicates); enumerate to see them all.
/// </remarks>
public readonly ref struct ProxyTlvs
{
    // Checked with one vectorized search rather than byte by byte: an AWS id is 22 bytes.
    private static readonly SearchValues<byte> s_alphanumericOrHyphen =
        SearchValues.Create("-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    private readonly ReadOnlySpan<byte> _bytes;

    /// <summary>Creates a view over encoded TLVs.</summary>
    /// <param name="bytes">The TLV bytes, starting with a type byte.</param>
    public ProxyTlvs(ReadOnlySpan<byte> bytes) => _bytes = bytes;

    /// <summary>The encoded TLVs.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>Whether there are no TLV bytes at all.</summary>
    public bool IsEmpty => _bytes.IsEmpty;

    /// <summary>Returns an enumerator over the TLVs.</summary>
    /// <returns>The enumerator.</returns>
    public Enumerator GetEnumerator() => new(_bytes);

    /// <summary>Finds the first TLV of a type.</summary>
    /// <param name="type">The type to look for.</param>
    /// <param name="value">The value of the TLV found.</param>
    /// <returns><see langword="true"/> when a TLV of that type exists.</returns>
    public bool TryFind(ProxyTlvType type, out ReadOnlySpan<byte> value)
    {
        foreach (ProxyTlv tlv in this)
        {
            if (tlv.Type == type)
            {
                value = tlv.Value;
                return true;
            }
        }

        value = default;
        return false;
    }

    /// <summary>Gets the ALPN TLV (0x01): the application protocol id, for example <c>h2</c>.</summary>
    /// <param name="protocol">The protocol id bytes.</param>
    /// <returns><see langword="true"/> when present.</returns>
    public bool TryGetAlpn(out ReadOnlySpan<byte> protocol) => TryFind(ProxyTlvType.Alpn, out protocol);

    /// <summary>Gets the AUTHORITY TLV (0x02): the host name in UTF-8.</summary>
    /// <param name="authority">The host name bytes.</param>
    /// <returns><see langword="true"/> when present.</returns>
    public bool TryGetAuthority(out ReadOnlySpan<byte> authority) => TryFind(ProxyTlvType.Authority, out authority);

    /// <summary>Gets the UNIQUE_ID TLV (0x05): an opaque id of up to 128 bytes.</summary>
    /// <param name="uniqueId">The id bytes.</param>
    /// <returns><see langword="true"/> when present.</returns>
    public bool TryGetUniqueId(out ReadOnlySpan<byte> uniqueId) => TryFind(ProxyTlvType.UniqueId, out uniqueId);

    /// <summary>Gets the NETNS TLV (0x30): the network namespace name in US-ASCII.</summary>
    /// <param name="name">The name bytes.</param>
    /// <returns><see langword="true"/> when present.</returns>
    public bool TryGetNetworkNamespace(out ReadOnlySpan<byte> name) => TryFind(ProxyTlvType.NetworkNamespace, out name);

    /// <summary>Gets the value carried by the CRC32C TLV (0x03).</summary>
    /// <param name="crc">The checksum, read big-endian (CRC-03).</param>
    /// <returns><see langword="true"/> when present with the required 4 bytes.</returns>
    public bool TryGetCrc32c(out uint crc)
    {
        if (TryFind(ProxyTlvType.Crc32c, out ReadOnlySpan<byte> value) && value.Length == 4)
        {
            crc = BinaryPrimitives.ReadUInt32BigEndian(value);
            return true;
        }

        crc = 0;
        return false;
    }

    /// <summary>Gets the SSL TLV (0x20) with its client flags, verify result and sub-TLVs.</summary>
    /// <param name="ssl">The SSL information.</param>
    /// <returns><see langword="true"/> when present and at least 5 bytes long.</returns>
    public bool TryGetSsl(out ProxySslTlv ssl)
    {
        if (TryFind(ProxyTlvType.Ssl, out ReadOnlySpan<byte> value) && value.Length >= WireFormat.SslFixedLength)
        {
            ssl = new ProxySslTlv(value);
            return true;
        }

        ssl = default;
        return false;
    }

    /// <summary>
    /// Gets the AWS VPC endpoint id (type 0xEA, subtype 0x01 PP2_SUBTYPE_AWS_VPCE_ID), for example
    /// <c>vpce-08d2bf15fac5001c9</c>, sent by AWS Network Load Balancers behind PrivateLink.
    /// </summary>
    /// <param name="endpointId">The id in US-ASCII, without the subtype byte.</param>
    /// <returns><see langword="true"/> when present and made only of letters, digits and hyphens.</returns>
    public bool TryGetAwsVpcEndpointId(out ReadOnlySpan<byte> endpointId)
    {
        foreach (ProxyTlv tlv in this)
        {
            if (tlv.Type == ProxyTlvType.Aws && tlv.Value.Length >= 1 && tlv.Value[0] == VendorSubtypes.AwsVpcEndpointId)
            {
                ReadOnlySpan<byte> id = tlv.Value.Slice(1);
                if (IsAlphanumericOrHyphen(id))
                {
                    endpointId = id;
                    return true;
                }
            }
        }

        endpointId = default;
        return false;
    }

    /// <summary>
    /// Gets the Azure Private Link LINKID (type 0xEE, subtype 0x01 PP2_SUBTYPE_AZURE_PRIVATEENDPOINT_LINKID),
    /// a 32-bit value sent little-endian by Azure Private Link Service.
    /// </summary>
    /// <param name="linkId">The link id.</param>
    /// <returns><see langword="true"/> when present with exactly 5 bytes (subtype and value).</returns>
    public bool TryGetAzureLinkId(out uint linkId)
    {
        foreach (ProxyTlv tlv in this)
        {
            if (tlv.Type == ProxyTlvType.Azure && tlv.Value.Length == 5 && tlv.Value[0] == VendorSubtypes.AzurePrivateEndpointLinkId)
            {
                linkId = BinaryPrimitives.ReadUInt32LittleEndian(tlv.Value.Slice(1));
                return true;
            }
        }

        linkId = 0;
        return false;
    }

    /// <summary>
    /// Gets the Google Cloud Private Service Connect connection id (type 0xE0): exactly 8 bytes, big-endian,
    /// with no subtype byte.
    /// </summary>
    /// <param name="connectionId">The connection id.</param>
    /// <returns><see langword="true"/> when present with exactly 8 bytes.</returns>
    public bool TryGetGcpPscConnectionId(out ulong connectionId)
    {
        foreach (ProxyTlv tlv in this)
        {
            if (tlv.Type == ProxyTlvType.Gcp && tlv.Value.Length == 8)
            {
                connectionId = BinaryPrimitives.ReadUInt64BigEndian(tlv.Value);
                return true;
            }
        }

        connectionId = 0;
        return false;
    }

    private static bool IsAlphanumericOrHyphen(ReadOnlySpan<byte> value) => !value.ContainsAnyExcept(s_alphanumericOrHyphen);

    /// <summary>Enumerates TLVs without copying them.</summary>
    public ref struct Enumerator
    {
        private ReadOnlySpan<byte> _remaining;
        private ProxyTlv _current;
        private bool _malformed;

        internal Enumerator(ReadOnlySpan<byte> bytes)
        {
            _remaining = bytes;
            _current = default;
            _malformed = false;
        }

        /// <summary>The current TLV.</summary>
        public readonly ProxyTlv Current => _current;

        /// <summary>Whether enumeration stopped at bytes that are not a whole TLV.</summary>
        public readonly bool IsMalformed => _malformed;

        /// <summary>Moves to the next TLV.</summary>
        /// <returns><see langword="false"/> at the end, or at malformed bytes.</returns>
        public bool MoveNext()
        {
            // One length check each for the 3-byte prefix and the value, then no further bounds checks: the
            // walk is a chain of dependent loads, and every instruction on it counts.
            ReadOnlySpan<byte> remaining = _remaining;
            if (remaining.Length >= WireFormat.TlvHeaderLength)
            {
                ref byte tlv = ref MemoryMarshal.GetReference(remaining);
                // Unsigned, so that stepping by it needs no sign extension on the chain.
                uint length = UnalignedReads.ReadUInt16BigEndian(ref Unsafe.Add(ref tlv, 1));
                int rest = remaining.Length - WireFormat.TlvHeaderLength - (int)length;
                if (rest >= 0)
                {
                    ref byte value = ref Unsafe.Add(ref tlv, WireFormat.TlvHeaderLength);
                    _current = new ProxyTlv((ProxyTlvType)tlv, MemoryMarshal.CreateReadOnlySpan(ref value, (int)length));
                    _remaining = MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref value, (nuint)length), rest);
                    return true;
                }
            }

            if (!remaining.IsEmpty)
            {
                _malformed = true;
                _remaining = default;
            }

            return false;
        }
    }
}
