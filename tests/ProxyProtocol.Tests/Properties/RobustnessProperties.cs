using System;
using System.Buffers;
using FsCheck.Xunit;
using ProxyProtocol.Tests.Infrastructure;

namespace ProxyProtocol.Tests.Properties;

/// <summary>Arbitrary and header-like bytes: never an exception, always a defined status (V1-12, DET-03, quality bar).</summary>
public class RobustnessProperties
{
    // Arbitrary bytes: a defined status, consumed within the input, the same result in every buffer shape.
    [Property(MaxTest = 300)]
    public void Arbitrary_bytes_never_throw(byte[] input) => AssertWellBehaved(input);

    // Bytes after a valid prefix or signature, structured v2 headers with lying lengths, and valid headers
    // with bytes changed, cut or appended: same promises, deeper in the parser.
    [Property(Arbitrary = new[] { typeof(ProxyArbitraries) }, MaxTest = 500)]
    public void Header_like_bytes_never_throw(HeaderLikeInput input) => AssertWellBehaved(input.Bytes);

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

            try
            {
                ProxyHeader.Parse(input, options, out _);
            }
            catch (ProxyProtocolException)
            {
                // The only exception the throwing parser may raise.
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
        Assert.Equal(header.HasAddresses, header.GetSourceEndPoint() is not null);
        Assert.Equal(header.HasAddresses, header.GetDestinationEndPoint() is not null);
        header.GetSourceIPAddress();
        Assert.False(string.IsNullOrEmpty(header.ToString()));
        Assert.Equal(header.TlvLength, ReceivedProxyHeader.Create(header, outcome.HeaderBytes).TlvBytes.Length);
    }
}
