using System;
using System.Text;

namespace ProxyProtocol.Tests.Infrastructure;

/// <summary>Hex and ASCII helpers for writing vectors the way the spec and captures show them.</summary>
internal static class Hex
{
    /// <summary>Decodes hex that may contain spaces and line breaks between bytes.</summary>
    public static byte[] Parse(string hex)
    {
        StringBuilder digits = new(hex.Length);
        foreach (char c in hex)
        {
            if (!char.IsWhiteSpace(c))
            {
                digits.Append(c);
            }
        }

        return Convert.FromHexString(digits.ToString());
    }

    /// <summary>Lowercase hex without separators.</summary>
    public static string Format(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    /// <summary>The bytes of an ASCII string (v1 lines, TLV values).</summary>
    public static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    /// <summary>Joins byte arrays.</summary>
    public static byte[] Concat(params byte[][] parts)
    {
        int length = 0;
        foreach (byte[] part in parts)
        {
            length += part.Length;
        }

        byte[] result = new byte[length];
        int offset = 0;
        foreach (byte[] part in parts)
        {
            part.CopyTo(result, offset);
            offset += part.Length;
        }

        return result;
    }
}
