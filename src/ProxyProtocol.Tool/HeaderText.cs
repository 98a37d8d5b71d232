using System;
using System.Globalization;
using System.Text;

namespace ProxyProtocol.Tool;

/// <summary>The human-readable form of a header and of payload bytes, for <c>listen</c> without <c>--json</c>.</summary>
internal static class HeaderText
{
    /// <summary>Describes a header on one line, then one indented line per TLV.</summary>
    public static string Describe(in ProxyHeader header, ReadOnlySpan<byte> headerBytes)
    {
        StringBuilder text = new();
        text.Append(header.ToString()).Append(", ").Append(header.Length.ToString(CultureInfo.InvariantCulture)).Append("-byte header");
        ProxyTlvs tlvs = header.GetTlvs(headerBytes);
        foreach (ProxyTlv tlv in tlvs)
        {
            text.Append("\n  TLV ");
            AppendTlv(text, tlv, TlvNames.GetName(tlv.Type), TlvNames.IsText(tlv.Type));
            if (tlv.Type == ProxyTlvType.Ssl && tlv.Value.Length >= 5)
            {
                text.Append(" client=0x").Append(tlv.Value[0].ToString("x2", CultureInfo.InvariantCulture));
                foreach (ProxyTlv sub in new ProxyTlvs(tlv.Value.Slice(5)))
                {
                    text.Append("\n    ");
                    AppendTlv(text, sub, TlvNames.GetSslSubName(sub.Type), TlvNames.IsSslSubText(sub.Type));
                }
            }
        }

        return text.ToString();
    }

    /// <summary>Shows bytes as hex and as printable ASCII, <c>.</c> for the rest: <c>474554 |GET|</c>.</summary>
    public static string DescribeBytes(ReadOnlySpan<byte> bytes) =>
        $"{Convert.ToHexStringLower(bytes)} |{GetPrintable(bytes)}|";

    /// <summary>Printable ASCII kept, every other byte shown as <c>.</c>.</summary>
    public static string GetPrintable(ReadOnlySpan<byte> bytes)
    {
        return string.Create(bytes.Length, bytes.ToArray(), static (chars, source) =>
        {
            for (int i = 0; i < source.Length; i++)
            {
                byte b = source[i];
                chars[i] = b is >= 0x20 and < 0x7F ? (char)b : '.';
            }
        });
    }

    private static void AppendTlv(StringBuilder text, ProxyTlv tlv, string? name, bool isText)
    {
        byte type = (byte)tlv.Type;
        if (name is not null)
        {
            text.Append(name).Append(" (0x").Append(type.ToString("x2", CultureInfo.InvariantCulture)).Append(')');
        }
        else
        {
            text.Append("0x").Append(type.ToString("x2", CultureInfo.InvariantCulture));
        }

        text.Append(": ");
        if (isText && HeaderJson.TryGetText(tlv.Value) is string value)
        {
            text.Append('"').Append(value).Append('"');
        }
        else
        {
            text.Append(Convert.ToHexStringLower(tlv.Value));
        }
    }
}
