using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace ProxyProtocol.Tool;

/// <summary>
/// Reads <c>decode</c>'s standard input, which holds either a raw header or its hex text, so that
/// <c>proxyproto encode --hex | proxyproto decode</c> works as well as <c>encode | decode</c>.
/// </summary>
/// <remarks>
/// The first byte that is not whitespace decides: a raw header starts with <c>P</c> (v1) or with
/// <c>\r\n\r\n\0</c> (v2), never with a hex digit. Raw input is parsed as it arrives, so a pipe that stays
/// open after the header does not hang. Input that starts with a hex digit cannot be a raw header; it is
/// read to its end (at most <see cref="MaxHexLength"/> bytes) and decoded when it holds only hex digits and
/// whitespace. Anything else is parsed as raw bytes, which gives the parser's own error.
/// </remarks>
internal sealed record StandardInputHeader(HeaderReadResult Result, string? Hint)
{
    /// <summary>Enough for the largest v2 header (65,551 bytes) written as hex with a space between bytes.</summary>
    public const int MaxHexLength = 3 * ProxyParserOptions.MaxMaxHeaderLength + 1024;

    public static async Task<StandardInputHeader> ReadAsync(Stream input, ProxyParserOptions options, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[4096];
        int count = 0;
        int first = -1;
        while (first < 0)
        {
            int read = await input.ReadAsync(buffer.AsMemory(count), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            first = FindNonWhitespace(buffer.AsSpan(count, read), count);
            count += read;
            if (count == buffer.Length)
            {
                if (first < 0 && count >= MaxHexLength)
                {
                    break;
                }

                Array.Resize(ref buffer, buffer.Length * 2);
            }
        }

        if (first < 0 || !char.IsAsciiHexDigit((char)buffer[first]))
        {
            // Raw bytes: what was read so far, then the rest of the stream as the parser asks for it.
            int replayed = 0;
            int prefix = count;
            byte[] start = buffer;
            HeaderReadResult raw = await HeaderReader.ReadAsync(
                (memory, token) =>
                {
                    if (replayed < prefix)
                    {
                        int n = Math.Min(memory.Length, prefix - replayed);
                        start.AsMemory(replayed, n).CopyTo(memory);
                        replayed += n;
                        return ValueTask.FromResult(n);
                    }

                    return input.ReadAsync(memory, token);
                },
                options,
                0,
                Timeout.InfiniteTimeSpan,
                cancellationToken).ConfigureAwait(false);
            return new StandardInputHeader(raw, null);
        }

        while (count <= MaxHexLength)
        {
            if (count == buffer.Length)
            {
                Array.Resize(ref buffer, buffer.Length * 2);
            }

            int read = await input.ReadAsync(buffer.AsMemory(count), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            count += read;
        }

        if (count <= MaxHexLength && TryDecodeHex(buffer.AsSpan(0, count), out byte[] bytes))
        {
            return new StandardInputHeader(HeaderReader.ParseComplete(bytes, options), null);
        }

        return new StandardInputHeader(
            HeaderReader.ParseComplete(buffer.AsSpan(0, count).ToArray(), options),
            "standard input starts with a hex digit but is not hex (only hex digits and whitespace, an even number of digits)");
    }

    private static int FindNonWhitespace(ReadOnlySpan<byte> bytes, int offset)
    {
        int index = bytes.IndexOfAnyExcept(" \t\r\n"u8);
        return index < 0 ? -1 : offset + index;
    }

    private static bool TryDecodeHex(ReadOnlySpan<byte> text, out byte[] bytes)
    {
        char[] digits = new char[text.Length];
        int count = 0;
        foreach (byte b in text)
        {
            if (b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                continue;
            }

            if (!char.IsAsciiHexDigit((char)b))
            {
                bytes = [];
                return false;
            }

            digits[count++] = (char)b;
        }

        if (count % 2 != 0)
        {
            bytes = [];
            return false;
        }

        bytes = Convert.FromHexString(digits.AsSpan(0, count));
        return true;
    }
}
