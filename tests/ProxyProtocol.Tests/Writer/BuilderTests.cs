using System;
using System.Buffers;
using System.Net;
using System.Text;
using ProxyProtocol.Tests.Infrastructure;
using ProxyProtocol.Tests.Vectors;

namespace ProxyProtocol.Tests.Writer;

/// <summary><see cref="ProxyV2HeaderBuilder"/>: typed TLVs, CRC32C, padding (TX-05), sizing and misuse.</summary>
public class BuilderTests
{
    private static readonly ProxyHeader s_spec = ProxyHeader.CreateProxy(
        new IPEndPoint(IPAddress.Parse("192.168.0.1"), 56324), new IPEndPoint(IPAddress.Parse("192.168.0.11"), 443));

    // CRC-03, 1.12: the builder's CRC32C header is the golden vector.
    [Fact]
    public void CRC_03_builder_writes_the_golden_CRC_vector()
    {
        byte[] buffer = new byte[64];
        ProxyV2HeaderBuilder builder = new(buffer, s_spec);
        Assert.Equal(28, builder.Length);
        builder.AddCrc32c();
        Assert.Equal(35, builder.Length);

        Assert.Equal(OperationStatus.Done, builder.Complete(out int written));
        Assert.Equal(TestVectors.Get(TestVectors.GoldenV2Tcp4Crc).Bytes, buffer.AsSpan(0, written).ToArray());
        Assert.Equal(35, builder.Length);
    }

    // Vendor TLVs and 1.12: AWS and Azure TLVs come out as the golden vectors; GCP big-endian.
    [Fact]
    public void Vendor_TLVs_match_the_golden_vectors()
    {
        byte[] buffer = new byte[128];
        ProxyV2HeaderBuilder aws = new(buffer, s_spec);
        aws.AddAwsVpcEndpointId("vpce-08d2bf15fac5001c9"u8);
        Assert.Equal(OperationStatus.Done, aws.Complete(out int written));
        Assert.Equal(TestVectors.Get(TestVectors.GoldenV2Aws).Bytes, buffer.AsSpan(0, written).ToArray());

        ProxyV2HeaderBuilder azure = new(buffer, s_spec);
        azure.AddAzureLinkId(0x26000033);
        Assert.Equal(OperationStatus.Done, azure.Complete(out written));
        Assert.Equal(TestVectors.Get(TestVectors.GoldenV2Azure).Bytes, buffer.AsSpan(0, written).ToArray());

        ProxyV2HeaderBuilder gcp = new(buffer, s_spec);
        gcp.AddGcpPscConnectionId(0x0102030405060708);
        Assert.Equal(OperationStatus.Done, gcp.Complete(out written));
        Assert.Equal(TestVectors.Get(TestVectors.V2Gcp).Bytes, buffer.AsSpan(0, written).ToArray());
    }

    // Registered types: every typed Add method writes its type byte, and the parser reads it back.
    [Fact]
    public void Typed_Add_methods_write_their_types()
    {
        byte[] buffer = new byte[512];
        ProxyV2HeaderBuilder builder = new(buffer, s_spec);
        builder.AddAlpn("h2"u8);
        builder.AddAuthority("bücher.example");
        builder.AddAuthority("raw"u8);
        builder.AddUniqueId(new byte[128]);
        builder.AddNetworkNamespace("blue"u8);
        builder.AddNoop(0);
        builder.AddTlv((ProxyTlvType)0xF0, [1, 2, 3]);
        builder.BeginSsl(ProxySslClientFlags.Ssl | ProxySslClientFlags.CertificateConnection, 0);
        builder.AddSslVersion("TLSv1.3"u8);
        builder.AddSslCommonName("client"u8);
        builder.AddSslCipher("TLS_AES_128_GCM_SHA256"u8);
        builder.AddSslSignatureAlgorithm("RSA-SHA256"u8);
        builder.AddSslKeyAlgorithm("RSA2048"u8);
        builder.AddSslGroup("x25519"u8);
        builder.AddSslSignatureScheme("ed25519"u8);
        builder.AddSslClientCertificate([0x30, 0x00]);
        builder.AddTlv((ProxyTlvType)0x29, [9]);
        builder.EndSsl();
        Assert.Equal(OperationStatus.Done, builder.Complete(out int written));

        ParseOutcome outcome = BufferShapes.ParseAllShapes(buffer.AsSpan(0, written).ToArray(), default);
        Assert.Equal(new byte[] { 0x01, 0x02, 0x02, 0x05, 0x30, 0x04, 0xF0, 0x20 }, Parser.TlvTests.Types(outcome.Tlvs));
        Assert.True(outcome.Tlvs.TryGetAuthority(out ReadOnlySpan<byte> authority));
        Assert.Equal("bücher.example", Encoding.UTF8.GetString(authority));
        Assert.True(outcome.Tlvs.TryGetSsl(out ProxySslTlv ssl));
        Assert.True(ssl.IsClientCertificateVerified);
        Assert.Equal(new byte[] { 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29 }, Parser.TlvTests.Types(ssl.SubTlvs));
        Assert.Equal(3 + 2, ProxyV2HeaderBuilder.GetTlvLength(2));
    }

    // TX-05: Complete(alignment) pads with one NOOP TLV (at least 3 bytes) to a multiple of the alignment;
    // the CRC32C is computed over the padded header.
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(8)]
    [InlineData(16)]
    [InlineData(32)]
    [InlineData(100)]
    public void TX_05_alignment_pads_with_a_NOOP(int alignment)
    {
        for (int alpnLength = 0; alpnLength < 40; alpnLength++)
        {
            byte[] buffer = new byte[512];
            ProxyV2HeaderBuilder builder = new(buffer, s_spec);
            builder.AddAlpn(new byte[alpnLength]);
            builder.AddCrc32c();
            int unpadded = builder.Length;
            Assert.Equal(OperationStatus.Done, builder.Complete(alignment, out int written));

            ParseOutcome outcome = BufferShapes.ParseWhole(buffer.AsSpan(0, written).ToArray(), default);
            Assert.Equal(OperationStatus.Done, outcome.Status); // the CRC verifies
            if (alignment <= 1 || unpadded % alignment == 0)
            {
                Assert.Equal(unpadded, written);
                continue;
            }

            Assert.Equal(0, written % alignment);
            Assert.InRange(written - unpadded, 3, alignment + 2);
            Assert.Equal(new byte[] { 0x01, 0x03, 0x04 }, Parser.TlvTests.Types(outcome.Tlvs));
        }
    }

    // A destination of any size below the header's gives DestinationTooSmall from Complete, with Length
    // telling the size needed; that size then gives the same bytes.
    [Fact]
    public void Short_destinations_are_DestinationTooSmall_with_the_needed_Length()
    {
        byte[] expected = Build(new byte[512], out OperationStatus status, out int needed);
        Assert.Equal(OperationStatus.Done, status);

        for (int size = 0; size < needed; size++)
        {
            Build(new byte[size], out status, out int length);
            Assert.Equal(OperationStatus.DestinationTooSmall, status);
            Assert.Equal(needed, length);
        }

        Assert.Equal(expected, Build(new byte[needed], out status, out _));
        Assert.Equal(OperationStatus.Done, status);

        static byte[] Build(byte[] buffer, out OperationStatus status, out int length)
        {
            ProxyV2HeaderBuilder builder = new(buffer, s_spec);
            builder.AddAlpn("h2"u8);
            builder.AddAuthority("example.com");
            builder.BeginSsl(ProxySslClientFlags.Ssl, 0);
            builder.AddSslVersion("TLSv1.3"u8);
            builder.EndSsl();
            builder.AddAzureLinkId(7);
            builder.AddAwsVpcEndpointId("vpce-1"u8);
            builder.AddGcpPscConnectionId(9);
            builder.AddCrc32c();
            status = builder.Complete(16, out int written);
            length = builder.Length;
            Assert.Equal(status == OperationStatus.Done ? length : 0, written);
            return buffer.AsSpan(0, written).ToArray();
        }
    }

    // Misuse is an exception, not a status: SSL sub-TLVs outside BeginSsl/EndSsl, nesting, top-level TLVs
    // inside SSL, a second CRC32C, anything after Complete.
    [Fact]
    public void Misuse_throws_InvalidOperationException()
    {
        Assert.Throws<InvalidOperationException>(() => New().AddSslVersion("TLSv1.3"u8));
        Assert.Throws<InvalidOperationException>(() => New().AddSslClientCertificate([1]));
        Assert.Throws<InvalidOperationException>(() => New().EndSsl());
        Assert.Throws<InvalidOperationException>(() => InSsl().BeginSsl(ProxySslClientFlags.None, 0));
        Assert.Throws<InvalidOperationException>(() => InSsl().AddAlpn("h2"u8));
        Assert.Throws<InvalidOperationException>(() => InSsl().AddAuthority("x"));
        Assert.Throws<InvalidOperationException>(() => InSsl().AddAuthority("x"u8));
        Assert.Throws<InvalidOperationException>(() => InSsl().AddUniqueId([1]));
        Assert.Throws<InvalidOperationException>(() => InSsl().AddNetworkNamespace("n"u8));
        Assert.Throws<InvalidOperationException>(() => InSsl().AddNoop(1));
        Assert.Throws<InvalidOperationException>(() => InSsl().AddCrc32c());
        Assert.Throws<InvalidOperationException>(() => InSsl().AddAwsVpcEndpointId("vpce-1"u8));
        Assert.Throws<InvalidOperationException>(() => InSsl().AddAzureLinkId(1));
        Assert.Throws<InvalidOperationException>(() => InSsl().AddGcpPscConnectionId(1));
        Assert.Throws<InvalidOperationException>(() => InSsl().Complete(out _));
        Assert.Throws<InvalidOperationException>(() =>
        {
            ProxyV2HeaderBuilder builder = New();
            builder.AddCrc32c();
            builder.AddCrc32c();
        });
        Assert.Throws<InvalidOperationException>(() =>
        {
            ProxyV2HeaderBuilder builder = New();
            builder.Complete(out _);
            builder.Complete(out _);
        });
        Assert.Throws<InvalidOperationException>(() =>
        {
            ProxyV2HeaderBuilder builder = New();
            builder.Complete(out _);
            builder.AddAlpn("h2"u8);
        });

        static ProxyV2HeaderBuilder New() => new(new byte[256], s_spec);

        static ProxyV2HeaderBuilder InSsl()
        {
            ProxyV2HeaderBuilder builder = New();
            builder.BeginSsl(ProxySslClientFlags.Ssl, 0);
            return builder;
        }
    }

    // Breaking a protocol limit is an ArgumentException: UNIQUE_ID over 128 bytes, a value over 65535
    // bytes, a header over 65551 bytes, negative sizes.
    [Fact]
    public void Protocol_limits_throw_ArgumentException()
    {
        Assert.Throws<ArgumentException>(() => New().AddUniqueId(new byte[129]));
        Assert.Throws<ArgumentException>(() => New().AddTlv(ProxyTlvType.Noop, new byte[65536]));
        Assert.Throws<ArgumentException>(() => New().AddNoop(65536));
        Assert.Throws<ArgumentOutOfRangeException>(() => New().AddNoop(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => New().Complete(-1, out _));
        Assert.Throws<ArgumentNullException>(() => New().AddAuthority((string)null!));
        Assert.Throws<ArgumentException>(() =>
        {
            ProxyV2HeaderBuilder builder = New();
            builder.AddNoop(40000);
            builder.AddNoop(25530);
        });
        Assert.Throws<ArgumentException>(() =>
        {
            ProxyV2HeaderBuilder builder = New();
            builder.BeginSsl(ProxySslClientFlags.Ssl, 0);
            builder.AddSslClientCertificate(new byte[65000]);
            builder.AddSslCipher(new byte[600]);
        });

        // Up to the limits it works, even in a buffer that is too small.
        ProxyV2HeaderBuilder largest = New();
        largest.AddNoop(40000);
        largest.AddNoop(65535 - 12 - 40003 - 3);
        Assert.Equal(OperationStatus.DestinationTooSmall, largest.Complete(out _));
        Assert.Equal(65551, largest.Length);

        static ProxyV2HeaderBuilder New() => new(new byte[256], s_spec);
    }

    // Complete writes the final len field, whatever was written before.
    [Fact]
    public void Complete_writes_the_length_field()
    {
        byte[] buffer = new byte[64];
        buffer.AsSpan().Fill(0xFF);
        ProxyV2HeaderBuilder builder = new(buffer, ProxyHeader.CreateLocal());
        builder.AddNoop(2);

        Assert.Equal(OperationStatus.Done, builder.Complete(out int written));
        Assert.Equal(21, written);
        Assert.Equal(Hex.Parse("20 00 00 05 04 00 02 00 00"), buffer.AsSpan(12, 9).ToArray());
    }
}
