using System;
using System.Buffers;
using FsCheck.Fluent;
using FsCheck.Xunit;
using ProxyProtocol.Tests.Infrastructure;
using ProxyProtocol.Tests.Vectors;

namespace ProxyProtocol.Tests.Properties;

/// <summary>Arbitrary and header-like bytes: never an exception, always a defined status (V1-12, DET-03, quality bar).</summary>
public class RobustnessProperties
{
    // Arbitrary bytes: a defined status, consumed within the input, the same result in every buffer shape.
    // Most inputs start with the v2 signature (mostly with a valid version byte) or "PROXY ", so that they
    // reach the parser's depth instead of dying at byte 0; one in five is left as it came.
    [Property(MaxTest = 300)]
    public void Arbitrary_bytes_never_throw(byte[] input, byte prefix) => AssertWellBehaved(Prefixed(prefix, input));

    /// <summary>The prefix Arbitrary_bytes_never_throw puts before its bytes: chosen by <paramref name="choice"/>.</summary>
    internal static byte[] Prefixed(byte choice, byte[] input) => (choice % 10) switch
    {
        0 or 1 => [.. TestVectors.Signature, (byte)(0x20 | (choice & 1)), .. input],
        2 => [.. TestVectors.Signature, .. input],
        3 or 4 => [.. "PROXY "u8, .. input],
        5 => [.. "PROXY TCP4 "u8, .. input],
        6 => [.. "PROXY TCP6 "u8, .. input],
        7 => [.. "PROXY UNKNOWN"u8, .. input],
        _ => input,
    };

    // Bytes after a valid prefix or signature, structured v2 headers with lying lengths, and valid headers
    // with bytes changed, cut or appended: same promises, deeper in the parser.
    [Property(Arbitrary = new[] { typeof(ProxyArbitraries) }, MaxTest = 500)]
    public void Header_like_bytes_never_throw(HeaderLikeInput input) => AssertWellBehaved(input.Bytes);

    // The generators reach what they claim to test: most prefixed random inputs get past the signature check
    // (before, 1,959 of 2,000 arbitrary inputs died at byte 0), and the header-like generator also gives accepted
    // v1 lines, UNKNOWN among them, and accepted v2 headers, not only rejections.
    [Fact]
    public void The_random_inputs_reach_the_parser_depth()
    {
        Random random = new(9);
        int pastSignature = 0;
        for (int i = 0; i < 2000; i++)
        {
            byte[] bytes = new byte[random.Next(0, 100)];
            random.NextBytes(bytes);
            ProxyHeaderParser.Parse(Prefixed((byte)random.Next(256), bytes), out _, out _, out ProxyHeaderError error);
            pastSignature += error == ProxyHeaderError.InvalidSignature ? 0 : 1;
        }

        Assert.True(pastSignature >= 1400, $"{pastSignature} of 2,000 inputs got past the signature");

        int v1 = 0, unknown = 0, v2 = 0;
        foreach (HeaderLikeInput input in Generators.HeaderLikeInput.Sample(1000, 50))
        {
            if (ProxyHeaderParser.TryParse(input.Bytes, out ProxyHeader header, out _))
            {
                v1 += header.Version == ProxyVersion.V1 ? 1 : 0;
                unknown += header.Version == ProxyVersion.V1 && header.AddressFamily == ProxyAddressFamily.Unspecified ? 1 : 0;
                v2 += header.Version == ProxyVersion.V2 ? 1 : 0;
            }
        }

        // Sample(count, size): 1,000 inputs of size 50 (each run draws a new seed; the bounds are far below the
        // expected ~150 v1, ~50 UNKNOWN, ~60 v2).
        Assert.True(v1 >= 80 && unknown >= 20 && v2 >= 20, $"accepted of 1,000 header-like inputs: {v1} v1 ({unknown} UNKNOWN), {v2} v2");
    }

    private static void AssertWellBehaved(byte[] input)
    {
        foreach (ProxyParserOptions options in new[] { default, new ProxyParserOptions { VerifyCrc32c = false, AllowIPv4InTcp6 = true, MaxHeaderLength = 100 } })
        {
            // The span parse, checked against OperationStatus' promises, and every other buffer shape against it.
            ParseOutcome outcome = BufferShapes.ParseAllShapes(input, options);

            Assert.Equal(outcome.Status == OperationStatus.Done, ProxyHeaderParser.TryParse(input, options, out _, out _));
            AssertDecisionIsFinal(input, options, outcome);
            OperationStatus detected = ProxyHeaderParser.DetectVersion(input, out ProxyVersion version);
            Assert.Equal(detected, ProxyHeaderParser.DetectVersion(Sequences.BytePerSegment(input), out _));
            if (outcome.Status == OperationStatus.Done)
            {
                Assert.Equal(OperationStatus.Done, detected);
                Assert.Equal(outcome.Header.Version, version);
                AssertAcceptedHeaderIsUsable(outcome);
            }

            // The throwing parser agrees with the span parser: the same header, or ProxyProtocolException with
            // the same error (IncompleteHeader for NeedMoreData), and no other exception.
            ProxyHeaderError thrown = ProxyHeaderError.None;
            ProxyHeader parsed = default;
            int parsedLength = 0;
            try
            {
                parsed = ProxyHeader.Parse(input, options, out parsedLength);
            }
            catch (ProxyProtocolException exception)
            {
                thrown = exception.Error;
            }

            ProxyHeaderError expected = outcome.Status switch
            {
                OperationStatus.Done => ProxyHeaderError.None,
                OperationStatus.NeedMoreData => ProxyHeaderError.IncompleteHeader,
                _ => outcome.Error,
            };
            Assert.Equal(expected, thrown);
            if (outcome.Status == OperationStatus.Done)
            {
                Assert.Equal(outcome.Header, parsed);
                Assert.Equal(outcome.BytesConsumed, parsedLength);
            }
        }
    }

    // InvalidData means no appended bytes can make the input valid, and Done is final too: once a prefix
    // is decided, every longer prefix gets the same decision.
    private static void AssertDecisionIsFinal(byte[] input, in ProxyParserOptions options, ParseOutcome whole)
    {
        ParseOutcome? decided = null;
        for (int length = 0; length <= input.Length; length++)
        {
            OperationStatus status = ProxyHeaderParser.Parse(input.AsSpan(0, length), options, out ProxyHeader header, out int consumed, out ProxyHeaderError error);
            if (decided is null)
            {
                if (status != OperationStatus.NeedMoreData)
                {
                    decided = new ParseOutcome(status, header, consumed, error, input);
                }

                continue;
            }

            Assert.True(status == decided.Status && error == decided.Error && consumed == decided.BytesConsumed && header == decided.Header,
                $"Prefix of {length} bytes: {status} {error} {consumed}, but a shorter prefix gave {decided}.");
        }

        Assert.Equal(decided?.Status ?? OperationStatus.NeedMoreData, whole.Status);
    }

    // Whatever the parser accepts can be used without exceptions: TLVs (validated framing), SSL sub-TLVs,
    // endpoints, description, and the owned copy.
    private static void AssertAcceptedHeaderIsUsable(ParseOutcome outcome)
    {
        ProxyHeader header = outcome.Header;
        ProxyTlvs.Enumerator enumerator = outcome.Tlvs.GetEnumerator();
        while (enumerator.MoveNext())
        {
            if (enumerator.Current.Type == ProxyTlvType.Ssl)
            {
                Assert.True(enumerator.Current.Value.Length >= 5);
                ProxyTlvs.Enumerator sub = new ProxyTlvs(enumerator.Current.Value.Slice(5)).GetEnumerator();
                while (sub.MoveNext())
                {
                }

                Assert.False(sub.IsMalformed);
            }
        }

        Assert.False(enumerator.IsMalformed);
        outcome.Tlvs.TryGetSsl(out ProxySslTlv ssl);
        ssl.TryGetVersion(out _);
        outcome.Tlvs.TryGetAwsVpcEndpointId(out _);
        outcome.Tlvs.TryGetAzureLinkId(out _);
        outcome.Tlvs.TryGetGcpPscConnectionId(out _);
        outcome.Tlvs.TryGetCrc32c(out _);
        Assert.Equal(header.HasAddresses, header.GetSourceEndPoint(outcome.HeaderBytes) is not null);
        Assert.Equal(header.HasAddresses, header.GetDestinationEndPoint(outcome.HeaderBytes) is not null);
        header.GetSourceIPAddress();
        Assert.False(string.IsNullOrEmpty(header.ToString()));
        ReceivedProxyHeader received = ReceivedProxyHeader.Create(header, outcome.HeaderBytes);
        Assert.Equal(header.TlvLength, received.TlvBytes.Length);
        Assert.Equal(header, received.Header);
        Assert.Equal(header.HasAddresses, received.Header.GetSourceEndPoint() is not null);
    }
}
