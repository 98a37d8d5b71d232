using System;
using System.Buffers;
using FsCheck.Xunit;
using ProxyProtocol.Tests.Infrastructure;

namespace ProxyProtocol.Tests.Properties;

/// <summary>Partial headers (V2-09, V1-11, RX-03, DET-07) over generated headers.</summary>
public class PrefixProperties
{
    // Every strict prefix of any valid header is NeedMoreData with nothing consumed, from a span, from two
    // segments cut at a random point, and one byte per segment; the throwing parser says IncompleteHeader.
    [Property(Arbitrary = new[] { typeof(ProxyArbitraries) }, MaxTest = 100)]
    public void Every_strict_prefix_of_a_valid_header_needs_more_data(HeaderCase c)
    {
        byte[] written = c.Write();
        Random random = new(c.Seed);
        for (int length = 0; length < written.Length; length++)
        {
            ReadOnlyMemory<byte> prefix = written.AsMemory(0, length);

            OperationStatus status = ProxyHeaderParser.Parse(prefix.Span, RoundTripProperties.LargeHeaders, out _, out int consumed, out ProxyHeaderError error);
            Assert.True(status == OperationStatus.NeedMoreData, $"Prefix of {length} bytes: {status} {error}.");
            Assert.Equal(0, consumed);

            status = ProxyHeaderParser.Parse(Sequences.Split(prefix, random.Next(length + 1)), RoundTripProperties.LargeHeaders, out _, out consumed, out error);
            Assert.True(status == OperationStatus.NeedMoreData, $"Prefix of {length} bytes in two segments: {status} {error}.");
            Assert.Equal(0, consumed);

            if (length < 120)
            {
                Assert.Equal(OperationStatus.NeedMoreData, ProxyHeaderParser.Parse(Sequences.BytePerSegment(prefix), RoundTripProperties.LargeHeaders, out _, out _, out _));
            }

            Assert.Equal(ProxyHeaderError.IncompleteHeader,
                Assert.Throws<ProxyProtocolException>(() => ProxyHeader.Parse(prefix.Span, RoundTripProperties.LargeHeaders, out _)).Error);
        }
    }
}
