using System;
using System.Buffers;

namespace ProxyProtocol.Tests.Infrastructure;

internal static class ErrorDetection
{
    /// <summary>The length of the shortest prefix the parser rejects, or -1 when none is rejected.</summary>
    public static int FirstInvalidPrefixLength(ReadOnlySpan<byte> input, in ProxyParserOptions options)
    {
        for (int length = 0; length <= input.Length; length++)
        {
            if (ProxyHeaderParser.Parse(input.Slice(0, length), options, out _, out _, out _) == OperationStatus.InvalidData)
            {
                return length;
            }
        }

        return -1;
    }
}
