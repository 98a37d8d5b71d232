using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using ProxyProtocol.Tests.Infrastructure;

namespace ProxyProtocol.Tests.Properties;

/// <summary>One TLV to put into a generated v2 header, with the bytes it must come out as.</summary>
public abstract class TlvCase
{
    /// <summary>The type and value the parser must report for this TLV.</summary>
    public abstract (ProxyTlvType Type, byte[] Value) Expected { get; }

    /// <summary>Adds the TLV through the builder's matching method.</summary>
    internal abstract void AddTo(ref ProxyV2HeaderBuilder builder);

    public override string ToString() => $"{Expected.Type}({Expected.Value.Length})";
}

/// <summary>Any type but CRC32C and SSL, through AddTlv or the typed method for the type.</summary>
public sealed class PlainTlv(ProxyTlvType type, byte[] value) : TlvCase
{
    public override (ProxyTlvType Type, byte[] Value) Expected => (type, value);

    internal override void AddTo(ref ProxyV2HeaderBuilder builder)
    {
        switch (type)
        {
            case ProxyTlvType.Alpn:
                builder.AddAlpn(value);
                break;
            case ProxyTlvType.Authority:
                builder.AddAuthority(value);
                break;
            case ProxyTlvType.UniqueId:
                builder.AddUniqueId(value);
                break;
            case ProxyTlvType.NetworkNamespace:
                builder.AddNetworkNamespace(value);
                break;
            default:
                builder.AddTlv(type, value);
                break;
        }
    }
}

public sealed class AuthorityStringTlv(string authority) : TlvCase
{
    public override (ProxyTlvType Type, byte[] Value) Expected => (ProxyTlvType.Authority, Encoding.UTF8.GetBytes(authority));

    internal override void AddTo(ref ProxyV2HeaderBuilder builder) => builder.AddAuthority(authority);
}

public sealed class NoopTlv(int length) : TlvCase
{
    public override (ProxyTlvType Type, byte[] Value) Expected => (ProxyTlvType.Noop, new byte[length]);

    internal override void AddTo(ref ProxyV2HeaderBuilder builder) => builder.AddNoop(length);
}

/// <summary>The CRC32C TLV; its value is checked against the reference CRC, not compared.</summary>
public sealed class CrcTlv : TlvCase
{
    public override (ProxyTlvType Type, byte[] Value) Expected => (ProxyTlvType.Crc32c, new byte[4]);

    internal override void AddTo(ref ProxyV2HeaderBuilder builder) => builder.AddCrc32c();
}

public sealed class AwsTlv(string endpointId) : TlvCase
{
    public string EndpointId => endpointId;

    public override (ProxyTlvType Type, byte[] Value) Expected => (ProxyTlvType.Aws, Hex.Concat([0x01], Encoding.ASCII.GetBytes(endpointId)));

    internal override void AddTo(ref ProxyV2HeaderBuilder builder) => builder.AddAwsVpcEndpointId(Encoding.ASCII.GetBytes(endpointId));
}

public sealed class AzureTlv(uint linkId) : TlvCase
{
    public uint LinkId => linkId;

    public override (ProxyTlvType Type, byte[] Value) Expected
    {
        get
        {
            byte[] value = new byte[5];
            value[0] = 0x01;
            BinaryPrimitives.WriteUInt32LittleEndian(value.AsSpan(1), linkId);
            return (ProxyTlvType.Azure, value);
        }
    }

    internal override void AddTo(ref ProxyV2HeaderBuilder builder) => builder.AddAzureLinkId(linkId);
}

public sealed class GcpTlv(ulong connectionId) : TlvCase
{
    public ulong ConnectionId => connectionId;

    public override (ProxyTlvType Type, byte[] Value) Expected
    {
        get
        {
            byte[] value = new byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(value, connectionId);
            return (ProxyTlvType.Gcp, value);
        }
    }

    internal override void AddTo(ref ProxyV2HeaderBuilder builder) => builder.AddGcpPscConnectionId(connectionId);
}

/// <summary>An SSL TLV with its sub-TLVs (any types, including a nested SSL as an opaque value).</summary>
public sealed class SslTlv(ProxySslClientFlags client, uint verify, IReadOnlyList<(ProxyTlvType Type, byte[] Value)> subTlvs) : TlvCase
{
    public ProxySslClientFlags Client => client;

    public uint Verify => verify;

    public IReadOnlyList<(ProxyTlvType Type, byte[] Value)> SubTlvs => subTlvs;

    public override (ProxyTlvType Type, byte[] Value) Expected
    {
        get
        {
            byte[] fixedPart = new byte[5];
            fixedPart[0] = (byte)client;
            BinaryPrimitives.WriteUInt32BigEndian(fixedPart.AsSpan(1), verify);
            return (ProxyTlvType.Ssl, Hex.Concat(fixedPart, Hex.Concat(subTlvs.Select(s => Vectors.TestVectors.Tlv((byte)s.Type, s.Value)).ToArray())));
        }
    }

    internal override void AddTo(ref ProxyV2HeaderBuilder builder)
    {
        builder.BeginSsl(client, verify);
        foreach ((ProxyTlvType type, byte[] value) in subTlvs)
        {
            switch (type)
            {
                case ProxyTlvType.SslVersion: builder.AddSslVersion(value); break;
                case ProxyTlvType.SslCommonName: builder.AddSslCommonName(value); break;
                case ProxyTlvType.SslCipher: builder.AddSslCipher(value); break;
                case ProxyTlvType.SslSignatureAlgorithm: builder.AddSslSignatureAlgorithm(value); break;
                case ProxyTlvType.SslKeyAlgorithm: builder.AddSslKeyAlgorithm(value); break;
                case ProxyTlvType.SslGroup: builder.AddSslGroup(value); break;
                case ProxyTlvType.SslSignatureScheme: builder.AddSslSignatureScheme(value); break;
                case ProxyTlvType.SslClientCertificate: builder.AddSslClientCertificate(value); break;
                default: builder.AddTlv(type, value); break;
            }
        }

        builder.EndSsl();
    }

    public override string ToString() => $"Ssl({client}, {verify}, [{string.Join(", ", subTlvs.Select(s => $"{s.Type}({s.Value.Length})"))}])";
}

/// <summary>A generated header and how to write it.</summary>
public sealed class HeaderCase
{
    public HeaderCase(ProxyVersion version, ProxyHeader header, IReadOnlyList<TlvCase> tlvs, int alignment, bool useBuilder, int seed)
    {
        Version = version;
        Header = header;
        Tlvs = tlvs;
        Alignment = alignment;
        UseBuilder = useBuilder;
        Seed = seed;
    }

    public ProxyVersion Version { get; }

    public ProxyHeader Header { get; }

    /// <summary>The TLVs of a v2 header, in order (empty for v1).</summary>
    public IReadOnlyList<TlvCase> Tlvs { get; }

    /// <summary>Complete's alignment (TX-05); 0 or 1 for none.</summary>
    public int Alignment { get; }

    /// <summary>Whether to write through <see cref="ProxyV2HeaderBuilder"/> or <see cref="ProxyHeaderWriter.WriteV2(in ProxyHeader, ReadOnlySpan{byte}, Span{byte}, out int)"/>.</summary>
    public bool UseBuilder { get; }

    /// <summary>Drives the test's own random choices (split points, masks).</summary>
    public int Seed { get; }

    public bool HasCrc => Tlvs.Any(t => t is CrcTlv);

    /// <summary>
    /// The header the wire carries. v1: TCP4/TCP6 as they are, anything else as UNKNOWN (TX-04). v2: LOCAL, and
    /// PROXY with an unspecified family, as LOCAL with fam 0x00 and no addresses (TX-02, TX-04, QUIRK-10).
    /// </summary>
    public ProxyHeader ExpectedHeader =>
        Version == ProxyVersion.V2
            ? (Header.Command == ProxyCommand.Local || Header.AddressFamily == ProxyAddressFamily.Unspecified ? ProxyHeader.CreateLocal() : Header)
            : (Header.HasAddresses && Header.Transport == ProxyTransport.Stream && Header.AddressFamily is ProxyAddressFamily.InterNetwork or ProxyAddressFamily.InterNetworkV6)
                ? Header
                : ProxyHeader.CreateUnknown();

    /// <summary>The TLVs the parser must report, the alignment padding included.</summary>
    public IReadOnlyList<(ProxyTlvType Type, byte[] Value)> ExpectedTlvs(int writtenLength)
    {
        List<(ProxyTlvType, byte[])> expected = Tlvs.Select(t => t.Expected).ToList();
        int unpadded = ProxyHeaderWriter.GetV2Length(Header, expected.Sum(t => 3 + t.Item2.Length));
        int padding = Padding(unpadded, Alignment);
        if (padding > 0)
        {
            expected.Add((ProxyTlvType.Noop, new byte[padding - 3]));
        }

        Assert.Equal(unpadded + padding, writtenLength);
        return expected;
    }

    /// <summary>Writes the header; returns exactly its bytes.</summary>
    public byte[] Write()
    {
        if (Version == ProxyVersion.V1)
        {
            byte[] line = new byte[ProxyHeaderWriter.MaxV1Length];
            Assert.Equal(OperationStatus.Done, ProxyHeaderWriter.WriteV1(Header, line, out int lineLength));
            Assert.Equal(ProxyHeaderWriter.GetV1Length(Header), lineLength);
            return line.AsSpan(0, lineLength).ToArray();
        }

        byte[] buffer = new byte[ProxyParserOptions.MaxMaxHeaderLength];
        int written;
        if (UseBuilder)
        {
            ProxyV2HeaderBuilder builder = new(buffer, Header);
            foreach (TlvCase tlv in Tlvs)
            {
                tlv.AddTo(ref builder);
            }

            Assert.Equal(OperationStatus.Done, builder.Complete(Alignment, out written));
            Assert.Equal(builder.Length, written);
        }
        else
        {
            // Encode the TLVs by hand, padding included, and let the writer fill in the CRC32C.
            List<byte[]> encoded = Tlvs.Select(t => Vectors.TestVectors.Tlv((byte)t.Expected.Type, t.Expected.Value)).ToList();
            int unpadded = ProxyHeaderWriter.GetV2Length(Header, encoded.Sum(e => e.Length));
            int padding = Padding(unpadded, Alignment);
            if (padding > 0)
            {
                encoded.Add(Vectors.TestVectors.Tlv((byte)ProxyTlvType.Noop, new byte[padding - 3]));
            }

            byte[] tlvBytes = Hex.Concat([.. encoded]);
            Assert.Equal(OperationStatus.Done, ProxyHeaderWriter.WriteV2(Header, tlvBytes, buffer, out written));
            Assert.Equal(ProxyHeaderWriter.GetV2Length(Header, tlvBytes.Length), written);
        }

        return buffer.AsSpan(0, written).ToArray();
    }

    public override string ToString() =>
        $"{Version} {Header} tlvs=[{string.Join(", ", Tlvs)}] align={Alignment} builder={UseBuilder} seed={Seed}";

    /// <summary>The test's own statement of TX-05: a NOOP takes at least 3 bytes, so small gaps grow by whole multiples.</summary>
    private static int Padding(int length, int alignment)
    {
        if (alignment <= 1)
        {
            return 0;
        }

        int padding = (alignment - (length % alignment)) % alignment;
        while (padding is 1 or 2)
        {
            padding += alignment;
        }

        return padding;
    }
}
