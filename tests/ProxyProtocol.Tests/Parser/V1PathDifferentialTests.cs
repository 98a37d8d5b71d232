using System;
using System.Buffers;
using System.Linq;
using FsCheck.Xunit;
using ProxyProtocol.Tests.Infrastructure;
using ProxyProtocol.Tests.Properties;
using ProxyProtocol.Tests.Vectors;

namespace ProxyProtocol.Tests.Parser;

/// <summary>
/// The v1 parser has two paths: a one-pass fast path for whole TCP4/TCP6 lines, and the general parser that
/// handles everything else. Through <see cref="ProxyHeaderParser.ParseV1(ReadOnlySpan{byte}, in ProxyParserOptions, out ProxyHeader, out int, out ProxyHeaderError)"/>
/// the general parser's success path is almost never reached, so here it runs on its own on every input, and
/// both must give exactly the same result: status, header (ports included), length, error.
/// </summary>
public class V1PathDifferentialTests
{
    public static TheoryData<string> VectorNames => new(TestVectors.All.Select(v => v.Name));

    // V1-01..V1-10: every vector of the catalog and every prefix of it.
    [Theory]
    [MemberData(nameof(VectorNames))]
    public void General_path_agrees_with_ParseV1_on_every_vector_and_prefix(string name)
    {
        TestVector vector = TestVectors.Get(name);
        for (int length = 0; length <= vector.Bytes.Length; length++)
        {
            AssertSame(vector.Bytes.AsSpan(0, length), vector.Options);
        }
    }

    // Every valid v1 vector: the general path accepts it on its own, so its success path is exercised.
    [Fact]
    public void General_path_accepts_every_valid_v1_vector()
    {
        TestVector[] valid = TestVectors.All.Where(v => v.IsValid && v.Bytes[0] == (byte)'P').ToArray();
        Assert.True(valid.Length >= 10, $"only {valid.Length} valid v1 vectors");
        foreach (TestVector vector in valid)
        {
            Assert.Equal(OperationStatus.Done, ProxyHeaderParser.ParseV1General(vector.Bytes, vector.Options, out ProxyHeader header, out int consumed, out _));
            Assert.Equal(vector.HeaderLength, consumed);
            Assert.Equal(ProxyVersion.V1, header.Version);
        }
    }

    // Generated headers written as v1 (TCP4, TCP6, UNKNOWN), and header-like bytes, under both option sets.
    [Property(Arbitrary = new[] { typeof(ProxyArbitraries) }, MaxTest = 300)]
    public void General_path_agrees_with_ParseV1_on_generated_headers(HeaderCase c)
    {
        byte[] line = new byte[ProxyHeaderWriter.MaxV1Length];
        Assert.Equal(OperationStatus.Done, ProxyHeaderWriter.WriteV1(c.Header, line, out int length));
        byte[] withData = [.. line.AsSpan(0, length), .. "GET / HTTP/1.1\r\n"u8];

        Assert.Equal(OperationStatus.Done, ProxyHeaderParser.ParseV1General(withData, default, out _, out int consumed, out _));
        Assert.Equal(length, consumed);
        AssertSame(withData, default);
        AssertSame(withData, new ProxyParserOptions { AllowIPv4InTcp6 = true });
    }

    [Property(Arbitrary = new[] { typeof(ProxyArbitraries) }, MaxTest = 300)]
    public void General_path_agrees_with_ParseV1_on_header_like_bytes(HeaderLikeInput input)
    {
        AssertSame(input.Bytes, default);
        AssertSame(input.Bytes, new ProxyParserOptions { AllowIPv4InTcp6 = true });
    }

    private static void AssertSame(ReadOnlySpan<byte> input, in ProxyParserOptions options)
    {
        OperationStatus fast = ProxyHeaderParser.ParseV1(input, options, out ProxyHeader fastHeader, out int fastConsumed, out ProxyHeaderError fastError);
        OperationStatus general = ProxyHeaderParser.ParseV1General(input, options, out ProxyHeader generalHeader, out int generalConsumed, out ProxyHeaderError generalError);

        string context = Hex.Format(input);
        Assert.True(fast == general, $"{fast} vs {general} for {context}");
        Assert.True(fastError == generalError, $"{fastError} vs {generalError} for {context}");
        Assert.True(fastConsumed == generalConsumed, $"{fastConsumed} vs {generalConsumed} for {context}");
        Assert.True(fastHeader == generalHeader, $"{fastHeader} vs {generalHeader} for {context}");
        Assert.Equal(fastHeader.Version, generalHeader.Version);
        Assert.Equal(fastHeader.Length, generalHeader.Length);
        Assert.Equal(fastHeader.SourcePort, generalHeader.SourcePort);
        Assert.Equal(fastHeader.DestinationPort, generalHeader.DestinationPort);
    }
}
