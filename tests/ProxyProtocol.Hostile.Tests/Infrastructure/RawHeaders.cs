using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace ProxyProtocol.Hostile.Tests.Infrastructure;

/// <summary>
/// Header bytes written by hand, byte by byte, for what a well-behaved writer would never produce: lengths that
/// lie, TLV floods, nested SSL TLVs, lines without an end.
/// </summary>
public static class RawHeaders
{
    public static ReadOnlySpan<byte> V2Signature => [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    public const byte ProxyCommand = 0x21;
    public const byte LocalCommand = 0x20;
    public const byte TcpOverIPv4 = 0x11;

    /// <summary>The 16-byte fixed part: signature, version/command, family/transport, and a length that may lie.</summary>
    public static byte[] V2Fixed(byte versionCommand, byte family, ushort length)
    {
        byte[] fixedPart = new byte[16];
        V2Signature.CopyTo(fixedPart);
        fixedPart[12] = versionCommand;
        fixedPart[13] = family;
        BinaryPrimitives.WriteUInt16BigEndian(fixedPart.AsSpan(14), length);
        return fixedPart;
    }

    /// <summary>A v2 header whose length field is exactly the body's length.</summary>
    public static byte[] V2(byte versionCommand, byte family, ReadOnlySpan<byte> body)
    {
        byte[] header = new byte[16 + body.Length];
        V2Fixed(versionCommand, family, checked((ushort)body.Length)).CopyTo(header, 0);
        body.CopyTo(header.AsSpan(16));
        return header;
    }

    /// <summary>TCP over IPv4 addresses 192.0.2.1:port -> 198.51.100.1:443 (12 bytes).</summary>
    public static byte[] IPv4Addresses(ushort sourcePort)
    {
        byte[] block = [192, 0, 2, 1, 198, 51, 100, 1, 0, 0, 0x01, 0xBB];
        BinaryPrimitives.WriteUInt16BigEndian(block.AsSpan(8), sourcePort);
        return block;
    }

    /// <summary>A TLV: type, big-endian length, value.</summary>
    public static byte[] Tlv(byte type, ReadOnlySpan<byte> value)
    {
        byte[] tlv = new byte[3 + value.Length];
        tlv[0] = type;
        BinaryPrimitives.WriteUInt16BigEndian(tlv.AsSpan(1), checked((ushort)value.Length));
        value.CopyTo(tlv.AsSpan(3));
        return tlv;
    }

    /// <summary>
    /// v2 PROXY TCP4 from 192.0.2.1:<paramref name="sourcePort"/> followed by <paramref name="count"/> zero-length
    /// NOOP TLVs (TLV-05: 3 bytes each, the smallest TLV there is).
    /// </summary>
    public static byte[] NoopFlood(int count, ushort sourcePort)
    {
        byte[] body = new byte[12 + (3 * count)];
        IPv4Addresses(sourcePort).CopyTo(body, 0);
        for (int i = 0; i < count; i++)
        {
            body[12 + (3 * i)] = (byte)ProxyTlvType.Noop; // length bytes stay 0
        }

        return V2(ProxyCommand, TcpOverIPv4, body);
    }

    /// <summary>The most zero-length NOOPs a header of the largest size, 65551 bytes, can carry: (65535 - 12) / 3.</summary>
    public const int MaxNoopCount = (ushort.MaxValue - 12) / 3;

    /// <summary>
    /// An SSL TLV whose only sub-TLV is an SSL TLV, whose only sub-TLV is an SSL TLV, ... <paramref name="depth"/>
    /// levels deep, every length consistent, with an SSL_VERSION at the bottom. Only the outer level is the
    /// protocol's (SSL-05); what is inside its first sub-TLV is opaque bytes to a parser that does not recurse.
    /// </summary>
    public static byte[] NestedSsl(int depth)
    {
        byte[] inner = Tlv((byte)ProxyTlvType.SslVersion, "TLSv1.3"u8);
        for (int level = 0; level < depth; level++)
        {
            // client = PP2_CLIENT_SSL, verify = 0, then the level below as the only sub-TLV.
            byte[] value = new byte[5 + inner.Length];
            value[0] = (byte)ProxySslClientFlags.Ssl;
            inner.CopyTo(value, 5);
            inner = Tlv((byte)ProxyTlvType.Ssl, value);
        }

        return inner;
    }

    /// <summary>How many levels of <see cref="NestedSsl"/> fit in a TLV region of <paramref name="room"/> bytes.</summary>
    public static int NestedSslDepthFor(int room) => (room - 10) / 8;

    /// <summary>v2 PROXY TCP4 with the given TLV bytes after the addresses.</summary>
    public static byte[] V2WithTlvs(ReadOnlySpan<byte> tlvs, ushort sourcePort = 4242)
    {
        byte[] body = new byte[12 + tlvs.Length];
        IPv4Addresses(sourcePort).CopyTo(body, 0);
        tlvs.CopyTo(body.AsSpan(12));
        return V2(ProxyCommand, TcpOverIPv4, body);
    }

    /// <summary>A v1 line that never ends: <c>"PROXY UNKNOWN "</c> and filler, no CR, no LF (V1-09).</summary>
    public static byte[] V1WithoutLineEnd(int length)
    {
        byte[] line = new byte[length];
        line.AsSpan().Fill((byte)'A');
        Encoding.ASCII.GetBytes("PROXY UNKNOWN ").CopyTo(line, 0);
        return line;
    }

    /// <summary>Completes a builder that must fit.</summary>
    public static byte[] Complete(byte[] buffer, ref ProxyV2HeaderBuilder builder)
    {
        if (builder.Complete(out int written) != OperationStatus.Done)
        {
            throw new InvalidOperationException("Test header too long for its buffer.");
        }

        return buffer.AsSpan(0, written).ToArray();
    }
}
