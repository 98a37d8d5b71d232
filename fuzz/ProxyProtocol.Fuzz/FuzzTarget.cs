using System;
using System.Buffers;

namespace ProxyProtocol.Fuzz;

/// <summary>
/// Runs every invariant on one input. Any exception that escapes, from the library or from a violated
/// invariant (<see cref="InvariantViolationException"/>), is a finding.
/// </summary>
internal static class FuzzTarget
{
    /// <summary>The largest possible header is 16 + 65535 bytes; bytes beyond it never matter to the parser.</summary>
    public const int MaxInputLength = ProxyParserOptions.MaxMaxHeaderLength + 16;

    private static readonly ProxyParserOptions s_default = ProxyParserOptions.Default;

    // Everything the options can loosen, at once.
    private static readonly ProxyParserOptions s_lenient = new()
    {
        AllowIPv4InTcp6 = true,
        VerifyCrc32c = false,
        MaxHeaderLength = ProxyParserOptions.MaxMaxHeaderLength,
    };

    private static readonly ProxyParserOptions s_v1Only = new() { AllowedVersions = ProxyVersions.V1 };
    private static readonly ProxyParserOptions s_v2Only = new() { AllowedVersions = ProxyVersions.V2 };

    public static void Run(ReadOnlyMemory<byte> input)
    {
        if (input.Length > MaxInputLength)
        {
            input = input.Slice(0, MaxInputLength);
        }

        ReadOnlySpan<byte> span = input.Span;
        ReadOnlySequence<byte>[] shapes = CreateShapes(input);
        ReadOnlySequence<byte>[] fewShapes = shapes[^3..];

        // Default (recommended) options: everything.
        ParseResult strict = ParserChecks.ParseAndCheck(span, s_default, "default");
        ParserChecks.CheckSequences(input, strict, s_default, "default", shapes);
        ParserChecks.CheckPrefixes(span, strict, s_default, "default");
        ParserChecks.CheckThrowingParse(span, strict, s_default, "default");
        ParserChecks.CheckDetectVersion(span, shapes);
        CheckParsedHeader(span, strict, crcVerified: true);

        // Lenient options: everything again, and a superset of what the defaults accept.
        ParseResult lenient = ParserChecks.ParseAndCheck(span, s_lenient, "lenient");
        ParserChecks.CheckSequences(input, lenient, s_lenient, "lenient", shapes);
        ParserChecks.CheckPrefixes(span, lenient, s_lenient, "lenient");
        CheckParsedHeader(span, lenient, crcVerified: false);
        OptionChecks.CheckLenient(strict, lenient);

        // One version only, and a small input-chosen MaxHeaderLength: shape invariants, three buffer shapes
        // (to keep executions fast), and agreement with the default options wherever the option does not apply.
        ParseResult v1Only = ParserChecks.ParseAndCheck(span, s_v1Only, "v1 only");
        ParserChecks.CheckSequences(input, v1Only, s_v1Only, "v1 only", fewShapes);
        OptionChecks.CheckSingleVersion(span, strict, v1Only, ProxyVersion.V1);

        ParseResult v2Only = ParserChecks.ParseAndCheck(span, s_v2Only, "v2 only");
        ParserChecks.CheckSequences(input, v2Only, s_v2Only, "v2 only", fewShapes);
        OptionChecks.CheckSingleVersion(span, strict, v2Only, ProxyVersion.V2);

        ProxyParserOptions tight = new() { MaxHeaderLength = 16 + (span.IsEmpty ? 0 : span[^1]) };
        ParseResult limited = ParserChecks.ParseAndCheck(span, tight, "tight");
        ParserChecks.CheckSequences(input, limited, tight, "tight", fewShapes);
        OptionChecks.CheckMaxHeaderLength(span, strict, limited, tight.MaxHeaderLength);

        // The TLV reader over arbitrary bytes: the input itself and what follows a v2 fixed header.
        TlvChecks.CheckRun(new ProxyTlvs(span), wellFormed: false, depth: 0);
        if (span.Length > 16)
        {
            TlvChecks.CheckRun(new ProxyTlvs(span.Slice(16)), wellFormed: false, depth: 0);
        }

        TlvChecks.CheckRun(default, wellFormed: true, depth: 0);
    }

    private static void CheckParsedHeader(ReadOnlySpan<byte> input, in ParseResult result, bool crcVerified)
    {
        if (!result.IsDone)
        {
            return;
        }

        HeaderChecks.CheckAccessors(result.Header, input);
        TlvChecks.CheckParsedHeader(input, result.Header);
        RoundTripChecks.Check(input, result.Header, crcVerified);
    }

    /// <summary>The buffer shapes, built once per input; the last three are the ones every options value gets.</summary>
    private static ReadOnlySequence<byte>[] CreateShapes(ReadOnlyMemory<byte> input)
    {
        int n = input.Length;
        ReadOnlySpan<byte> span = input.Span;

        // Split points: an empty first segment, inside the v2 fixed header, right after it, and one chosen
        // by the input's last byte. Every prefix up to 128 bytes is parsed on its own as well (CheckPrefixes),
        // which is what a first segment sees, so a few fixed splits suffice here.
        ReadOnlySpan<int> fixedPoints = [0, 13, 16];
        int chosen = n == 0 ? 0 : span[^1] % (n + 1);
        ReadOnlySequence<byte>[] shapes = new ReadOnlySequence<byte>[fixedPoints.Length + 3];
        int count = 0;
        foreach (int at in fixedPoints)
        {
            if (at < n)
            {
                shapes[count++] = Segments.SplitAt(input, at);
            }
        }

        shapes[count++] = Segments.SplitAt(input, chosen);
        shapes[count++] = Segments.OneBytePerSegment(input);
        shapes[count++] = Segments.InputDriven(input);
        return shapes.AsSpan(0, count).ToArray();
    }
}
