using System;
using System.Buffers;
using System.Linq;
using FsCheck.Xunit;
using ProxyProtocol.Tests.Infrastructure;
using ProxyProtocol.Tests.Properties;
using ProxyProtocol.Tests.Vectors;

namespace ProxyProtocol.Tests.Parser;

/// <summary>
/// The v2 parser has fast paths (PROXY over IPv4/IPv6 with or without TLVs; any whole valid header) in front of
/// the general parser, which handles everything. Through <see cref="ProxyHeaderParser.ParseV2(ReadOnlySpan{byte}, in ProxyParserOptions, out ProxyHeader, out int, out ProxyHeaderError)"/>
/// the general parser's success path is almost never reached, so here it runs on its own on every input, and
/// both must give exactly the same result: status, header (ports and TLV region included), length, error.
/// </summary>
public class V2PathDifferentialTests
{
    public static TheoryData<string> VectorNames => new(TestVectors.All.Select(v => v.Name));

    // V2-01..V2-07, TLV-01..03: every vector of the catalog and every prefix of it, under its own options and
    // with CRC32C verification off.
    [Theory]
    [MemberData(nameof(VectorNames))]
    public void General_path_agrees_with_ParseV2_on_every_vector_and_prefix(string name)
    {
        TestVector vector = TestVectors.Get(name);
        ProxyParserOptions noCrc = new() { VerifyCrc32c = false, MaxHeaderLength = vector.Options.MaxHeaderLength, AllowedVersions = vector.Options.AllowedVersions };
        for (int length = 0; length <= vector.Bytes.Length; length++)
        {
            AssertSame(vector.Bytes.AsSpan(0, length), vector.Options);
            AssertSame(vector.Bytes.AsSpan(0, length), noCrc);
        }
    }

    // Generated headers written as v2 (every family, TLVs, CRC32C), and header-like bytes.
    [Property(Arbitrary = new[] { typeof(ProxyArbitraries) }, MaxTest = 300)]
    public void General_path_agrees_with_ParseV2_on_generated_headers(HeaderCase c)
    {
        if (c.Version != ProxyVersion.V2)
        {
            return;
        }

        byte[] written = c.Write();
        int length = written.Length;
        byte[] withData = [.. written, .. "GET / HTTP/1.1\r\n"u8];
        AssertSame(withData, default);
        AssertSame(withData.AsSpan(0, length - 1), default);
        AssertSame(withData, new ProxyParserOptions { MaxHeaderLength = ProxyParserOptions.MinMaxHeaderLength });
    }

    [Property(Arbitrary = new[] { typeof(ProxyArbitraries) }, MaxTest = 300)]
    public void General_path_agrees_with_ParseV2_on_header_like_bytes(HeaderLikeInput input)
    {
        AssertSame(input.Bytes, default);
        AssertSame(input.Bytes, new ProxyParserOptions { VerifyCrc32c = false });
    }

    private static void AssertSame(ReadOnlySpan<byte> input, in ProxyParserOptions options)
    {
        OperationStatus fast = ProxyHeaderParser.ParseV2(input, options, out ProxyHeader fastHeader, out int fastConsumed, out ProxyHeaderError fastError);
        OperationStatus general = ProxyHeaderParser.ParseV2General(input, options, out ProxyHeader generalHeader, out int generalConsumed, out ProxyHeaderError generalError);

        string context = Hex.Format(input);
        Assert.True(fast == general, $"{fast} vs {general} for {context}");
        Assert.True(fastError == generalError, $"{fastError} vs {generalError} for {context}");
        Assert.True(fastConsumed == generalConsumed, $"{fastConsumed} vs {generalConsumed} for {context}");
        Assert.True(fastHeader == generalHeader, $"{fastHeader} vs {generalHeader} for {context}");
        Assert.Equal(fastHeader.Version, generalHeader.Version);
        Assert.Equal(fastHeader.Length, generalHeader.Length);
        Assert.Equal(fastHeader.TlvOffset, generalHeader.TlvOffset);
        Assert.Equal(fastHeader.TlvLength, generalHeader.TlvLength);
    }
}
