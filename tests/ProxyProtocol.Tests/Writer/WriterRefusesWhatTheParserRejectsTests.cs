using System;
using System.Buffers;
using FsCheck.Xunit;
using ProxyProtocol.Tests.Infrastructure;
using ProxyProtocol.Tests.Vectors;

namespace ProxyProtocol.Tests.Writer;

/// <summary>
/// QUIRK-10: the writers never emit a header the parser rejects. TLVs that break a rule the parser checks are
/// refused at once with an <see cref="ArgumentException"/> whose message names the parser's error.
/// </summary>
public class WriterRefusesWhatTheParserRejectsTests
{
    private static readonly ProxyHeader s_header = ProxyHeader.CreateProxy(
        new System.Net.IPEndPoint(System.Net.IPAddress.Parse("192.168.0.1"), 56324), new System.Net.IPEndPoint(System.Net.IPAddress.Parse("192.168.0.11"), 443));

    // Each row: a TLV the parser rejects (type, value hex) and the error it reports (CRC-05, SSL-01, SSL-06, UNIQUE_ID).
    public static TheoryData<byte, string, ProxyHeaderError> RejectedTlvs => new()
    {
        { 0x03, "000000", ProxyHeaderError.InvalidCrc32cLength },
        { 0x03, "0000000000", ProxyHeaderError.InvalidCrc32cLength },
        { 0x03, "", ProxyHeaderError.InvalidCrc32cLength },
        { 0x20, "", ProxyHeaderError.InvalidSslTlv },
        { 0x20, "01000000", ProxyHeaderError.InvalidSslTlv },
        { 0x20, "0100000000 210009 544c53", ProxyHeaderError.SslSubTlvOverrun },
        { 0x20, "0100000000 21", ProxyHeaderError.SslSubTlvOverrun },
        { 0x05, new string('a', 2 * 129), ProxyHeaderError.UniqueIdTooLong },
    };

    [Theory]
    [MemberData(nameof(RejectedTlvs))]
    public void The_parser_rejects_each_TLV(byte type, string valueHex, ProxyHeaderError error)
    {
        // The independent half: the parser's verdict on the header a careless writer would produce.
        byte[] header = TestVectors.V2(0x21, 0x11, TestVectors.InetBlock, TestVectors.Tlv(type, Hex.Parse(valueHex)));
        Assert.Equal(OperationStatus.InvalidData, ProxyHeaderParser.Parse(header, out _, out _, out ProxyHeaderError actual));
        Assert.Equal(error, actual);
    }

    [Theory]
    [MemberData(nameof(RejectedTlvs))]
    public void WriteV2_refuses_the_TLV_naming_the_parser_error(byte type, string valueHex, ProxyHeaderError error)
    {
        byte[] tlvs = TestVectors.Tlv(type, Hex.Parse(valueHex));
        byte[] destination = new byte[1024];

        ArgumentException thrown = Assert.Throws<ArgumentException>(() => ProxyHeaderWriter.WriteV2(s_header, tlvs, destination, out _));
        Assert.Equal("tlvs", thrown.ParamName);
        Assert.Contains(error.ToString(), thrown.Message, StringComparison.Ordinal);
        Assert.All(destination, b => Assert.Equal(0, b)); // nothing written
        Assert.Throws<ArgumentException>(() => ProxyHeaderWriter.WriteV2(s_header, new ArrayBufferWriter<byte>(), tlvs));
    }

    [Theory]
    [MemberData(nameof(RejectedTlvs))]
    public void AddTlv_refuses_the_TLV_naming_the_parser_error(byte type, string valueHex, ProxyHeaderError error)
    {
        byte[] value = Hex.Parse(valueHex);
        ArgumentException thrown = Assert.Throws<ArgumentException>(() =>
        {
            var builder = new ProxyV2HeaderBuilder(new byte[1024], s_header);
            builder.AddTlv((ProxyTlvType)type, value);
        });
        Assert.Contains(error.ToString(), thrown.Message, StringComparison.Ordinal);
    }

    // A CRC32C the builder does not compute would fail the receiver's check: AddTlv refuses it even at 4 bytes.
    [Fact]
    public void AddTlv_refuses_a_CRC32C_it_would_not_compute()
    {
        ArgumentException thrown = Assert.Throws<ArgumentException>(() =>
        {
            var builder = new ProxyV2HeaderBuilder(new byte[64], s_header);
            builder.AddTlv(ProxyTlvType.Crc32c, [0, 0, 0, 0]);
        });
        Assert.Contains(nameof(ProxyV2HeaderBuilder.AddCrc32c), thrown.Message, StringComparison.Ordinal);
    }

    // Inside an SSL TLV the same type bytes are sub-TLVs, which the parser does not judge by type: allowed.
    [Fact]
    public void Inside_SSL_the_type_rules_do_not_apply()
    {
        byte[] buffer = new byte[64];
        var builder = new ProxyV2HeaderBuilder(buffer, s_header);
        builder.BeginSsl(ProxySslClientFlags.Ssl, 0);
        builder.AddTlv(ProxyTlvType.Crc32c, [1, 2]);
        builder.EndSsl();
        Assert.Equal(OperationStatus.Done, builder.Complete(out int length));
        Assert.True(ProxyHeaderParser.TryParse(buffer.AsSpan(0, length), out _, out _));
    }

    // QUIRK-09: WriteV2 computes one CRC32C; a second one it would leave as given, so it refuses two.
    [Fact]
    public void WriteV2_refuses_two_CRC32C_TLVs()
    {
        byte[] tlvs = Hex.Parse("030004 00000000 030004 00000000");
        ArgumentException thrown = Assert.Throws<ArgumentException>(() => ProxyHeaderWriter.WriteV2(s_header, tlvs, new byte[64], out _));
        Assert.Contains("CRC32C", thrown.Message, StringComparison.Ordinal);
    }

    // The limits themselves are allowed: a 128-byte UNIQUE_ID, a 5-byte SSL value, a 4-byte CRC32C (computed).
    [Fact]
    public void The_limits_themselves_are_written_and_parse()
    {
        byte[] tlvs = Hex.Concat(TestVectors.Tlv(0x05, new byte[128]), TestVectors.Tlv(0x20, new byte[5]), Hex.Parse("030004 00000000"));
        byte[] destination = new byte[256];
        Assert.Equal(OperationStatus.Done, ProxyHeaderWriter.WriteV2(s_header, tlvs, destination, out int written));
        Assert.True(ProxyHeaderParser.TryParse(destination.AsSpan(0, written), out ProxyHeader parsed, out _));
        Assert.Equal(s_header, parsed);

        var builder = new ProxyV2HeaderBuilder(destination, s_header);
        builder.AddTlv(ProxyTlvType.UniqueId, new byte[128]);
        builder.AddTlv(ProxyTlvType.Ssl, new byte[5]);
        builder.AddCrc32c();
        Assert.Equal(OperationStatus.Done, builder.Complete(out written));
        Assert.True(ProxyHeaderParser.TryParse(destination.AsSpan(0, written), out _, out _));
    }

    // QUIRK-10 as a property: any TLV bytes given to WriteV2, and any (type, value) given to AddTlv, either throw
    // ArgumentException or give a header the parser accepts, whatever the header (LOCAL, UNKNOWN, IP, Unix).
    [Property(MaxTest = 300)]
    public void Whatever_the_writers_accept_parses(byte[] tlvs, byte type, byte[] value, bool local)
    {
        ProxyHeader header = local ? ProxyHeader.CreateLocal() : s_header;
        ProxyParserOptions options = new() { MaxHeaderLength = ProxyParserOptions.MaxMaxHeaderLength };
        byte[] destination = new byte[ProxyParserOptions.MaxMaxHeaderLength];
        bool written;
        int length = 0;
        try
        {
            written = ProxyHeaderWriter.WriteV2(header, tlvs, destination, out length) == OperationStatus.Done;
        }
        catch (ArgumentException)
        {
            written = false;
        }

        if (written)
        {
            Assert.True(ProxyHeaderParser.TryParse(destination.AsSpan(0, length), options, out _, out int consumed), Hex.Format(destination.AsSpan(0, length).ToArray()));
            Assert.Equal(length, consumed);
        }

        try
        {
            var builder = new ProxyV2HeaderBuilder(destination, header);
            builder.AddTlv((ProxyTlvType)type, value);
            written = builder.Complete(out length) == OperationStatus.Done;
        }
        catch (ArgumentException)
        {
            written = false;
        }

        if (written)
        {
            Assert.True(ProxyHeaderParser.TryParse(destination.AsSpan(0, length), options, out _, out int consumed));
            Assert.Equal(length, consumed);
        }
    }
}
