using System;
using System.Buffers;
using System.Buffers.Binary;

namespace ProxyProtocol.Fuzz;

/// <summary>
/// Invariants of <see cref="ProxyHeaderParser"/> for one input under one options value: the shape of the
/// result, the bytes consumed, agreement of every entry point and every buffer shape, and prefixes.
/// </summary>
internal static class ParserChecks
{
    /// <summary>Prefixes up to this length are all parsed; longer inputs get a sample of prefix lengths.</summary>
    private const int AllPrefixesLimit = 128;

    private const int V1MaxLength = 107;
    private const int V2FixedLength = 16;

    /// <summary>Parses the whole input as a span and checks the result's shape and the entry points that must agree with it.</summary>
    public static ParseResult ParseAndCheck(ReadOnlySpan<byte> input, in ProxyParserOptions options, string name)
    {
        ParseResult whole = ParseResult.Of(input, options);
        CheckShape(input, whole, options, name);
        CheckEntryPoints(input, whole, options, name);
        return whole;
    }

    /// <summary>
    /// Status, error, consumed and header agree with the span result for every sequence shape: split at
    /// interesting and input-derived points, one byte per segment, and input-driven segment sizes.
    /// </summary>
    public static void CheckSequences(ReadOnlyMemory<byte> input, in ParseResult whole, in ProxyParserOptions options, string name, ReadOnlySequence<byte>[] shapes)
    {
        for (int i = 0; i < shapes.Length; i++)
        {
            CheckSequence(shapes[i], whole, options, name, i);
        }

        // Splits around the end of this options value's header.
        int n = input.Length;
        int consumed = whole.Consumed;
        foreach (int at in (ReadOnlySpan<int>)[consumed - 1, consumed, consumed + 1])
        {
            if (at >= 0 && at <= n)
            {
                CheckSequence(Segments.SplitAt(input, at), whole, options, name, -at - 1);
            }
        }
    }

    /// <param name="shape">The index of the shape in the shared array, or -1 - the split point.</param>
    private static void CheckSequence(in ReadOnlySequence<byte> sequence, in ParseResult whole, in ProxyParserOptions options, string name, int shape)
    {
        ParseResult result = ParseResult.Of(sequence, options);
        if (!result.SameAs(whole))
        {
            string label = shape >= 0 ? $"shape {shape}" : $"split at {-shape - 1}";
            throw Invariant.Broken($"[{name}] sequence ({label}, {CountSegments(sequence)} segments) gave {result}, span gave {whole}");
        }
    }

    /// <summary>
    /// A prefix that parses Done gives the same result as the whole input, InvalidData on a prefix is final
    /// with the same error, and NeedMoreData on the whole input means NeedMoreData on every prefix.
    /// </summary>
    public static void CheckPrefixes(ReadOnlySpan<byte> input, in ParseResult whole, in ProxyParserOptions options, string name)
    {
        int n = input.Length;
        int all = Math.Min(n, AllPrefixesLimit);
        for (int k = 0; k <= all; k++)
        {
            CheckPrefix(input, k, whole, options, name);
        }

        if (n <= AllPrefixesLimit)
        {
            return;
        }

        if (whole.IsDone)
        {
            for (int k = Math.Max(whole.Consumed - 1, all + 1); k <= Math.Min(whole.Consumed + 1, n); k++)
            {
                CheckPrefix(input, k, whole, options, name);
            }
        }

        // A few more lengths, picked by the input's own bytes so the fuzzer can steer them.
        uint state = (uint)n * 2654435761u;
        for (int i = 0; i < 8; i++)
        {
            state ^= input[(int)(state % (uint)n)];
            state = (state * 1103515245u) + 12345u;
            int k = all + 1 + (int)(state % (uint)(n - all));
            CheckPrefix(input, k, whole, options, name);
        }

        CheckPrefix(input, n - 1, whole, options, name);
    }

    private static void CheckPrefix(ReadOnlySpan<byte> input, int k, in ParseResult whole, in ProxyParserOptions options, string name)
    {
        ParseResult prefix = ParseResult.Of(input.Slice(0, k), options);
        bool ok = whole.Status switch
        {
            OperationStatus.Done => k >= whole.Consumed ? prefix.SameAs(whole) : prefix.Status == OperationStatus.NeedMoreData,
            OperationStatus.NeedMoreData => prefix.Status == OperationStatus.NeedMoreData,
            _ => prefix.Status == OperationStatus.NeedMoreData || prefix.SameAs(whole),
        };
        if (!ok)
        {
            throw Invariant.Broken($"[{name}] prefix of {k} of {input.Length} bytes gave {prefix}, the whole input gave {whole}");
        }
    }

    /// <summary>Checks what a result may look like, and that the consumed bytes stay within the input and the header.</summary>
    private static void CheckShape(ReadOnlySpan<byte> input, in ParseResult result, in ProxyParserOptions options, string name)
    {
        ProxyHeader header = result.Header;
        switch (result.Status)
        {
            case OperationStatus.NeedMoreData:
                Invariant.True(result.Error == ProxyHeaderError.None, $"[{name}] NeedMoreData with error {result.Error}");
                Invariant.True(result.Consumed == 0 && ParseResult.SameHeader(header, default), $"[{name}] NeedMoreData with consumed {result.Consumed} or a header");
                return;

            case OperationStatus.InvalidData:
                Invariant.True(
                    result.Error is not (ProxyHeaderError.None or ProxyHeaderError.IncompleteHeader) && Enum.IsDefined(result.Error),
                    $"[{name}] InvalidData with error {result.Error}");
                Invariant.True(result.Consumed == 0 && ParseResult.SameHeader(header, default), $"[{name}] InvalidData with consumed {result.Consumed} or a header");
                return;

            case OperationStatus.Done:
                break;

            default:
                throw Invariant.Broken($"[{name}] parser returned {result.Status}");
        }

        int consumed = result.Consumed;
        Invariant.True(result.Error == ProxyHeaderError.None, $"[{name}] Done with error {result.Error}");
        Invariant.True(consumed > 0 && consumed <= input.Length, $"[{name}] Done consumed {consumed} of {input.Length} bytes");
        Invariant.True(consumed == header.Length, $"[{name}] consumed {consumed} but header.Length {header.Length}");
        Invariant.True(
            Enum.IsDefined(header.Version) && Enum.IsDefined(header.Command) && Enum.IsDefined(header.AddressFamily) && Enum.IsDefined(header.Transport),
            $"[{name}] header with undefined enum values: {result}");
        Invariant.True(
            (header.AddressFamily == ProxyAddressFamily.Unspecified) == (header.Transport == ProxyTransport.Unspecified),
            $"[{name}] family {header.AddressFamily} with transport {header.Transport}");
        int slot = header.AddressFamily switch
        {
            ProxyAddressFamily.InterNetwork => 4,
            ProxyAddressFamily.InterNetworkV6 => 16,
            ProxyAddressFamily.Unix => 108,
            _ => 0,
        };
        Invariant.True(header.GetSourceAddress(input).Length == slot && header.GetDestinationAddress(input).Length == slot, $"[{name}] address length is not {slot}");
        if (header.AddressFamily is not (ProxyAddressFamily.InterNetwork or ProxyAddressFamily.InterNetworkV6))
        {
            Invariant.True(header.SourcePort == 0 && header.DestinationPort == 0, $"[{name}] ports on a {header.AddressFamily} header");
        }

        if (header.Version == ProxyVersion.V1)
        {
            // v1: "PROXY " ... CRLF, at most 107 bytes, and no CR or LF before the final CRLF (V1-08, V1-09).
            Invariant.True((options.AllowedVersions & ProxyVersions.V1) != 0, $"[{name}] v1 header although v1 is not allowed");
            Invariant.True(input.StartsWith("PROXY "u8), $"[{name}] v1 header without \"PROXY \"");
            Invariant.True(consumed <= V1MaxLength && consumed >= "PROXY UNKNOWN\r\n".Length, $"[{name}] v1 header of {consumed} bytes");
            Invariant.True(input.Slice(consumed - 2, 2).SequenceEqual("\r\n"u8), $"[{name}] v1 header does not end with CRLF");
            Invariant.True(input.Slice(0, consumed - 2).IndexOfAny((byte)'\r', (byte)'\n') < 0, $"[{name}] v1 header with an inner CR or LF");
            Invariant.True(header.TlvLength == 0 && header.TlvOffset == 0, $"[{name}] v1 header with TLVs");
            Invariant.True(header.Command == ProxyCommand.Proxy, $"[{name}] v1 header with command {header.Command}");
            Invariant.True(header.AddressFamily is ProxyAddressFamily.Unspecified or ProxyAddressFamily.InterNetwork or ProxyAddressFamily.InterNetworkV6, $"[{name}] v1 header with family {header.AddressFamily}");
            return;
        }

        // v2: exactly 16 + len bytes, within the configured maximum (V2-05).
        Invariant.True((options.AllowedVersions & ProxyVersions.V2) != 0, $"[{name}] v2 header although v2 is not allowed");
        Invariant.True(input[0] == 0x0D && consumed >= V2FixedLength, $"[{name}] v2 header of {consumed} bytes");
        int declared = V2FixedLength + BinaryPrimitives.ReadUInt16BigEndian(input.Slice(14));
        Invariant.True(consumed == declared, $"[{name}] v2 consumed {consumed}, declared 16 + len = {declared}");
        Invariant.True(consumed <= options.MaxHeaderLength, $"[{name}] v2 consumed {consumed} above MaxHeaderLength {options.MaxHeaderLength}");
        Invariant.True((input[12] & 0x0F) == (int)header.Command, $"[{name}] v2 command {header.Command} but ver_cmd 0x{input[12]:x2}");
        if (header.TlvLength == 0)
        {
            Invariant.True(header.TlvOffset == 0, $"[{name}] TlvOffset {header.TlvOffset} without TLVs");
        }
        else
        {
            Invariant.True(
                header.TlvLength > 0 && header.TlvOffset >= V2FixedLength && header.TlvOffset + header.TlvLength == consumed,
                $"[{name}] TLV region {header.TlvOffset}+{header.TlvLength} in a {consumed}-byte header");
        }

        if (header.AddressFamily != ProxyAddressFamily.Unspecified || input[13] == 0)
        {
            Invariant.True(input[13] == (((int)header.AddressFamily << 4) | (int)header.Transport), $"[{name}] v2 family {header.AddressFamily}/{header.Transport} but fam byte 0x{input[13]:x2}");
        }
        else
        {
            // Only LOCAL discards its family (QUIRK-04): TLVs read from offset 16, or an opaque block.
            Invariant.True(
                header.Command == ProxyCommand.Local && (header.TlvLength == 0 || header.TlvOffset == V2FixedLength),
                $"[{name}] fam byte 0x{input[13]:x2} read as UNSPEC on a {header.Command} header with TLVs at {header.TlvOffset}");
        }
    }

    /// <summary>TryParse, ParseV1/ParseV2, the throwing ProxyHeader.Parse and DetectVersion agree with Parse.</summary>
    private static void CheckEntryPoints(ReadOnlySpan<byte> input, in ParseResult whole, in ProxyParserOptions options, string name)
    {
        bool parsed = ProxyHeaderParser.TryParse(input, options, out ProxyHeader tryHeader, out int tryConsumed);
        Invariant.True(parsed == whole.IsDone, $"[{name}] TryParse returned {parsed}, Parse {whole}");
        if (parsed)
        {
            Invariant.True(tryConsumed == whole.Consumed && ParseResult.SameHeader(tryHeader, whole.Header), $"[{name}] TryParse and Parse disagree");
        }

        if (!input.IsEmpty)
        {
            OperationStatus v1 = ProxyHeaderParser.ParseV1(input, options, out ProxyHeader v1Header, out int v1Consumed, out ProxyHeaderError v1Error);
            OperationStatus v2 = ProxyHeaderParser.ParseV2(input, options, out ProxyHeader v2Header, out int v2Consumed, out ProxyHeaderError v2Error);
            ParseResult byV1 = new(v1, v1Header, v1Consumed, v1Error);
            ParseResult byV2 = new(v2, v2Header, v2Consumed, v2Error);
            ParseResult invalidSignature = new(OperationStatus.InvalidData, default, 0, ProxyHeaderError.InvalidSignature);
            (ParseResult expectedV1, ParseResult expectedV2) = input[0] switch
            {
                (byte)'P' => (whole, invalidSignature),
                0x0D => (invalidSignature, whole),
                _ => (invalidSignature, invalidSignature),
            };
            Invariant.True(byV1.SameAs(expectedV1), $"[{name}] ParseV1 gave {byV1}, expected {expectedV1}");
            Invariant.True(byV2.SameAs(expectedV2), $"[{name}] ParseV2 gave {byV2}, expected {expectedV2}");
        }

        // DetectVersion ignores options; it must agree with a successful parse and with an outright rejection.
        OperationStatus detected = ProxyHeaderParser.DetectVersion(input, out ProxyVersion version);
        if (whole.IsDone)
        {
            Invariant.True(detected == OperationStatus.Done && version == whole.Header.Version, $"[{name}] DetectVersion gave {detected}/{version} for {whole}");
        }

        if (detected == OperationStatus.InvalidData)
        {
            Invariant.True(whole.Status == OperationStatus.InvalidData, $"[{name}] DetectVersion rejected an input that Parse gave {whole}");
        }
    }

    /// <summary>The throwing <see cref="ProxyHeader.Parse(ReadOnlySpan{byte}, in ProxyParserOptions, out int)"/>: the header, or a <see cref="ProxyProtocolException"/> with the error.</summary>
    public static void CheckThrowingParse(ReadOnlySpan<byte> input, in ParseResult whole, in ProxyParserOptions options, string name)
    {
        try
        {
            ProxyHeader header = ProxyHeader.Parse(input, options, out int consumed);
            Invariant.True(whole.IsDone && consumed == whole.Consumed && ParseResult.SameHeader(header, whole.Header), $"[{name}] ProxyHeader.Parse returned a header, Parse gave {whole}");
        }
        catch (ProxyProtocolException exception)
        {
            ProxyHeaderError expected = whole.Status == OperationStatus.NeedMoreData ? ProxyHeaderError.IncompleteHeader : whole.Error;
            Invariant.True(!whole.IsDone && exception.Error == expected, $"[{name}] ProxyHeader.Parse threw {exception.Error}, Parse gave {whole}");
        }
    }

    /// <summary>DetectVersion over sequences agrees with the span form.</summary>
    public static void CheckDetectVersion(ReadOnlySpan<byte> input, ReadOnlySequence<byte>[] shapes)
    {
        OperationStatus expected = ProxyHeaderParser.DetectVersion(input, out ProxyVersion expectedVersion);
        foreach (ReadOnlySequence<byte> shape in shapes)
        {
            OperationStatus status = ProxyHeaderParser.DetectVersion(shape, out ProxyVersion version);
            Invariant.True(status == expected && version == expectedVersion, $"DetectVersion over a sequence gave {status}/{version}, over the span {expected}/{expectedVersion}");
        }
    }

    private static int CountSegments(in ReadOnlySequence<byte> sequence)
    {
        int count = 0;
        foreach (ReadOnlyMemory<byte> segment in sequence)
        {
            _ = segment;
            count++;
        }

        return count;
    }
}
