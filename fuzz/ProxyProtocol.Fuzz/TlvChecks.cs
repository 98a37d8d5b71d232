using System;
using System.Buffers.Binary;

namespace ProxyProtocol.Fuzz;

/// <summary>
/// Invariants of the TLV reader: <see cref="ProxyTlvs"/> enumeration and every typed accessor, SSL
/// sub-TLVs included, checked against a plain reference walk of the same bytes.
/// </summary>
internal static class TlvChecks
{
    private const int TlvHeaderLength = 3;
    private const int SslFixedLength = 5;

    // Named types that TryFind is asked for on every run of TLVs, plus two that are never special.
    private static readonly ProxyTlvType[] s_findTypes =
    [
        ProxyTlvType.Alpn, ProxyTlvType.Authority, ProxyTlvType.Crc32c, ProxyTlvType.Noop, ProxyTlvType.UniqueId,
        ProxyTlvType.Ssl, ProxyTlvType.SslVersion, ProxyTlvType.SslCommonName, ProxyTlvType.SslCipher,
        ProxyTlvType.SslSignatureAlgorithm, ProxyTlvType.SslKeyAlgorithm, ProxyTlvType.SslGroup,
        ProxyTlvType.SslSignatureScheme, ProxyTlvType.SslClientCertificate, ProxyTlvType.NetworkNamespace,
        ProxyTlvType.Gcp, ProxyTlvType.Aws, ProxyTlvType.Azure, (ProxyTlvType)0x00, (ProxyTlvType)0xFF,
    ];

    /// <summary>
    /// The TLVs of a parsed header: the region the header points at, well formed to its end, with the rules
    /// the parser promised to enforce (CRC-05, SSL-01, SSL-06, UNIQUE_ID length).
    /// </summary>
    /// <param name="input">The whole input (the header plus whatever followed it).</param>
    /// <param name="header">A header parsed from <paramref name="input"/>.</param>
    public static void CheckParsedHeader(ReadOnlySpan<byte> input, in ProxyHeader header)
    {
        ReadOnlySpan<byte> headerBytes = input.Slice(0, header.Length);
        ProxyTlvs tlvs = header.GetTlvs(headerBytes);
        ReadOnlySpan<byte> region = headerBytes.Slice(header.TlvOffset, header.TlvLength);
        Invariant.True(tlvs.IsEmpty == region.IsEmpty && tlvs.Bytes.SequenceEqual(region), "GetTlvs does not return the header's TLV region");
        Invariant.True(header.GetTlvs(input).Bytes.SequenceEqual(region), "GetTlvs over the whole input differs from GetTlvs over the header bytes");

        CheckRun(tlvs, wellFormed: true, depth: 0);

        foreach (ProxyTlv tlv in tlvs)
        {
            switch (tlv.Type)
            {
                case ProxyTlvType.Crc32c:
                    Invariant.True(tlv.Value.Length == 4, "a parsed header has a CRC32C TLV that is not 4 bytes (CRC-05)");
                    break;
                case ProxyTlvType.UniqueId:
                    Invariant.True(tlv.Value.Length <= 128, "a parsed header has a UNIQUE_ID over 128 bytes");
                    break;
                case ProxyTlvType.Ssl:
                    Invariant.True(tlv.Value.Length >= SslFixedLength, "a parsed header has an SSL TLV under 5 bytes (SSL-01)");
                    Invariant.True(WalkEnd(tlv.Value.Slice(SslFixedLength)) == tlv.Value.Length - SslFixedLength, "a parsed header has SSL sub-TLVs that overrun (SSL-06)");
                    break;
            }
        }

        // The adapters' owned copy holds exactly the same TLVs.
        ReceivedProxyHeader received = ReceivedProxyHeader.Create(header, headerBytes);
        Invariant.True(ParseResult.SameHeader(received.Header, header), "ReceivedProxyHeader.Header differs from the header");
        Invariant.True(received.TlvBytes.Span.SequenceEqual(region) && received.Tlvs.Bytes.SequenceEqual(region), "ReceivedProxyHeader's TLV bytes differ from the header's region");
    }

    /// <summary>
    /// Enumerates a run of TLVs and checks it, and every accessor, against a reference walk. Over arbitrary
    /// bytes the enumeration must stop at the first malformed TLV and say so.
    /// </summary>
    public static void CheckRun(ProxyTlvs tlvs, bool wellFormed, int depth)
    {
        ReadOnlySpan<byte> bytes = tlvs.Bytes;
        int end = WalkEnd(bytes);
        bool malformed = end != bytes.Length;
        Invariant.True(!(wellFormed && malformed), $"TLVs expected well formed stop at {end} of {bytes.Length} bytes");
        Invariant.True(tlvs.IsEmpty == bytes.IsEmpty, "ProxyTlvs.IsEmpty is wrong");

        ProxyTlvs.Enumerator enumerator = tlvs.GetEnumerator();
        int offset = 0;
        while (enumerator.MoveNext())
        {
            ProxyTlv tlv = enumerator.Current;
            Invariant.True(offset + TlvHeaderLength <= end, $"the enumerator returned a TLV at {offset}, past the well-formed end {end}");
            int length = BinaryPrimitives.ReadUInt16BigEndian(bytes.Slice(offset + 1));
            Invariant.True(tlv.Type == (ProxyTlvType)bytes[offset], $"TLV at {offset}: type {tlv.Type}, bytes say 0x{bytes[offset]:x2}");
            Invariant.True(IsSliceAt(bytes, tlv.Value, offset + TlvHeaderLength, length), $"TLV at {offset}: value is not the {length} bytes after its header");
            offset += TlvHeaderLength + length;
        }

        Invariant.True(offset == end, $"the enumerator stopped at {offset}, the TLVs end at {end}");
        Invariant.True(enumerator.IsMalformed == malformed, $"IsMalformed is {enumerator.IsMalformed} with {bytes.Length - end} trailing bytes");
        Invariant.True(!enumerator.MoveNext(), "the enumerator moved again after it ended");

        ReadOnlySpan<byte> run = bytes.Slice(0, end);
        foreach (ProxyTlvType type in s_findTypes)
        {
            bool found = tlvs.TryFind(type, out ReadOnlySpan<byte> value);
            CheckFound(run, type, found, value, "TryFind");
        }

        CheckFound(run, ProxyTlvType.Alpn, tlvs.TryGetAlpn(out ReadOnlySpan<byte> alpn), alpn, nameof(ProxyTlvs.TryGetAlpn));
        CheckFound(run, ProxyTlvType.Authority, tlvs.TryGetAuthority(out ReadOnlySpan<byte> authority), authority, nameof(ProxyTlvs.TryGetAuthority));
        CheckFound(run, ProxyTlvType.UniqueId, tlvs.TryGetUniqueId(out ReadOnlySpan<byte> uniqueId), uniqueId, nameof(ProxyTlvs.TryGetUniqueId));
        CheckFound(run, ProxyTlvType.NetworkNamespace, tlvs.TryGetNetworkNamespace(out ReadOnlySpan<byte> netns), netns, nameof(ProxyTlvs.TryGetNetworkNamespace));

        // CRC32C: the first CRC32C TLV, when it has 4 bytes, read big-endian (CRC-03).
        bool hasCrc = FindFirst(run, ProxyTlvType.Crc32c, out int crcAt, out int crcLength) && crcLength == 4;
        bool gotCrc = tlvs.TryGetCrc32c(out uint crc);
        Invariant.True(gotCrc == hasCrc && crc == (hasCrc ? BinaryPrimitives.ReadUInt32BigEndian(run.Slice(crcAt)) : 0u), $"TryGetCrc32c gave {gotCrc}/0x{crc:x8}");

        CheckVendorTlvs(tlvs, run);
        CheckSsl(tlvs, run, wellFormed, depth);
    }

    private static void CheckSsl(ProxyTlvs tlvs, ReadOnlySpan<byte> run, bool wellFormed, int depth)
    {
        bool hasSsl = FindFirst(run, ProxyTlvType.Ssl, out int at, out int length) && length >= SslFixedLength;
        bool gotSsl = tlvs.TryGetSsl(out ProxySslTlv ssl);
        Invariant.True(gotSsl == hasSsl, $"TryGetSsl gave {gotSsl}");
        if (!hasSsl)
        {
            // The default value must be harmless to read.
            Invariant.True(
                ssl.Client == ProxySslClientFlags.None && ssl.Verify == 0 && !ssl.IsClientCertificateVerified && ssl.SubTlvs.IsEmpty && !ssl.TryGetVersion(out _) && !ssl.TryGetClientCertificate(out _),
                "a default ProxySslTlv is not empty");
            return;
        }

        ReadOnlySpan<byte> value = run.Slice(at, length);
        byte client = value[0];
        uint verify = BinaryPrimitives.ReadUInt32BigEndian(value.Slice(1));
        bool verified = (client & 0x06) != 0 && verify == 0;
        Invariant.True((byte)ssl.Client == client && ssl.Verify == verify, $"SSL client/verify read as {ssl.Client}/{ssl.Verify}, bytes say {client}/{verify} (SSL-02, SSL-03)");
        Invariant.True(ssl.IsClientCertificateVerified == verified, $"IsClientCertificateVerified is {ssl.IsClientCertificateVerified} for client {client} verify {verify}");

        ProxyTlvs sub = ssl.SubTlvs;
        ReadOnlySpan<byte> subBytes = value.Slice(SslFixedLength);
        Invariant.True(IsSliceAt(run, sub.Bytes, at + SslFixedLength, subBytes.Length), "SSL SubTlvs are not the bytes after the 5 fixed bytes");
        ReadOnlySpan<byte> subRun = subBytes.Slice(0, WalkEnd(subBytes));

        CheckFound(subRun, ProxyTlvType.SslVersion, ssl.TryGetVersion(out ReadOnlySpan<byte> version), version, nameof(ProxySslTlv.TryGetVersion));
        CheckFound(subRun, ProxyTlvType.SslCommonName, ssl.TryGetCommonName(out ReadOnlySpan<byte> commonName), commonName, nameof(ProxySslTlv.TryGetCommonName));
        CheckFound(subRun, ProxyTlvType.SslCipher, ssl.TryGetCipher(out ReadOnlySpan<byte> cipher), cipher, nameof(ProxySslTlv.TryGetCipher));
        CheckFound(subRun, ProxyTlvType.SslSignatureAlgorithm, ssl.TryGetSignatureAlgorithm(out ReadOnlySpan<byte> signature), signature, nameof(ProxySslTlv.TryGetSignatureAlgorithm));
        CheckFound(subRun, ProxyTlvType.SslKeyAlgorithm, ssl.TryGetKeyAlgorithm(out ReadOnlySpan<byte> key), key, nameof(ProxySslTlv.TryGetKeyAlgorithm));
        CheckFound(subRun, ProxyTlvType.SslGroup, ssl.TryGetGroup(out ReadOnlySpan<byte> group), group, nameof(ProxySslTlv.TryGetGroup));
        CheckFound(subRun, ProxyTlvType.SslSignatureScheme, ssl.TryGetSignatureScheme(out ReadOnlySpan<byte> scheme), scheme, nameof(ProxySslTlv.TryGetSignatureScheme));
        CheckFound(subRun, ProxyTlvType.SslClientCertificate, ssl.TryGetClientCertificate(out ReadOnlySpan<byte> certificate), certificate, nameof(ProxySslTlv.TryGetClientCertificate));

        // Sub-TLVs nest one level (SSL-05); walk them as a plain run once, not recursively forever.
        if (depth == 0)
        {
            CheckRun(sub, wellFormed, depth + 1);
        }
    }

    /// <summary>AWS (0xEA), Azure (0xEE) and GCP (0xE0) accessors against the vendor layouts.</summary>
    private static void CheckVendorTlvs(ProxyTlvs tlvs, ReadOnlySpan<byte> run)
    {
        // AWS: the first 0xEA TLV with subtype 0x01 whose id is letters, digits and hyphens.
        int awsAt = -1;
        int awsLength = 0;
        bool azureFound = false;
        uint azure = 0;
        bool gcpFound = false;
        ulong gcp = 0;
        for (int offset = 0; offset < run.Length;)
        {
            ProxyTlvType type = (ProxyTlvType)run[offset];
            int length = BinaryPrimitives.ReadUInt16BigEndian(run.Slice(offset + 1));
            ReadOnlySpan<byte> value = run.Slice(offset + TlvHeaderLength, length);
            if (awsAt < 0 && type == ProxyTlvType.Aws && length >= 1 && value[0] == 0x01 && IsAlphanumericOrHyphen(value.Slice(1)))
            {
                awsAt = offset + TlvHeaderLength + 1;
                awsLength = length - 1;
            }

            if (!azureFound && type == ProxyTlvType.Azure && length == 5 && value[0] == 0x01)
            {
                azureFound = true;
                azure = BinaryPrimitives.ReadUInt32LittleEndian(value.Slice(1));
            }

            if (!gcpFound && type == ProxyTlvType.Gcp && length == 8)
            {
                gcpFound = true;
                gcp = BinaryPrimitives.ReadUInt64BigEndian(value);
            }

            offset += TlvHeaderLength + length;
        }

        bool gotAws = tlvs.TryGetAwsVpcEndpointId(out ReadOnlySpan<byte> endpointId);
        Invariant.True(gotAws == (awsAt >= 0) && (!gotAws || IsSliceAt(run, endpointId, awsAt, awsLength)), $"TryGetAwsVpcEndpointId gave {gotAws}");
        bool gotAzure = tlvs.TryGetAzureLinkId(out uint linkId);
        Invariant.True(gotAzure == azureFound && linkId == azure, $"TryGetAzureLinkId gave {gotAzure}/0x{linkId:x8}");
        bool gotGcp = tlvs.TryGetGcpPscConnectionId(out ulong connectionId);
        Invariant.True(gotGcp == gcpFound && connectionId == gcp, $"TryGetGcpPscConnectionId gave {gotGcp}/0x{connectionId:x16}");
    }

    /// <summary>An accessor's answer equals the first TLV of <paramref name="type"/> in the well-formed run.</summary>
    private static void CheckFound(ReadOnlySpan<byte> run, ProxyTlvType type, bool found, ReadOnlySpan<byte> value, string accessor)
    {
        bool expected = FindFirst(run, type, out int at, out int length);
        Invariant.True(found == expected, $"{accessor}({type}) returned {found}, expected {expected}");
        Invariant.True(found ? IsSliceAt(run, value, at, length) : value.IsEmpty, $"{accessor}({type}) returned the wrong value");
    }

    /// <summary>Reference walk: where the first TLV of a type in a well-formed run has its value.</summary>
    private static bool FindFirst(ReadOnlySpan<byte> run, ProxyTlvType type, out int valueOffset, out int valueLength)
    {
        for (int offset = 0; offset < run.Length;)
        {
            int length = BinaryPrimitives.ReadUInt16BigEndian(run.Slice(offset + 1));
            if ((ProxyTlvType)run[offset] == type)
            {
                valueOffset = offset + TlvHeaderLength;
                valueLength = length;
                return true;
            }

            offset += TlvHeaderLength + length;
        }

        valueOffset = 0;
        valueLength = 0;
        return false;
    }

    /// <summary>Reference walk: the length of the longest prefix of <paramref name="bytes"/> made of whole TLVs.</summary>
    private static int WalkEnd(ReadOnlySpan<byte> bytes)
    {
        int offset = 0;
        while (bytes.Length - offset >= TlvHeaderLength)
        {
            int length = BinaryPrimitives.ReadUInt16BigEndian(bytes.Slice(offset + 1));
            if (bytes.Length - offset - TlvHeaderLength < length)
            {
                break;
            }

            offset += TlvHeaderLength + length;
        }

        return offset;
    }

    /// <summary>Whether <paramref name="slice"/> is exactly <paramref name="length"/> bytes of <paramref name="bytes"/> at <paramref name="offset"/> (not a copy).</summary>
    private static bool IsSliceAt(ReadOnlySpan<byte> bytes, ReadOnlySpan<byte> slice, int offset, int length)
    {
        if (slice.Length != length)
        {
            return false;
        }

        if (length == 0)
        {
            return true;
        }

        return bytes.Overlaps(slice, out int elementOffset) && elementOffset == offset;
    }

    private static bool IsAlphanumericOrHyphen(ReadOnlySpan<byte> value)
    {
        foreach (byte b in value)
        {
            if (!char.IsAsciiLetterOrDigit((char)b) && b != (byte)'-')
            {
                return false;
            }
        }

        return true;
    }
}
