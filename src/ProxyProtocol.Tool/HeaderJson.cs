using System;
using System.Buffers;
using System.Collections.Generic;
using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ProxyProtocol.Tool;

/// <summary>
/// Writes a header as JSON with <see cref="Utf8JsonWriter"/>: no reflection, so the tool stays trimmable
/// and AOT-compatible. The key names are the tool's contract with scripts; README.md lists them.
/// </summary>
/// <remarks>
/// <code>
/// {"version":2,"command":"PROXY","family":"INET","transport":"STREAM",
///  "source":{"address":"127.0.0.1","port":43058},"destination":{"address":"127.0.0.1","port":19002},
///  "headerLength":28,"crc32c":"valid","tlvs":[{"type":1,"name":"ALPN","value":"6832","text":"h2"}]}
/// </code>
/// </remarks>
internal static class HeaderJson
{
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Writer options: the output goes to a terminal or a script, never into HTML, so non-ASCII text stays readable.</summary>
    public static JsonWriterOptions GetWriterOptions(bool indented) => new()
    {
        Indented = indented,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Serialises a whole header as one JSON document.</summary>
    public static byte[] Serialize(in ProxyHeader header, ReadOnlySpan<byte> headerBytes, bool crc32cVerified, bool indented)
    {
        ArrayBufferWriter<byte> buffer = new();
        using (Utf8JsonWriter writer = new(buffer, GetWriterOptions(indented)))
        {
            WriteHeader(writer, header, headerBytes, crc32cVerified);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Serialises an error as <c>{"error":"Code","message":"..."}</c>.</summary>
    public static byte[] SerializeError(string code, string message, bool indented)
    {
        ArrayBufferWriter<byte> buffer = new();
        using (Utf8JsonWriter writer = new(buffer, GetWriterOptions(indented)))
        {
            writer.WriteStartObject();
            WriteErrorProperties(writer, code, message);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static void WriteErrorProperties(Utf8JsonWriter writer, string code, string message)
    {
        writer.WriteString("error", code);
        writer.WriteString("message", message);
    }

    /// <summary>Writes the header object.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="header">The parsed header.</param>
    /// <param name="headerBytes">The bytes it was parsed from (its TLVs are read there).</param>
    /// <param name="crc32cVerified">Whether the parser already verified a CRC32C TLV; if not, it is checked here.</param>
    public static void WriteHeader(Utf8JsonWriter writer, in ProxyHeader header, ReadOnlySpan<byte> headerBytes, bool crc32cVerified)
    {
        writer.WriteStartObject();
        writer.WriteNumber("version", header.Version == ProxyVersion.V1 ? 1 : 2);
        writer.WriteString("command", header.Command == ProxyCommand.Local ? "LOCAL" : "PROXY");
        writer.WriteString("family", GetFamilyName(header.AddressFamily));
        writer.WriteString("transport", GetTransportName(header.Transport));

        // SEM-01/SEM-03: LOCAL and UNSPEC carry no addresses the receiver may use.
        writer.WritePropertyName("source");
        WriteAddress(writer, header, header.GetSourceAddress(headerBytes), header.SourcePort, header.GetSourceUnixPath(headerBytes));
        writer.WritePropertyName("destination");
        WriteAddress(writer, header, header.GetDestinationAddress(headerBytes), header.DestinationPort, header.GetDestinationUnixPath(headerBytes));

        writer.WriteNumber("headerLength", header.Length);
        ProxyTlvs tlvs = header.GetTlvs(headerBytes);
        string? crc = GetCrc32cStatus(header, headerBytes, tlvs, crc32cVerified);
        if (crc is not null)
        {
            writer.WriteString("crc32c", crc);
        }

        writer.WritePropertyName("tlvs");
        WriteTlvs(writer, tlvs, sslSubTlvs: false);
        writer.WriteEndObject();
    }

    public static string GetFamilyName(ProxyAddressFamily family) => family switch
    {
        ProxyAddressFamily.InterNetwork => "INET",
        ProxyAddressFamily.InterNetworkV6 => "INET6",
        ProxyAddressFamily.Unix => "UNIX",
        _ => "UNSPEC",
    };

    public static string GetTransportName(ProxyTransport transport) => transport switch
    {
        ProxyTransport.Stream => "STREAM",
        ProxyTransport.Datagram => "DGRAM",
        _ => "UNSPEC",
    };

    /// <summary>Returns the value as text when it is valid UTF-8 without control characters, else <see langword="null"/>.</summary>
    public static string? TryGetText(ReadOnlySpan<byte> value)
    {
        string text;
        try
        {
            text = s_strictUtf8.GetString(value);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }

        foreach (char c in text)
        {
            if (char.IsControl(c))
            {
                return null;
            }
        }

        return text;
    }

    private static void WriteAddress(Utf8JsonWriter writer, in ProxyHeader header, ReadOnlySpan<byte> address, ushort port, string? unixPath)
    {
        if (!header.HasAddresses)
        {
            writer.WriteNullValue();
            return;
        }

        writer.WriteStartObject();
        if (header.AddressFamily == ProxyAddressFamily.Unix)
        {
            writer.WriteString("path", unixPath);
        }
        else
        {
            writer.WriteString("address", new IPAddress(address).ToString());
            writer.WriteNumber("port", port);
        }

        writer.WriteEndObject();
    }

    private static void WriteTlvs(Utf8JsonWriter writer, ProxyTlvs tlvs, bool sslSubTlvs)
    {
        writer.WriteStartArray();
        ReadOnlySpan<byte> encoded = tlvs.Bytes;
        int offset = 0;
        foreach (ProxyTlv tlv in tlvs)
        {
            // A view of just this TLV lets the core's typed accessors decode it even when a type repeats (TLV-06).
            int encodedLength = 3 + tlv.Value.Length;
            ProxyTlvs single = new(encoded.Slice(offset, encodedLength));
            offset += encodedLength;

            writer.WriteStartObject();
            writer.WriteNumber("type", (byte)tlv.Type);
            string? name = sslSubTlvs ? TlvNames.GetSslSubName(tlv.Type) : TlvNames.GetName(tlv.Type);
            if (name is not null)
            {
                writer.WriteString("name", name);
            }

            writer.WriteString("value", Convert.ToHexStringLower(tlv.Value));
            bool isText = sslSubTlvs ? TlvNames.IsSslSubText(tlv.Type) : TlvNames.IsText(tlv.Type);
            if (isText && TryGetText(tlv.Value) is string text)
            {
                writer.WriteString("text", text);
            }

            if (!sslSubTlvs)
            {
                WriteDecodedFields(writer, tlv.Type, single);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    /// <summary>Adds the fields the core decodes from the SSL and vendor TLVs.</summary>
    private static void WriteDecodedFields(Utf8JsonWriter writer, ProxyTlvType type, ProxyTlvs single)
    {
        switch (type)
        {
            case ProxyTlvType.Ssl when single.TryGetSsl(out ProxySslTlv ssl):
                writer.WriteNumber("client", (byte)ssl.Client);
                writer.WriteStartArray("clientFlags");
                foreach (string flag in GetClientFlagNames(ssl.Client))
                {
                    writer.WriteStringValue(flag);
                }

                writer.WriteEndArray();
                writer.WriteNumber("verify", ssl.Verify);
                writer.WriteBoolean("clientCertificateVerified", ssl.IsClientCertificateVerified);
                writer.WritePropertyName("subTlvs");
                WriteTlvs(writer, ssl.SubTlvs, sslSubTlvs: true);
                break;

            case ProxyTlvType.Aws when single.TryGetAwsVpcEndpointId(out ReadOnlySpan<byte> endpointId):
                writer.WriteString("awsVpcEndpointId", Encoding.ASCII.GetString(endpointId));
                break;

            case ProxyTlvType.Azure when single.TryGetAzureLinkId(out uint linkId):
                writer.WriteNumber("azureLinkId", linkId);
                break;

            case ProxyTlvType.Gcp when single.TryGetGcpPscConnectionId(out ulong connectionId):
                writer.WriteNumber("gcpPscConnectionId", connectionId);
                break;
        }
    }

    private static List<string> GetClientFlagNames(ProxySslClientFlags client)
    {
        List<string> names = [];
        if ((client & ProxySslClientFlags.Ssl) != 0)
        {
            names.Add("SSL");
        }

        if ((client & ProxySslClientFlags.CertificateConnection) != 0)
        {
            names.Add("CERT_CONN");
        }

        if ((client & ProxySslClientFlags.CertificateSession) != 0)
        {
            names.Add("CERT_SESS");
        }

        return names;
    }

    /// <summary>"valid" or "invalid" when the header has a CRC32C TLV, else <see langword="null"/>.</summary>
    private static string? GetCrc32cStatus(in ProxyHeader header, ReadOnlySpan<byte> headerBytes, ProxyTlvs tlvs, bool verified)
    {
        if (!tlvs.TryGetCrc32c(out _))
        {
            return null;
        }

        if (verified)
        {
            return "valid";
        }

        // The caller parsed without verification (--no-verify-crc): ask the parser again with it (CRC-04).
        ProxyParserOptions check = new() { MaxHeaderLength = ProxyParserOptions.MaxMaxHeaderLength };
        return ProxyHeaderParser.Parse(headerBytes.Slice(0, header.Length), check, out _, out _, out ProxyHeaderError error) == OperationStatus.Done
            ? "valid"
            : error == ProxyHeaderError.Crc32cMismatch ? "invalid" : null;
    }
}
