using System;
using System.Buffers;

namespace ProxyProtocol;

/// <summary>
/// Parses and writes UDP datagrams that start with a PROXY v2 header (spec 2.2 with <c>DGRAM</c> transport).
/// </summary>
/// <remarks>
/// <para>
/// Every datagram carries its own header, in the same datagram as its payload, and is parsed on its own
/// (UDP-01): a datagram never continues another, so a header cut short is
/// <see cref="ProxyHeaderError.IncompleteHeader"/>, never "need more data". v1 has no UDP form (UDP-02),
/// so a datagram starting with <c>"PROXY "</c> is rejected with <see cref="ProxyHeaderError.VersionNotAllowed"/>.
/// </para>
/// <para>
/// Parsing allocates nothing: the header's <see cref="ProxyHeader.TlvOffset"/> is relative to the datagram's
/// start, so <c>header.GetTlvs(datagram)</c> reads the TLVs in place. The transport is reported as sent; a
/// sender that proxies UDP sets <see cref="ProxyTransport.Datagram"/>, and a LOCAL header
/// (health check) has none. Some services deviate from UDP-01 and add the header to the first datagram of
/// a flow only; this parser follows the spec.
/// </para>
/// </remarks>
public static class ProxyDatagram
{
    /// <summary>Parses the v2 header at the start of a datagram and finds where the payload starts.</summary>
    /// <param name="datagram">One whole received datagram.</param>
    /// <param name="options">Limits; <see cref="ProxyParserOptions.MaxHeaderLength"/> and <see cref="ProxyParserOptions.VerifyCrc32c"/> apply.</param>
    /// <param name="header">The header, when the result is <see langword="true"/>.</param>
    /// <param name="payloadOffset">Where the payload starts (the header's length), when the result is <see langword="true"/>.</param>
    /// <param name="error">The reason, when the result is <see langword="false"/>.</param>
    /// <returns><see langword="true"/> when the datagram starts with a valid v2 header.</returns>
    public static bool TryParse(ReadOnlySpan<byte> datagram, in ProxyParserOptions options, out ProxyHeader header, out int payloadOffset, out ProxyHeaderError error)
    {
        if (ProxyHeaderParser.DetectVersion(datagram, out ProxyVersion version) == OperationStatus.Done && version == ProxyVersion.V1)
        {
            header = default;
            payloadOffset = 0;
            error = ProxyHeaderError.VersionNotAllowed; // UDP-02
            return false;
        }

        OperationStatus status = ProxyHeaderParser.ParseV2(datagram, options, out header, out payloadOffset, out error);
        if (status == OperationStatus.NeedMoreData)
        {
            error = ProxyHeaderError.IncompleteHeader; // the datagram is all there is (UDP-01)
        }

        return status == OperationStatus.Done;
    }

    /// <summary>Parses the v2 header at the start of a datagram with the default options.</summary>
    /// <param name="datagram">One whole received datagram.</param>
    /// <param name="header">The header, when the result is <see langword="true"/>.</param>
    /// <param name="payloadOffset">Where the payload starts, when the result is <see langword="true"/>.</param>
    /// <returns><see langword="true"/> when the datagram starts with a valid v2 header.</returns>
    public static bool TryParse(ReadOnlySpan<byte> datagram, out ProxyHeader header, out int payloadOffset) =>
        TryParse(datagram, ProxyParserOptions.Default, out header, out payloadOffset, out _);

    /// <summary>Parses the v2 header at the start of a datagram, throwing when there is none.</summary>
    /// <param name="datagram">One whole received datagram.</param>
    /// <param name="payloadOffset">Where the payload starts.</param>
    /// <returns>The header.</returns>
    /// <exception cref="ProxyProtocolException">The datagram does not start with a valid v2 header.</exception>
    public static ProxyHeader Parse(ReadOnlySpan<byte> datagram, out int payloadOffset) =>
        Parse(datagram, ProxyParserOptions.Default, out payloadOffset);

    /// <summary>Parses the v2 header at the start of a datagram, throwing when there is none.</summary>
    /// <param name="datagram">One whole received datagram.</param>
    /// <param name="options">Limits; <see cref="ProxyParserOptions.MaxHeaderLength"/> and <see cref="ProxyParserOptions.VerifyCrc32c"/> apply.</param>
    /// <param name="payloadOffset">Where the payload starts.</param>
    /// <returns>The header.</returns>
    /// <exception cref="ProxyProtocolException">The datagram does not start with a valid v2 header.</exception>
    public static ProxyHeader Parse(ReadOnlySpan<byte> datagram, in ProxyParserOptions options, out int payloadOffset)
    {
        if (!TryParse(datagram, options, out ProxyHeader header, out payloadOffset, out ProxyHeaderError error))
        {
            throw error == ProxyHeaderError.VersionNotAllowed && datagram.Length > 0 && datagram[0] == (byte)'P'
                ? new ProxyProtocolException(error, "A PROXY v1 header cannot describe a UDP datagram; UDP needs v2 (UDP-02).")
                : new ProxyProtocolException(error);
        }

        return header;
    }

    /// <summary>Returns the length of a datagram made of a v2 header, TLVs and a payload.</summary>
    /// <param name="header">The header.</param>
    /// <param name="tlvLength">The length of the encoded TLVs.</param>
    /// <param name="payloadLength">The payload's length.</param>
    /// <returns>The datagram's length.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A length is negative.</exception>
    public static int GetLength(in ProxyHeader header, int tlvLength, int payloadLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(payloadLength);
        return ProxyHeaderWriter.GetV2Length(header, tlvLength) + payloadLength;
    }

    /// <summary>
    /// Writes a datagram: the v2 header with its TLVs, then the payload, so that both travel together (UDP-01).
    /// </summary>
    /// <param name="header">The header, usually <see cref="ProxyHeader.CreateProxy"/> with <see cref="ProxyTransport.Datagram"/>.</param>
    /// <param name="tlvs">Encoded TLVs, possibly empty (a CRC32C value is recomputed).</param>
    /// <param name="payload">The payload.</param>
    /// <param name="destination">Where to write.</param>
    /// <param name="bytesWritten">The datagram's length, when <see cref="OperationStatus.Done"/>.</param>
    /// <returns><see cref="OperationStatus.Done"/>, or <see cref="OperationStatus.DestinationTooSmall"/> with nothing written.</returns>
    /// <exception cref="ArgumentException"><paramref name="tlvs"/> is not a run of whole TLVs.</exception>
    public static OperationStatus Write(in ProxyHeader header, ReadOnlySpan<byte> tlvs, ReadOnlySpan<byte> payload, Span<byte> destination, out int bytesWritten)
    {
        int length = GetLength(header, tlvs.Length, payload.Length);
        if (length > destination.Length)
        {
            bytesWritten = 0;
            return OperationStatus.DestinationTooSmall;
        }

        ProxyHeaderWriter.WriteV2(header, tlvs, destination, out int headerLength);
        payload.CopyTo(destination.Slice(headerLength));
        bytesWritten = headerLength + payload.Length;
        return OperationStatus.Done;
    }
}
