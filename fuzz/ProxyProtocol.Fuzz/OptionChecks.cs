using System;
using System.Buffers;
using System.Buffers.Binary;

namespace ProxyProtocol.Fuzz;

/// <summary>How the results under different <see cref="ProxyParserOptions"/> must relate for the same input.</summary>
internal static class OptionChecks
{
    /// <summary>
    /// The lenient options accept everything the defaults accept, identically; and where the defaults fail
    /// for a reason no option loosens, the lenient parse fails the same way.
    /// </summary>
    public static void CheckLenient(in ParseResult strict, in ParseResult lenient)
    {
        bool loosened = strict.Error is ProxyHeaderError.Crc32cMismatch or ProxyHeaderError.AddressFamilyMismatch or ProxyHeaderError.HeaderTooLong;
        bool ok = strict.Status switch
        {
            OperationStatus.Done => lenient.SameAs(strict),
            OperationStatus.NeedMoreData => lenient.SameAs(strict),
            _ => loosened || lenient.SameAs(strict),
        };
        Invariant.True(ok, $"default options gave {strict}, lenient options gave {lenient}");
    }

    /// <summary>With one version allowed, inputs of that version parse as with the defaults and the other version never parses.</summary>
    public static void CheckSingleVersion(ReadOnlySpan<byte> input, in ParseResult strict, in ParseResult single, ProxyVersion allowed)
    {
        byte own = allowed == ProxyVersion.V1 ? (byte)'P' : (byte)0x0D;
        if (!input.IsEmpty && input[0] == own)
        {
            Invariant.True(single.SameAs(strict), $"{allowed}-only gave {single} for a {allowed} input, defaults gave {strict}");
        }
        else
        {
            Invariant.True(!single.IsDone, $"{allowed}-only accepted another version: {single}");
            Invariant.True(
                single.Status != OperationStatus.InvalidData || single.Error is ProxyHeaderError.VersionNotAllowed || single.SameAs(strict),
                $"{allowed}-only gave {single}, defaults gave {strict}");
        }
    }

    /// <summary>A smaller MaxHeaderLength rejects longer v2 headers with HeaderTooLong and changes nothing else.</summary>
    public static void CheckMaxHeaderLength(ReadOnlySpan<byte> input, in ParseResult strict, in ParseResult limited, int maxHeaderLength)
    {
        if (limited.Error != ProxyHeaderError.HeaderTooLong)
        {
            Invariant.True(limited.SameAs(strict), $"MaxHeaderLength {maxHeaderLength} gave {limited}, defaults gave {strict}");
            return;
        }

        // HeaderTooLong: a v2 header whose declared 16 + len is above the limit.
        Invariant.True(
            input.Length >= 16 && input[0] == 0x0D && 16 + BinaryPrimitives.ReadUInt16BigEndian(input.Slice(14)) > maxHeaderLength,
            $"MaxHeaderLength {maxHeaderLength} gave HeaderTooLong for a header that is not too long");
    }
}
