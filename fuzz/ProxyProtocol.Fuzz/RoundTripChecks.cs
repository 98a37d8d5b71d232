using System;
using System.Buffers;
using System.Buffers.Binary;

namespace ProxyProtocol.Fuzz;

/// <summary>
/// Parse, write, parse: a header that parses writes back (v1 and v2) to bytes that parse to an equal
/// header, and a v2 header keeps its TLV bytes exactly.
/// </summary>
internal static class RoundTripChecks
{
    private const int V2MaxLength = 16 + ushort.MaxValue;

    // Written headers are parsed with the largest limit (a lenient parse may accept up to 65551 bytes) and
    // otherwise strict options: CRC32C verified, no bare IPv4 in TCP6.
    private static readonly ProxyParserOptions s_reparse = new() { MaxHeaderLength = ProxyParserOptions.MaxMaxHeaderLength };

    // One harness process runs one input at a time: reusing the buffers keeps executions fast.
    private static readonly byte[] s_first = new byte[V2MaxLength];
    private static readonly byte[] s_second = new byte[V2MaxLength];

    /// <param name="input">The whole input.</param>
    /// <param name="header">A header parsed from <paramref name="input"/>.</param>
    /// <param name="crcVerified">Whether the parse verified a CRC32C TLV; if not, its value may change when rewritten.</param>
    public static void Check(ReadOnlySpan<byte> input, in ProxyHeader header, bool crcVerified)
    {
        // A Unix header parsed from a span reads its paths there; the writers need a header that owns them.
        ProxyHeader owned = ReceivedProxyHeader.Create(header, input).Header;
        Invariant.True(owned == header, $"the owned copy of {header} is not equal to it");
        CheckV2(input.Slice(0, header.Length), owned, crcVerified);
        CheckV1(owned);
    }

    private static void CheckV2(ReadOnlySpan<byte> original, in ProxyHeader header, bool crcVerified)
    {
        ReadOnlySpan<byte> tlvs = header.GetTlvs(original).Bytes;
        int crcAt = FindCrcValue(tlvs);
        if (crcAt >= 0 && FindCrcValue(tlvs.Slice(crcAt + 4)) >= 0)
        {
            // QUIRK-09/QUIRK-10: the writer computes one CRC32C and refuses TLVs that hold two.
            bool refused = false;
            try
            {
                ProxyHeaderWriter.WriteV2(header, tlvs, s_first, out _);
            }
            catch (ArgumentException)
            {
                refused = true;
            }

            Invariant.True(refused, "WriteV2 accepted TLVs with two CRC32C TLVs");
            return;
        }

        int expectedLength = ProxyHeaderWriter.GetV2Length(header, tlvs.Length);
        OperationStatus status = ProxyHeaderWriter.WriteV2(header, tlvs, s_first, out int written);
        Invariant.True(status == OperationStatus.Done && written == expectedLength, $"WriteV2 gave {status}, {written} bytes, expected {expectedLength}");
        ReadOnlySpan<byte> bytes = s_first.AsSpan(0, written);

        // Too small a destination: nothing written, no exception.
        status = ProxyHeaderWriter.WriteV2(header, tlvs, s_second.AsSpan(0, written - 1), out int tooSmall);
        Invariant.True(status == OperationStatus.DestinationTooSmall && tooSmall == 0, $"WriteV2 into {written - 1} bytes gave {status}/{tooSmall}");

        // The IBufferWriter form writes the same bytes.
        ArrayBufferWriter<byte> writer = new(written);
        int viaWriter = ProxyHeaderWriter.WriteV2(header, writer, tlvs);
        Invariant.True(viaWriter == written && writer.WrittenSpan.SequenceEqual(bytes), "WriteV2 into an IBufferWriter differs from WriteV2 into a span");

        // LOCAL, and PROXY with no family, are written as LOCAL with fam 0x00 and no address block (TX-02, TX-04).
        bool asLocal = header.Command == ProxyCommand.Local || header.AddressFamily == ProxyAddressFamily.Unspecified;
        ProxyHeader expected = asLocal ? ProxyHeader.CreateLocal() : header;
        ParseResult again = ParseResult.Of(bytes, s_reparse);
        Invariant.True(again.IsDone && again.Consumed == written, $"a written v2 header ({Convert.ToHexString(bytes)}) parses as {again}");
        Invariant.True(again.Header == expected && again.Header.Version == ProxyVersion.V2, $"v2 round trip changed {header} into {again.Header}");

        // The part before the TLVs is written back as it was unless LOCAL/UNKNOWN dropped a family or an opaque
        // block; a CRC32C value then changes with it, as it does when the parse did not verify it.
        int prefixLength = written - tlvs.Length;
        bool prefixKept = original.Length == written && original.Slice(0, prefixLength).SequenceEqual(bytes.Slice(0, prefixLength));
        bool crcMayChange = !crcVerified || !prefixKept;
        ReadOnlySpan<byte> tlvsAgain = again.Header.GetTlvs(bytes).Bytes;
        Invariant.True(SameExceptCrc(tlvs, tlvsAgain, crcMayChange ? crcAt : -1), "v2 round trip changed the TLV bytes");

        if (header.Version == ProxyVersion.V2)
        {
            if (prefixKept)
            {
                int crcInHeader = crcMayChange && crcAt >= 0 ? prefixLength + crcAt : -1;
                Invariant.True(SameExceptCrc(original, bytes, crcInHeader), $"v2 rewrite {Convert.ToHexString(bytes)} differs from the parsed bytes {Convert.ToHexString(original)}");
            }
            else
            {
                Invariant.True(
                    asLocal && bytes[12] == 0x20 && bytes[13] == 0 && written == 16 + tlvs.Length,
                    $"v2 rewrite {Convert.ToHexString(bytes)} of {Convert.ToHexString(original)} changed more than a LOCAL/UNKNOWN family");
            }
        }
    }

    private static void CheckV1(in ProxyHeader header)
    {
        int expectedLength = ProxyHeaderWriter.GetV1Length(header);
        OperationStatus status = ProxyHeaderWriter.WriteV1(header, s_first, out int written);
        Invariant.True(status == OperationStatus.Done && written == expectedLength && written <= ProxyHeaderWriter.MaxV1Length, $"WriteV1 gave {status}, {written} bytes, expected {expectedLength}");
        ReadOnlySpan<byte> bytes = s_first.AsSpan(0, written);

        status = ProxyHeaderWriter.WriteV1(header, s_second.AsSpan(0, written), out int exact);
        Invariant.True(status == OperationStatus.Done && exact == written && s_second.AsSpan(0, exact).SequenceEqual(bytes), "WriteV1 into an exact-size buffer differs");
        status = ProxyHeaderWriter.WriteV1(header, s_second.AsSpan(0, written - 1), out int tooSmall);
        Invariant.True(status == OperationStatus.DestinationTooSmall && tooSmall == 0, $"WriteV1 into {written - 1} bytes gave {status}/{tooSmall}");

        ParseResult again = ParseResult.Of(bytes, s_reparse);
        string text = System.Text.Encoding.ASCII.GetString(bytes);
        Invariant.True(again.IsDone && again.Consumed == written && again.Header.Version == ProxyVersion.V1, $"written v1 line \"{text.TrimEnd()}\" parses as {again}");

        // v1 carries TCP over IPv4/IPv6 only; anything else is written as UNKNOWN (V1-13, TX-04).
        bool expressible = header.HasAddresses && header.Transport == ProxyTransport.Stream &&
            header.AddressFamily is ProxyAddressFamily.InterNetwork or ProxyAddressFamily.InterNetworkV6;
        if (expressible || header.Version == ProxyVersion.V1)
        {
            Invariant.True(again.Header == header, $"v1 round trip via \"{text.TrimEnd()}\" changed {header} into {again.Header}");
        }
        else
        {
            Invariant.True(bytes.SequenceEqual("PROXY UNKNOWN\r\n"u8), $"{header} was written as \"{text.TrimEnd()}\", expected PROXY UNKNOWN");
        }

        // The written form is canonical: writing the re-parsed header gives the same line.
        status = ProxyHeaderWriter.WriteV1(again.Header, s_second, out int rewritten);
        Invariant.True(status == OperationStatus.Done && s_second.AsSpan(0, rewritten).SequenceEqual(bytes), $"v1 rewrite of \"{text.TrimEnd()}\" differs");
    }

    /// <summary>The offset of the first CRC32C TLV's value in a well-formed run, or -1.</summary>
    private static int FindCrcValue(ReadOnlySpan<byte> tlvs)
    {
        for (int offset = 0; offset < tlvs.Length;)
        {
            int length = BinaryPrimitives.ReadUInt16BigEndian(tlvs.Slice(offset + 1));
            if ((ProxyTlvType)tlvs[offset] == ProxyTlvType.Crc32c)
            {
                return offset + 3;
            }

            offset += 3 + length;
        }

        return -1;
    }

    /// <summary>Equal bytes, ignoring the 4 bytes at <paramref name="crcAt"/> when it is not -1.</summary>
    private static bool SameExceptCrc(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right, int crcAt)
    {
        if (left.Length != right.Length)
        {
            return false;
        }

        if (crcAt < 0)
        {
            return left.SequenceEqual(right);
        }

        return left.Slice(0, crcAt).SequenceEqual(right.Slice(0, crcAt)) && left.Slice(crcAt + 4).SequenceEqual(right.Slice(crcAt + 4));
    }
}
