using System;
using System.Buffers;
using System.Collections.Generic;
using FsCheck.Xunit;
using ProxyProtocol.Internal;
using ProxyProtocol.Tests.Infrastructure;

namespace ProxyProtocol.Tests.Properties;

/// <summary>CRC32C (CRC-01..05) over generated data and headers.</summary>
public class Crc32cProperties
{
    // CRC-01, CRC-06: the accelerated CRC equals the bitwise definition for any data.
    [Property(MaxTest = 200)]
    public void Library_CRC_equals_the_bitwise_definition(byte[] data) =>
        Assert.Equal(Crc32cReference.Compute(data), Crc32C.Compute(data));

    // CRC-02, CRC-04: changing any single byte of a CRC32C-protected header (signature through last TLV,
    // the CRC value included) is never accepted as a header with a CRC32C TLV. Bytes that do not frame the
    // TLVs (signature, command, addresses, every TLV value, the CRC value, sub-TLVs) are always caught. Bytes
    // that frame them (family, len, each TLV's length, the CRC TLV's type) can move the CRC32C TLV out of
    // the parsed TLVs, as the protocol allows: then what is accepted carries no CRC32C.
    [Property(Arbitrary = new[] { typeof(ProxyArbitraries) }, MaxTest = 100)]
    public void Any_single_byte_change_is_caught_or_leaves_no_CRC(CrcProtectedCase c)
    {
        byte[] written = c.Value.Write();
        Assert.True(ProxyHeaderParser.TryParse(written, RoundTripProperties.LargeHeaders, out ProxyHeader original, out _));
        HashSet<int> framing = FramingBytes(original, written);
        Random random = new(c.Value.Seed);

        for (int index = 0; index < written.Length; index++)
        {
            byte[] changed = (byte[])written.Clone();
            changed[index] ^= (byte)random.Next(1, 256);

            OperationStatus status = ProxyHeaderParser.Parse(changed, RoundTripProperties.LargeHeaders, out ProxyHeader header, out int consumed, out ProxyHeaderError error);
            if (status != OperationStatus.Done)
            {
                Assert.True(status == OperationStatus.NeedMoreData || error != ProxyHeaderError.None);
                continue;
            }

            // SEM-02: a LOCAL header is accepted whatever its len bytes hold; bytes that no longer parse as
            // TLVs become an opaque block, so the accepted header has no TLVs (and so no CRC32C) at all.
            bool localMadeOpaque = header.Command == ProxyCommand.Local && header.TlvLength == 0;
            Assert.True(framing.Contains(index) || localMadeOpaque, $"Byte {index} changed to 0x{changed[index]:x2} and the header was accepted.");
            Assert.False(header.GetTlvs(changed.AsSpan(0, consumed)).TryGetCrc32c(out _), $"Byte {index} changed and a CRC32C TLV was accepted.");
        }
    }

    /// <summary>The family byte, len, the length bytes of every top-level TLV and the CRC32C TLV's type byte.</summary>
    private static HashSet<int> FramingBytes(in ProxyHeader header, byte[] written)
    {
        HashSet<int> framing = [13, 14, 15];
        int offset = header.TlvOffset;
        foreach (ProxyTlv tlv in header.GetTlvs(written))
        {
            if (tlv.Type == ProxyTlvType.Crc32c)
            {
                framing.Add(offset);
            }

            framing.Add(offset + 1);
            framing.Add(offset + 2);
            offset += 3 + tlv.Value.Length;
        }

        return framing;
    }
}
