using System;
using System.Buffers;

namespace ProxyProtocol;

public readonly partial struct ProxyHeader
{
    /// <summary>Parses a complete v1 or v2 header, throwing when it is invalid or incomplete.</summary>
    /// <remarks>For input that may still grow, use <see cref="ProxyHeaderParser.Parse(ReadOnlySpan{byte}, out ProxyHeader, out int, out ProxyHeaderError)"/>.</remarks>
    /// <param name="source">Bytes that start with a whole header; bytes after it are not read.</param>
    /// <param name="bytesConsumed">The header's length.</param>
    /// <returns>The header.</returns>
    /// <exception cref="ProxyProtocolException">The bytes are not a valid header, or end before it does (<see cref="ProxyHeaderError.IncompleteHeader"/>).</exception>
    public static ProxyHeader Parse(ReadOnlySpan<byte> source, out int bytesConsumed) =>
        Parse(source, ProxyParserOptions.Default, out bytesConsumed);

    /// <summary>Parses a complete v1 or v2 header, throwing when it is invalid or incomplete.</summary>
    /// <param name="source">Bytes that start with a whole header; bytes after it are not read.</param>
    /// <param name="options">Limits and leniencies.</param>
    /// <param name="bytesConsumed">The header's length.</param>
    /// <returns>The header.</returns>
    /// <exception cref="ProxyProtocolException">The bytes are not a valid header, or end before it does (<see cref="ProxyHeaderError.IncompleteHeader"/>).</exception>
    public static ProxyHeader Parse(ReadOnlySpan<byte> source, in ProxyParserOptions options, out int bytesConsumed)
    {
        OperationStatus status = ProxyHeaderParser.Parse(source, options, out ProxyHeader header, out bytesConsumed, out ProxyHeaderError error);
        return status switch
        {
            OperationStatus.Done => header,
            OperationStatus.NeedMoreData => throw new ProxyProtocolException(ProxyHeaderError.IncompleteHeader),
            _ => throw new ProxyProtocolException(error),
        };
    }
}
