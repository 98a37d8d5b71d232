using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using ProxyProtocol.Internal;

namespace ProxyProtocol;

/// <summary>
/// Builds a v2 header with TLVs in a caller's buffer: the fixed part and addresses first, then each TLV,
/// then <see cref="Complete(out int)"/> fills in the length, the CRC32C and any padding.
/// </summary>
/// <remarks>
/// <para>
/// The <c>Add</c> methods never fail for lack of room: when the destination is too small they stop
/// writing and <see cref="Complete(out int)"/> returns <see cref="OperationStatus.DestinationTooSmall"/>,
/// so one check at the end covers the whole header. Breaking a protocol rule (a value over 65535 bytes,
/// a UNIQUE_ID over 128 bytes, an SSL value under 5 bytes, a CRC32C the builder does not compute, an SSL
/// sub-TLV outside <see cref="BeginSsl"/>) throws at once: the builder never writes a header the parser
/// rejects (docs/conformance.md#quirk-10). A LOCAL or UNKNOWN header starts as LOCAL with fam 0x00 (TX-02, TX-04).
/// </para>
/// <code>
/// Span&lt;byte&gt; buffer = stackalloc byte[256];
/// var builder = new ProxyV2HeaderBuilder(buffer, ProxyHeader.CreateProxy(client, server));
/// builder.AddAlpn("h2"u8);
/// builder.AddAuthority("example.com");
/// builder.AddCrc32c();
/// if (builder.Complete(out int length) == OperationStatus.Done) socket.Send(buffer[..length]);
/// </code>
/// </remarks>
public ref struct ProxyV2HeaderBuilder
{
    private readonly Span<byte> _destination;
    private int _length;
    private int _sslStart;
    private int _crcValueOffset;
    private bool _tooSmall;
    private bool _completed;

    /// <summary>Starts a v2 header: writes the signature, command, family and address block of <paramref name="header"/>.</summary>
    /// <param name="destination">Where the header is built.</param>
    /// <param name="header">The command, family, transport and addresses to write.</param>
    /// <exception cref="InvalidOperationException"><paramref name="header"/> is a Unix header parsed from a span, which does not hold its paths (keep it with <see cref="ReceivedProxyHeader.Create(in ProxyHeader, ReadOnlySpan{byte})"/>).</exception>
    public ProxyV2HeaderBuilder(Span<byte> destination, in ProxyHeader header)
    {
        _destination = destination;
        _sslStart = -1;
        _crcValueOffset = -1;
        int prefixLength = ProxyHeaderWriter.GetV2Length(header);
        if (prefixLength > destination.Length)
        {
            _tooSmall = true;
            _length = prefixLength;
        }
        else
        {
            _length = ProxyHeaderWriter.WriteV2Prefix(header, destination, prefixLength);
        }
    }

    /// <summary>The length of the header so far; after <see cref="Complete(out int)"/>, its final length.</summary>
    public readonly int Length => _length;

    /// <summary>Returns the bytes a TLV with a value of <paramref name="valueLength"/> bytes takes: 3 more.</summary>
    /// <param name="valueLength">The value's length.</param>
    /// <returns>The encoded length.</returns>
    public static int GetTlvLength(int valueLength) => WireFormat.TlvHeaderLength + valueLength;

    /// <summary>Appends a TLV of any type; inside <see cref="BeginSsl"/>, a sub-TLV of the SSL TLV.</summary>
    /// <remarks>
    /// At the top level the value is checked with the parser's rules, so that the builder never writes what a
    /// receiver rejects (docs/conformance.md#quirk-10): a CRC32C TLV only comes from <see cref="AddCrc32c"/>,
    /// which computes it; a UNIQUE_ID is at most 128 bytes; an SSL value is at least 5 bytes and its sub-TLVs fit
    /// in it. The exception's message names the <see cref="ProxyHeaderError"/> the parser would report.
    /// </remarks>
    /// <param name="type">The type byte.</param>
    /// <param name="value">The value, at most 65535 bytes.</param>
    /// <exception cref="ArgumentException">
    /// A top-level CRC32C TLV (use <see cref="AddCrc32c"/>), a UNIQUE_ID over 128 bytes, an SSL value under 5 bytes
    /// or with sub-TLVs that overrun it, a value over 65535 bytes, or a header that would exceed 65551 bytes.
    /// </exception>
    /// <exception cref="InvalidOperationException">The header was already completed.</exception>
    public void AddTlv(ProxyTlvType type, ReadOnlySpan<byte> value)
    {
        if (_sslStart < 0)
        {
            if (type == ProxyTlvType.Crc32c)
            {
                throw value.Length == 4
                    ? new ArgumentException("AddTlv does not compute a CRC32C value, and a receiver checks it (Crc32cMismatch): use AddCrc32c.", nameof(type))
                    : ProxyHeaderWriter.TlvRejected(ProxyHeaderError.InvalidCrc32cLength, nameof(value));
            }

            ProxyHeaderError error = ProxyHeaderParser.CheckRegisteredTlv(value, type, 0, value.Length);
            if (error != ProxyHeaderError.None)
            {
                throw ProxyHeaderWriter.TlvRejected(error, nameof(value));
            }
        }

        Span<byte> target = Reserve(type, value.Length);
        if (!target.IsEmpty)
        {
            value.CopyTo(target); // out of room: Reserve gave nothing, Complete reports DestinationTooSmall
        }
    }

    /// <summary>Appends ALPN (0x01), for example <c>"h2"u8</c>.</summary>
    /// <param name="protocol">The application protocol id.</param>
    public void AddAlpn(ReadOnlySpan<byte> protocol) => AddTopLevel(ProxyTlvType.Alpn, protocol);

    /// <summary>Appends AUTHORITY (0x02): the host name in UTF-8.</summary>
    /// <param name="authority">The host name bytes.</param>
    public void AddAuthority(ReadOnlySpan<byte> authority) => AddTopLevel(ProxyTlvType.Authority, authority);

    /// <summary>Appends AUTHORITY (0x02), encoding the host name as UTF-8 straight into the header.</summary>
    /// <param name="authority">The host name.</param>
    public void AddAuthority(string authority)
    {
        ArgumentNullException.ThrowIfNull(authority);
        ThrowIfInsideSsl();
        Span<byte> target = Reserve(ProxyTlvType.Authority, Encoding.UTF8.GetByteCount(authority));
        if (!target.IsEmpty)
        {
            Encoding.UTF8.GetBytes(authority, target);
        }
    }

    /// <summary>Appends UNIQUE_ID (0x05).</summary>
    /// <param name="uniqueId">The id, at most 128 bytes.</param>
    /// <exception cref="ArgumentException"><paramref name="uniqueId"/> is longer than 128 bytes.</exception>
    public void AddUniqueId(ReadOnlySpan<byte> uniqueId)
    {
        if (uniqueId.Length > WireFormat.UniqueIdMaxLength)
        {
            throw new ArgumentException("A UNIQUE_ID is at most 128 bytes.", nameof(uniqueId));
        }

        AddTopLevel(ProxyTlvType.UniqueId, uniqueId);
    }

    /// <summary>Appends NETNS (0x30): the network namespace name in US-ASCII.</summary>
    /// <param name="name">The namespace name.</param>
    public void AddNetworkNamespace(ReadOnlySpan<byte> name) => AddTopLevel(ProxyTlvType.NetworkNamespace, name);

    /// <summary>Appends a NOOP (0x04) whose value is <paramref name="valueLength"/> zero bytes.</summary>
    /// <param name="valueLength">The padding value length; the TLV takes 3 more bytes.</param>
    public void AddNoop(int valueLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(valueLength);
        ThrowIfInsideSsl();
        Reserve(ProxyTlvType.Noop, valueLength).Clear();
    }

    /// <summary>Appends a CRC32C (0x03) whose value <see cref="Complete(out int)"/> computes over the finished header.</summary>
    /// <exception cref="InvalidOperationException">A CRC32C was already added.</exception>
    public void AddCrc32c()
    {
        ThrowIfInsideSsl();
        if (_crcValueOffset >= 0)
        {
            throw new InvalidOperationException("The header already has a CRC32C TLV.");
        }

        Span<byte> value = Reserve(ProxyTlvType.Crc32c, 4);
        value.Clear();
        _crcValueOffset = _length - 4;
    }

    /// <summary>Opens an SSL TLV (0x20); add its sub-TLVs, then call <see cref="EndSsl"/>.</summary>
    /// <param name="client">The client flags (SSL-02).</param>
    /// <param name="verify">The verify result: 0 when a client certificate verified (SSL-03).</param>
    /// <exception cref="InvalidOperationException">An SSL TLV is already open.</exception>
    public void BeginSsl(ProxySslClientFlags client, uint verify)
    {
        ThrowIfInsideSsl();
        int start = _length;
        Span<byte> value = Reserve(ProxyTlvType.Ssl, WireFormat.SslFixedLength);
        if (!value.IsEmpty)
        {
            value[0] = (byte)client;
            BinaryPrimitives.WriteUInt32BigEndian(value.Slice(1), verify);
        }

        _sslStart = start;
    }

    /// <summary>Closes the SSL TLV opened by <see cref="BeginSsl"/> and writes its length.</summary>
    /// <exception cref="InvalidOperationException">No SSL TLV is open.</exception>
    public void EndSsl()
    {
        if (_sslStart < 0)
        {
            throw new InvalidOperationException("EndSsl was called without BeginSsl.");
        }

        int valueLength = _length - _sslStart - WireFormat.TlvHeaderLength;
        if (valueLength > ushort.MaxValue)
        {
            throw new InvalidOperationException("The SSL TLV's value is longer than 65535 bytes.");
        }

        if (!_tooSmall)
        {
            BinaryPrimitives.WriteUInt16BigEndian(_destination.Slice(_sslStart + 1), (ushort)valueLength);
        }

        _sslStart = -1;
    }

    /// <summary>Appends SSL_VERSION (0x21) inside the open SSL TLV, for example <c>"TLSv1.3"u8</c>.</summary>
    /// <param name="version">The US-ASCII version.</param>
    public void AddSslVersion(ReadOnlySpan<byte> version) => AddSslSub(ProxyTlvType.SslVersion, version);

    /// <summary>Appends SSL_CN (0x22) inside the open SSL TLV.</summary>
    /// <param name="commonName">The UTF-8 Common Name of the client certificate's subject.</param>
    public void AddSslCommonName(ReadOnlySpan<byte> commonName) => AddSslSub(ProxyTlvType.SslCommonName, commonName);

    /// <summary>Appends SSL_CIPHER (0x23) inside the open SSL TLV.</summary>
    /// <param name="cipher">The US-ASCII cipher name.</param>
    public void AddSslCipher(ReadOnlySpan<byte> cipher) => AddSslSub(ProxyTlvType.SslCipher, cipher);

    /// <summary>Appends SSL_SIG_ALG (0x24) inside the open SSL TLV.</summary>
    /// <param name="algorithm">The US-ASCII algorithm name.</param>
    public void AddSslSignatureAlgorithm(ReadOnlySpan<byte> algorithm) => AddSslSub(ProxyTlvType.SslSignatureAlgorithm, algorithm);

    /// <summary>Appends SSL_KEY_ALG (0x25) inside the open SSL TLV.</summary>
    /// <param name="algorithm">The US-ASCII algorithm name.</param>
    public void AddSslKeyAlgorithm(ReadOnlySpan<byte> algorithm) => AddSslSub(ProxyTlvType.SslKeyAlgorithm, algorithm);

    /// <summary>Appends SSL_GROUP (0x26) inside the open SSL TLV.</summary>
    /// <param name="group">The US-ASCII group name.</param>
    public void AddSslGroup(ReadOnlySpan<byte> group) => AddSslSub(ProxyTlvType.SslGroup, group);

    /// <summary>Appends SSL_SIG_SCHEME (0x27) inside the open SSL TLV.</summary>
    /// <param name="scheme">The US-ASCII scheme name.</param>
    public void AddSslSignatureScheme(ReadOnlySpan<byte> scheme) => AddSslSub(ProxyTlvType.SslSignatureScheme, scheme);

    /// <summary>Appends SSL_CLIENT_CERT (0x28) inside the open SSL TLV.</summary>
    /// <param name="certificate">The client certificate in ASN.1 DER.</param>
    public void AddSslClientCertificate(ReadOnlySpan<byte> certificate) => AddSslSub(ProxyTlvType.SslClientCertificate, certificate);

    /// <summary>Appends an AWS VPC endpoint id (0xEA, subtype 0x01), for example <c>"vpce-08d2bf15fac5001c9"u8</c>.</summary>
    /// <param name="endpointId">The id in US-ASCII.</param>
    public void AddAwsVpcEndpointId(ReadOnlySpan<byte> endpointId)
    {
        ThrowIfInsideSsl();
        Span<byte> value = Reserve(ProxyTlvType.Aws, 1 + endpointId.Length);
        if (!value.IsEmpty)
        {
            value[0] = VendorSubtypes.AwsVpcEndpointId;
            endpointId.CopyTo(value.Slice(1));
        }
    }

    /// <summary>Appends an Azure Private Link LINKID (0xEE, subtype 0x01, little-endian).</summary>
    /// <param name="linkId">The link id.</param>
    public void AddAzureLinkId(uint linkId)
    {
        ThrowIfInsideSsl();
        Span<byte> value = Reserve(ProxyTlvType.Azure, 5);
        if (!value.IsEmpty)
        {
            value[0] = VendorSubtypes.AzurePrivateEndpointLinkId;
            BinaryPrimitives.WriteUInt32LittleEndian(value.Slice(1), linkId);
        }
    }

    /// <summary>Appends a Google Cloud Private Service Connect connection id (0xE0, 8 bytes big-endian).</summary>
    /// <param name="connectionId">The connection id.</param>
    public void AddGcpPscConnectionId(ulong connectionId)
    {
        ThrowIfInsideSsl();
        Span<byte> value = Reserve(ProxyTlvType.Gcp, 8);
        if (!value.IsEmpty)
        {
            BinaryPrimitives.WriteUInt64BigEndian(value, connectionId);
        }
    }

    /// <summary>Finishes the header: writes its length and computes the CRC32C if one was added.</summary>
    /// <param name="bytesWritten">The header's length, when <see cref="OperationStatus.Done"/>.</param>
    /// <returns><see cref="OperationStatus.Done"/>, or <see cref="OperationStatus.DestinationTooSmall"/>; <see cref="Length"/> then tells the size needed.</returns>
    /// <exception cref="InvalidOperationException">An SSL TLV is still open (call <see cref="EndSsl"/>), or the header was already completed.</exception>
    public OperationStatus Complete(out int bytesWritten) => Complete(0, out bytesWritten);

    /// <summary>
    /// Finishes the header, first padding it with a NOOP TLV so that its length is a multiple of
    /// <paramref name="alignment"/> (TX-05), then writing its length and CRC32C.
    /// </summary>
    /// <param name="alignment">The multiple to pad to; 0 or 1 for none.</param>
    /// <param name="bytesWritten">The header's length, when <see cref="OperationStatus.Done"/>.</param>
    /// <returns><see cref="OperationStatus.Done"/>, or <see cref="OperationStatus.DestinationTooSmall"/>; <see cref="Length"/> then tells the size needed.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="alignment"/> is negative.</exception>
    /// <exception cref="ArgumentException">The NOOP padding would make the header longer than 65551 bytes.</exception>
    /// <exception cref="InvalidOperationException">An SSL TLV is still open (call <see cref="EndSsl"/>), or the header was already completed.</exception>
    public OperationStatus Complete(int alignment, out int bytesWritten)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(alignment);
        ThrowIfInsideSsl();
        if (_completed)
        {
            throw new InvalidOperationException("The header was already completed.");
        }

        if (alignment > 1)
        {
            // A NOOP takes at least 3 bytes, so a 1- or 2-byte gap grows by whole multiples.
            int padding = (alignment - (_length % alignment)) % alignment;
            while (padding is > 0 and < WireFormat.TlvHeaderLength)
            {
                padding += alignment;
            }

            if (padding > 0)
            {
                AddNoop(padding - WireFormat.TlvHeaderLength);
            }
        }

        if (_tooSmall)
        {
            bytesWritten = 0;
            return OperationStatus.DestinationTooSmall;
        }

        _completed = true;
        Span<byte> header = _destination.Slice(0, _length);
        BinaryPrimitives.WriteUInt16BigEndian(header.Slice(WireFormat.V2LengthOffset), (ushort)(_length - WireFormat.V2FixedLength));
        if (_crcValueOffset >= 0)
        {
            ProxyHeaderWriter.FillCrc32c(header, _crcValueOffset);
        }

        bytesWritten = _length;
        return OperationStatus.Done;
    }

    private void AddTopLevel(ProxyTlvType type, ReadOnlySpan<byte> value)
    {
        ThrowIfInsideSsl();
        AddTlv(type, value);
    }

    private void AddSslSub(ProxyTlvType type, ReadOnlySpan<byte> value)
    {
        if (_sslStart < 0)
        {
            throw new InvalidOperationException("SSL sub-TLVs go between BeginSsl and EndSsl.");
        }

        AddTlv(type, value);
    }

    /// <summary>Writes a TLV's type and length and returns its value's place, or an empty span when out of room.</summary>
    private Span<byte> Reserve(ProxyTlvType type, int valueLength)
    {
        if (_completed)
        {
            throw new InvalidOperationException("The header was already completed.");
        }

        if (valueLength > ushort.MaxValue)
        {
            throw new ArgumentException("A TLV value is at most 65535 bytes.", nameof(valueLength));
        }

        int end = _length + WireFormat.TlvHeaderLength + valueLength;
        if (end > WireFormat.V2MaxLength)
        {
            throw new ArgumentException("A v2 header is at most 65551 bytes.", nameof(valueLength));
        }

        int start = _length;
        _length = end;
        if (_tooSmall || end > _destination.Length)
        {
            _tooSmall = true;
            return default;
        }

        _destination[start] = (byte)type;
        BinaryPrimitives.WriteUInt16BigEndian(_destination.Slice(start + 1), (ushort)valueLength);
        return _destination.Slice(start + WireFormat.TlvHeaderLength, valueLength);
    }

    private readonly void ThrowIfInsideSsl()
    {
        if (_sslStart >= 0)
        {
            throw new InvalidOperationException("Close the SSL TLV with EndSsl first.");
        }
    }
}
