using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ProxyProtocol.Tests.Infrastructure;
using ProxyProtocol.Tests.Vectors;

namespace ProxyProtocol.Tests.Parser;

/// <summary>Every <see cref="ProxyHeaderError"/> is reachable, reported as early as the code promises, and described.</summary>
public class ErrorTests
{
    public static TheoryData<ProxyHeaderError> AllErrors => new(Enum.GetValues<ProxyHeaderError>().Where(e => e != ProxyHeaderError.None));

    // Each error value is produced by at least one input of the catalog (IncompleteHeader by the throwing
    // parser, which knows the input ended). A new error value fails here until a vector produces it.
    [Theory]
    [MemberData(nameof(AllErrors))]
    public void Every_error_is_produced_by_some_input(ProxyHeaderError error)
    {
        if (error == ProxyHeaderError.IncompleteHeader)
        {
            byte[] truncated = TestVectors.Get(TestVectors.GoldenV2Tcp4).Bytes.AsSpan(0, 20).ToArray();
            ProxyProtocolException exception = Assert.Throws<ProxyProtocolException>(() => ProxyHeader.Parse(truncated, out _));
            Assert.Equal(ProxyHeaderError.IncompleteHeader, exception.Error);
            return;
        }

        TestVector[] vectors = TestVectors.All.Where(v => v.Error == error).ToArray();
        Assert.True(vectors.Length > 0, $"No test vector produces {error}.");
        foreach (TestVector vector in vectors)
        {
            Assert.Equal(OperationStatus.InvalidData, ProxyHeaderParser.Parse(vector.Bytes, vector.Options, out _, out _, out ProxyHeaderError actual));
            Assert.Equal(error, actual);
        }
    }

    // InvalidData comes as early as the code says: the shortest rejected prefix of each vector.
    [Theory]
    [InlineData("det03-http-request", 1)]                          // a first byte other than 'P' or CR: one byte
    [InlineData("det03-tls-client-hello", 1)]
    [InlineData("det01-cr-then-garbage", 2)]
    [InlineData("det01-signature-last-byte", 12)]
    [InlineData("v1-01-tab-after-proxy", 6)]
    [InlineData("det05-v1-not-allowed", 6)]                         // as soon as "PROXY " is recognised
    [InlineData("det05-v2-not-allowed", 13)]                        // as soon as the version nibble is in
    [InlineData("v1-02-tcp5", 10)]                                  // "PROXY TCP5": before any CRLF
    [InlineData("v1-02-tcp44", 11)]
    [InlineData("v1-10-unknown-suffix", 14)]
    [InlineData("udp02-v1-udp4", 8)]
    [InlineData("v1-03-double-space", 20)]
    [InlineData("v1-06-ipv6-in-tcp4", 23)]                        // once the IPv6 text is complete
    [InlineData("v1-07-leading-zero", 29)]
    [InlineData("v1-08-lf-only", 31)]
    [InlineData("v1-08-cr-inside-line", 12)]
    [InlineData("v1-05-non-hex", 22)]
    [InlineData("v2-01-version-1", 13)]
    [InlineData("v2-02-command-2", 13)]
    [InlineData("v2-03-family-4", 14)]
    [InlineData("v2-03-transport-3", 14)]
    [InlineData("v2-04-inet-unspec-transport", 14)]
    [InlineData("v2-07-inet-len-11", 16)]
    [InlineData("v2-05-length-above-default-maximum", 16)]          // from the 16 fixed bytes alone
    [InlineData("tlv02-value-past-end", 31)]                        // as soon as the TLV's own header is in
    [InlineData("crc05-length-3", 31)]
    [InlineData("ssl01-value-4-bytes", 31)]
    [InlineData("unique-id-129", 31)]
    [InlineData("ssl06-sub-tlv-overrun", 39)]
    [InlineData("crc04-mismatch", 35)]                              // only the whole header can be checked
    [InlineData("v1-09-no-crlf-in-107-bytes", 106)]
    public void InvalidData_is_reported_as_early_as_promised(string name, int firstInvalidLength)
    {
        TestVector vector = TestVectors.Get(name);

        Assert.Equal(firstInvalidLength, ErrorDetection.FirstInvalidPrefixLength(vector.Bytes, vector.Options));
        ProxyHeaderParser.Parse(vector.Bytes.AsSpan(0, firstInvalidLength), vector.Options, out _, out _, out ProxyHeaderError error);
        Assert.Equal(vector.Error, error);
        Assert.Equal(OperationStatus.InvalidData, ProxyHeaderParser.Parse(Sequences.BytePerSegment(vector.Bytes.AsMemory(0, firstInvalidLength)), vector.Options, out _, out _, out error));
        Assert.Equal(vector.Error, error);
    }

    // The throwing parser raises ProxyProtocolException (an IOException) with the error and its message.
    [Theory]
    [MemberData(nameof(AllErrors))]
    public void Exception_carries_the_error_and_its_message(ProxyHeaderError error)
    {
        ProxyProtocolException exception = new(error);

        Assert.IsAssignableFrom<IOException>(exception);
        Assert.Equal(error, exception.Error);
        Assert.Equal(ProxyProtocolException.GetMessage(error), exception.Message);
        Assert.Equal("custom", new ProxyProtocolException(error, "custom").Message);
    }

    // Every error has its own description, none falls back to the generic text.
    [Fact]
    public void Every_error_has_a_distinct_message()
    {
        string fallback = ProxyProtocolException.GetMessage((ProxyHeaderError)999);
        List<string> messages = Enum.GetValues<ProxyHeaderError>().Select(ProxyProtocolException.GetMessage).ToList();

        Assert.Equal(messages.Count, messages.Distinct(StringComparer.Ordinal).Count());
        Assert.DoesNotContain(fallback, messages);
    }

    // ProxyHeader.Parse throws the parser's error for invalid input and returns the header for valid input.
    [Fact]
    public void Throwing_parser_reports_the_same_error()
    {
        foreach (TestVector vector in TestVectors.All)
        {
            if (vector.IsValid)
            {
                ProxyHeader header = ProxyHeader.Parse(vector.Bytes, vector.Options, out int consumed);
                Assert.Equal(vector.HeaderLength, consumed);
                Assert.Equal(vector.HeaderLength, header.Length);
            }
            else
            {
                ProxyProtocolException exception = Assert.Throws<ProxyProtocolException>(() => ProxyHeader.Parse(vector.Bytes, vector.Options, out _));
                Assert.Equal(vector.Error, exception.Error);
            }
        }

        Assert.Equal(ProxyHeaderError.IncompleteHeader, Assert.Throws<ProxyProtocolException>(() => ProxyHeader.Parse(default, out _)).Error);
    }

    // TryParse agrees with Parse.
    [Fact]
    public void TryParse_is_true_exactly_for_valid_headers()
    {
        foreach (TestVector vector in TestVectors.All)
        {
            Assert.Equal(vector.IsValid, ProxyHeaderParser.TryParse(vector.Bytes, vector.Options, out ProxyHeader header, out int consumed));
            Assert.Equal(vector.HeaderLength, consumed);
            if (vector.Options == default)
            {
                Assert.Equal(vector.IsValid, ProxyHeaderParser.TryParse(vector.Bytes, out ProxyHeader header2, out _));
                Assert.Equal(header, header2);
            }
        }
    }

    // Empty input is a prefix of every header.
    [Fact]
    public void Empty_input_needs_more_data()
    {
        Assert.Equal(OperationStatus.NeedMoreData, ProxyHeaderParser.Parse(ReadOnlySpan<byte>.Empty, out _, out int consumed, out ProxyHeaderError error));
        Assert.Equal(0, consumed);
        Assert.Equal(ProxyHeaderError.None, error);
        Assert.Equal(OperationStatus.NeedMoreData, ProxyHeaderParser.Parse(ReadOnlySequence<byte>.Empty, out _, out _, out _));
        Assert.Equal(OperationStatus.NeedMoreData, ProxyHeaderParser.DetectVersion(ReadOnlySpan<byte>.Empty, out _));
        Assert.Equal(OperationStatus.NeedMoreData, ProxyHeaderParser.DetectVersion(ReadOnlySequence<byte>.Empty, out _));
    }

    // ParseV1 and ParseV2 reject the other version's signature.
    [Fact]
    public void Version_specific_parsers_reject_the_other_version()
    {
        byte[] v1 = TestVectors.Get(TestVectors.SpecV1Tcp4Max).Bytes;
        byte[] v2 = TestVectors.Get(TestVectors.GoldenV2Tcp4).Bytes;

        Assert.Equal(OperationStatus.Done, ProxyHeaderParser.ParseV1(v1, default, out _, out _, out _));
        Assert.Equal(OperationStatus.Done, ProxyHeaderParser.ParseV2(v2, default, out _, out _, out _));
        Assert.Equal(OperationStatus.InvalidData, ProxyHeaderParser.ParseV1(v2, default, out _, out _, out ProxyHeaderError error));
        Assert.Equal(ProxyHeaderError.InvalidSignature, error);
        Assert.Equal(OperationStatus.InvalidData, ProxyHeaderParser.ParseV2(v1, default, out _, out _, out error));
        Assert.Equal(ProxyHeaderError.InvalidSignature, error);
    }
}
