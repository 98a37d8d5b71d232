using System;
using System.Buffers;
using System.Net;
using ProxyProtocol.Internal;

namespace ProxyProtocol.Tests.Adapters;

/// <summary>
/// The bound the exact Stream reader sizes its reads by. RX-02: it must never exceed the bytes a valid
/// header still has, or a read could take application data.
/// </summary>
public class HeaderLengthBoundTests
{
    [Theory]
    [MemberData(nameof(HeaderVectors.All), MemberType = typeof(HeaderVectors))]
    public void Bound_never_passes_the_end_of_a_vector(string name)
    {
        byte[] header = HeaderVectors.Header(name);
        for (int prefix = 0; prefix < header.Length; prefix++)
        {
            int bound = HeaderLengthBound.GetMinimumRemaining(header.AsSpan(0, prefix));
            Assert.InRange(bound, 1, header.Length - prefix);
        }
    }

    [Fact]
    public void Bound_never_passes_the_end_of_random_v1_lines()
    {
        // Random endpoints of every length; the writer makes the v1 line, the bound must hold at every prefix.
        var random = new Random(1234);
        Span<byte> line = stackalloc byte[ProxyHeaderWriter.MaxV1Length];
        for (int i = 0; i < 2000; i++)
        {
            bool v6 = random.Next(2) == 0;
            ProxyHeader header = ProxyHeader.CreateProxy(RandomEndPoint(random, v6), RandomEndPoint(random, v6));
            Assert.Equal(OperationStatus.Done, ProxyHeaderWriter.WriteV1(header, line, out int length));
            for (int prefix = 0; prefix < length; prefix++)
            {
                Assert.InRange(HeaderLengthBound.GetMinimumRemaining(line.Slice(0, prefix)), 1, length - prefix);
            }
        }
    }

    [Theory]
    [InlineData("v1-tcp4", 6)]
    [InlineData("v1-tcp6", 7)]
    [InlineData("v1-unknown", 1)]
    [InlineData("v2-ipv4", 3)]
    [InlineData("v2-ipv6-tlvs-crc", 3)]
    public void A_whole_header_takes_few_reads(string name, int maxReads)
    {
        // The cost of reading exactly from a stream that cannot peek: v2 in three reads (15, the 16th, the rest), v1 in a handful.
        var stream = new ScriptedReadStream(HeaderVectors.HeaderAndPayload(name));
        stream.ReadProxyHeader();
        Assert.InRange(stream.ReadCalls, 1, maxReads);
    }

    [Theory]
    [MemberData(nameof(HeaderVectors.All), MemberType = typeof(HeaderVectors))]
    public void Incomplete_v2_is_recognised_from_the_fixed_part_for_every_prefix_and_split(string name)
    {
        // The readers skip parsing exactly while a v2 header with a valid fixed part is still incomplete (a
        // prefix parsed again and again was quadratic for a trickled header): never for v1, never once whole.
        byte[] header = HeaderVectors.Header(name);
        bool v2 = header[0] == 0x0D;
        for (int prefix = 0; prefix <= header.Length; prefix++)
        {
            bool expected = v2 && prefix > 16 && prefix < header.Length;
            Assert.Equal(expected, HeaderLengthBound.IsIncompleteV2(header.AsSpan(0, prefix), ProxyParserOptions.Default));
            for (int split = 0; split <= prefix; split += Math.Max(1, prefix / 7))
            {
                Assert.Equal(expected, HeaderLengthBound.IsIncompleteV2(TwoSegments(header.AsMemory(0, prefix), split), ProxyParserOptions.Default));
            }
        }
    }

    [Theory]
    [InlineData(0x11, 0x11, 100, "version 1")]
    [InlineData(0x21, 0x41, 100, "family 4")]
    [InlineData(0x21, 0x11, 8, "shorter than the IPv4 addresses")]
    [InlineData(0x21, 0x11, 5000, "longer than the maximum")]
    public void Incomplete_v2_with_a_bad_fixed_part_is_left_to_the_parser(byte versionCommand, byte family, int length, string why)
    {
        byte[] prefix = new byte[40];
        ReadOnlySpan<byte> signature = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];
        signature.CopyTo(prefix);
        prefix[12] = versionCommand;
        prefix[13] = family;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(prefix.AsSpan(14), (ushort)length);

        Assert.False(HeaderLengthBound.IsIncompleteV2(prefix, ProxyParserOptions.Default), why);
        Assert.Equal(OperationStatus.InvalidData, ProxyHeaderParser.Parse(prefix, out _, out _, out _));
    }

    [Fact]
    public void A_bad_tlv_in_a_cut_off_v2_header_is_still_reported_when_the_stream_ends()
    {
        // The readers parse a v2 header once whole; a connection that ends early gets the error its bytes have,
        // as before, and IncompleteHeader only when they have none.
        byte[] header = HeaderVectors.Header("v2-ipv4");
        byte[] badTlv = [.. header[..14], 0x00, 0x20, .. header[16..28], 0x04, 0x00, 0x40, 0x00]; // len 32, a NOOP claiming 64 bytes (TLV-02)

        var exception = Assert.Throws<ProxyProtocolException>(() => new ScriptedReadStream(badTlv).ReadProxyHeader());
        Assert.Equal(ProxyHeaderError.TlvOverrun, exception.Error);
        exception = Assert.Throws<ProxyProtocolException>(() => new ScriptedReadStream(header[..20]).ReadProxyHeader());
        Assert.Equal(ProxyHeaderError.IncompleteHeader, exception.Error);
    }

    private static ReadOnlySequence<byte> TwoSegments(ReadOnlyMemory<byte> bytes, int split)
    {
        var first = new Segment(bytes[..split], 0);
        var second = new Segment(bytes[split..], split);
        first.SetNext(second);
        return new ReadOnlySequence<byte>(first, 0, second, second.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public void SetNext(Segment next) => Next = next;
    }

    private static IPEndPoint RandomEndPoint(Random random, bool v6)
    {
        byte[] address = new byte[v6 ? 16 : 4];
        random.NextBytes(address);
        if (v6)
        {
            // Runs of zeros make "::" compressions of every length.
            int zeros = random.Next(0, 17);
            address.AsSpan(random.Next(0, 17 - zeros), zeros).Clear();
        }
        else if (random.Next(3) == 0)
        {
            address.AsSpan(0, random.Next(1, 5)).Clear();
        }

        return new IPEndPoint(new IPAddress(address), random.Next(0, 3) == 0 ? random.Next(0, 10) : random.Next(0, 65536));
    }
}
