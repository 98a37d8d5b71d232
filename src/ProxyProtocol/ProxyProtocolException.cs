using System.IO;

namespace ProxyProtocol;

/// <summary>The exception thrown when bytes received as a PROXY header are not a valid header.</summary>
/// <remarks>
/// It derives from <see cref="IOException"/> because the adapters raise it while reading a connection,
/// where callers already handle I/O failures. Only the throwing convenience methods and the I/O adapters throw it; the span parsers report the same
/// information through <see cref="ProxyHeaderError"/> without throwing. API misuse is reported with
/// <see cref="System.ArgumentException"/> or <see cref="System.InvalidOperationException"/> instead.
/// </remarks>
public sealed class ProxyProtocolException : IOException
{
    /// <summary>Creates an exception for the given error with a message that describes it.</summary>
    /// <param name="error">The reason the header was rejected.</param>
    public ProxyProtocolException(ProxyHeaderError error)
        : base(GetMessage(error))
    {
        Error = error;
    }

    /// <summary>Creates an exception for the given error with a custom message.</summary>
    /// <param name="error">The reason the header was rejected.</param>
    /// <param name="message">The message that describes the error.</param>
    public ProxyProtocolException(ProxyHeaderError error, string message)
        : base(message)
    {
        Error = error;
    }

    /// <summary>The reason the header was rejected.</summary>
    public ProxyHeaderError Error { get; }

    /// <summary>Returns a one-line English description of <paramref name="error"/>.</summary>
    /// <param name="error">The error to describe.</param>
    /// <returns>The description.</returns>
    public static string GetMessage(ProxyHeaderError error) => error switch
    {
        ProxyHeaderError.None => "The PROXY header is valid.",
        ProxyHeaderError.IncompleteHeader => "The input ended before the PROXY header was complete.",
        ProxyHeaderError.InvalidSignature => "The input does not start with a PROXY protocol v1 or v2 header.",
        ProxyHeaderError.VersionNotAllowed => "The PROXY header's version is not allowed by the receiver's options.",
        ProxyHeaderError.LineTooLong => "The PROXY v1 line has no CRLF within its first 107 bytes.",
        ProxyHeaderError.InvalidLineEnding => "The PROXY v1 line has a CR or LF that is not part of the terminating CRLF.",
        ProxyHeaderError.InvalidProtocol => "The PROXY v1 protocol word is not TCP4, TCP6 or UNKNOWN.",
        ProxyHeaderError.InvalidFieldSeparator => "The PROXY v1 line has a missing or extra field, or a separator other than one space.",
        ProxyHeaderError.InvalidIPv4Address => "The PROXY v1 line has an invalid IPv4 address.",
        ProxyHeaderError.InvalidIPv6Address => "The PROXY v1 line has an invalid IPv6 address.",
        ProxyHeaderError.AddressFamilyMismatch => "The PROXY v1 line has an address of a family other than the announced one.",
        ProxyHeaderError.InvalidPort => "The PROXY v1 line has an invalid port.",
        ProxyHeaderError.UnsupportedVersion => "The PROXY v2 header's version nibble is not 2.",
        ProxyHeaderError.InvalidCommand => "The PROXY v2 header's command is neither LOCAL nor PROXY.",
        ProxyHeaderError.InvalidAddressFamily => "The PROXY v2 header's address family is unknown.",
        ProxyHeaderError.InvalidTransport => "The PROXY v2 header's transport protocol is unknown.",
        ProxyHeaderError.InvalidFamilyTransportCombination => "The PROXY v2 header's family and transport are not a combination the spec allows.",
        ProxyHeaderError.LengthTooShortForFamily => "The PROXY v2 header's length is shorter than its family's address block.",
        ProxyHeaderError.HeaderTooLong => "The PROXY v2 header is longer than the configured maximum.",
        ProxyHeaderError.TlvTruncated => "A PROXY v2 TLV header is cut off by the end of the header.",
        ProxyHeaderError.TlvOverrun => "A PROXY v2 TLV value runs past the end of the header.",
        ProxyHeaderError.InvalidCrc32cLength => "The PROXY v2 CRC32C TLV is not 4 bytes long.",
        ProxyHeaderError.Crc32cMismatch => "The PROXY v2 header's CRC32C does not match its contents.",
        ProxyHeaderError.InvalidSslTlv => "The PROXY v2 SSL TLV is shorter than 5 bytes.",
        ProxyHeaderError.SslSubTlvOverrun => "A PROXY v2 SSL sub-TLV runs past the end of the SSL TLV.",
        ProxyHeaderError.UniqueIdTooLong => "The PROXY v2 UNIQUE_ID TLV is longer than 128 bytes.",
        _ => "The PROXY header is invalid.",
    };
}
