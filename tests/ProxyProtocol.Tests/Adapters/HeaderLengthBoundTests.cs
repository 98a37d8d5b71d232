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
