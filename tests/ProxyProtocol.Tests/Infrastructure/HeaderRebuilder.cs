using System;
using System.Buffers;

namespace ProxyProtocol.Tests.Infrastructure;

/// <summary>
/// Rebuilds a parsed v2 header with <see cref="ProxyV2HeaderBuilder"/>, calling the typed Add method for
/// each TLV in the order received, so a capture can be compared byte for byte with what the builder makes.
/// </summary>
internal static class HeaderRebuilder
{
    public static byte[] Rebuild(in ProxyHeader header, ProxyTlvs tlvs)
    {
        byte[] buffer = new byte[ProxyParserOptions.MaxMaxHeaderLength];
        ProxyV2HeaderBuilder builder = new(buffer, header);
        foreach (ProxyTlv tlv in tlvs)
        {
            switch (tlv.Type)
            {
                case ProxyTlvType.Crc32c:
                    builder.AddCrc32c();
                    break;
                case ProxyTlvType.Alpn:
                    builder.AddAlpn(tlv.Value);
                    break;
                case ProxyTlvType.Authority:
                    builder.AddAuthority(tlv.Value);
                    break;
                case ProxyTlvType.UniqueId:
                    builder.AddUniqueId(tlv.Value);
                    break;
                case ProxyTlvType.NetworkNamespace:
                    builder.AddNetworkNamespace(tlv.Value);
                    break;
                case ProxyTlvType.Ssl:
                    AddSsl(ref builder, new ProxyTlvs(tlv.Value.Slice(5)), tlv.Value[0], System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(tlv.Value.Slice(1)));
                    break;
                default:
                    builder.AddTlv(tlv.Type, tlv.Value);
                    break;
            }
        }

        Assert.Equal(OperationStatus.Done, builder.Complete(out int written));
        return buffer.AsSpan(0, written).ToArray();
    }

    private static void AddSsl(ref ProxyV2HeaderBuilder builder, ProxyTlvs subTlvs, byte client, uint verify)
    {
        builder.BeginSsl((ProxySslClientFlags)client, verify);
        foreach (ProxyTlv sub in subTlvs)
        {
            switch (sub.Type)
            {
                case ProxyTlvType.SslVersion:
                    builder.AddSslVersion(sub.Value);
                    break;
                case ProxyTlvType.SslCommonName:
                    builder.AddSslCommonName(sub.Value);
                    break;
                case ProxyTlvType.SslCipher:
                    builder.AddSslCipher(sub.Value);
                    break;
                case ProxyTlvType.SslSignatureAlgorithm:
                    builder.AddSslSignatureAlgorithm(sub.Value);
                    break;
                case ProxyTlvType.SslKeyAlgorithm:
                    builder.AddSslKeyAlgorithm(sub.Value);
                    break;
                case ProxyTlvType.SslGroup:
                    builder.AddSslGroup(sub.Value);
                    break;
                case ProxyTlvType.SslSignatureScheme:
                    builder.AddSslSignatureScheme(sub.Value);
                    break;
                case ProxyTlvType.SslClientCertificate:
                    builder.AddSslClientCertificate(sub.Value);
                    break;
                default:
                    builder.AddTlv(sub.Type, sub.Value);
                    break;
            }
        }

        builder.EndSsl();
    }
}
