using System;
using System.Buffers;
using System.Linq;
using System.Net;
using System.Text;
using ProxyProtocol.Tests.Infrastructure;
using ProxyProtocol.Tests.Vectors;

namespace ProxyProtocol.Tests.Writer;

/// <summary>The v1 writer: sender rules (V1-13, TX-01, TX-03, TX-04, UDP-02, DET-06) and exact sizes.</summary>
public class WriterV1Tests
{
    public static TheoryData<string, ushort, string, ushort> IPHeaders => new()
    {
        { "192.168.0.1", 56324, "192.168.0.11", 443 },
        { "255.255.255.255", 65535, "255.255.255.255", 65535 },
        { "0.0.0.0", 0, "0.0.0.0", 0 },
        { "2001:db8::1", 52953, "2001:db8::2", 25 },
        { "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 65535, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 65535 },
        { "::1", 1, "::ffff:10.0.0.1", 2 },
        { "10.0.0.1", 1, "2001:db8::2", 2 },
    };

    // V1-09 and the spec examples: the writer produces the spec's lines byte for byte, including the longest ones.
    [Theory]
    [InlineData("192.168.0.1", 56324, "192.168.0.11", 443, "PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n")]
    [InlineData("255.255.255.255", 65535, "255.255.255.255", 65535, "PROXY TCP4 255.255.255.255 255.255.255.255 65535 65535\r\n")]
    [InlineData("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 65535, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 65535, "PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n")]
    [InlineData("0.0.0.0", 0, "10.0.0.255", 80, "PROXY TCP4 0.0.0.0 10.0.0.255 0 80\r\n")]
    public void Spec_lines_are_written_exactly(string source, int sourcePort, string destination, int destinationPort, string expected)
    {
        ProxyHeader header = Create(source, sourcePort, destination, destinationPort);

        Assert.Equal(expected, WriteV1(header));
        Assert.Equal(expected.Length, ProxyHeaderWriter.GetV1Length(header));
    }

    // Captures: HAProxy, nginx and curl v1 lines are reproduced byte for byte.
    [Theory]
    [InlineData(TestVectors.HaproxyV1Tcp4)]
    [InlineData(TestVectors.HaproxyV1Tcp6)]
    [InlineData(TestVectors.NginxV1Tcp4)]
    [InlineData(TestVectors.NginxV1Tcp6)]
    [InlineData(TestVectors.CurlV1Tcp4)]
    [InlineData(TestVectors.CurlV1Tcp6)]
    [InlineData(TestVectors.HaproxyCheckV1)]
    public void Captured_lines_are_reproduced(string name)
    {
        TestVector vector = TestVectors.Get(name);
        ProxyHeader parsed = ProxyHeader.Parse(vector.Bytes, out _);
        ProxyHeader rebuilt = ProxyHeader.CreateProxy((IPEndPoint)parsed.GetSourceEndPoint()!, (IPEndPoint)parsed.GetDestinationEndPoint()!);

        Assert.Equal(Encoding.ASCII.GetString(vector.Header), WriteV1(rebuilt));
    }

    // V1-13, TX-04, UDP-02: what v1 cannot express (LOCAL, UNSPEC, Unix, datagrams) is written as UNKNOWN.
    [Fact]
    public void TX_04_non_TCP_headers_are_written_as_UNKNOWN()
    {
        IPEndPoint a = new(IPAddress.Parse("192.0.2.1"), 1);
        IPEndPoint b = new(IPAddress.Parse("192.0.2.2"), 2);
        ProxyHeader[] headers =
        [
            ProxyHeader.CreateLocal(),
            ProxyHeader.CreateUnknown(),
            ProxyHeader.CreateUnix("/run/a.sock", "/run/b.sock"),
            ProxyHeader.CreateProxy(a, b, ProxyTransport.Datagram),
            ProxyHeader.CreateProxy(new IPEndPoint(IPAddress.IPv6Loopback, 1), new IPEndPoint(IPAddress.IPv6Loopback, 2), ProxyTransport.Datagram),
            ProxyHeader.Create(new DnsEndPoint("example.com", 80), b),
            ProxyHeader.Parse(TestVectors.Get(TestVectors.V2LocalWithInetBlock).Bytes, out _), // LOCAL with addresses
        ];

        foreach (ProxyHeader header in headers)
        {
            Assert.Equal("PROXY UNKNOWN\r\n", WriteV1(header));
            Assert.Equal(15, ProxyHeaderWriter.GetV1Length(header));
        }
    }

    // TX-03: with one IPv4 and one IPv6 endpoint the IPv4 one is v4-mapped and the line is TCP6.
    [Theory]
    [InlineData("10.0.0.1", "2001:db8::2", "PROXY TCP6 ::ffff:10.0.0.1 2001:db8::2 1000 2000\r\n")]
    [InlineData("2001:db8::1", "192.0.2.10", "PROXY TCP6 2001:db8::1 ::ffff:192.0.2.10 1000 2000\r\n")]
    public void TX_03_mixed_families_are_written_as_v4_mapped_TCP6(string source, string destination, string expected)
    {
        ProxyHeader header = Create(source, 1000, destination, 2000);

        Assert.Equal(ProxyAddressFamily.InterNetworkV6, header.AddressFamily);
        Assert.Equal(expected, WriteV1(header));
        Assert.Equal(header, ProxyHeader.Parse(Encoding.ASCII.GetBytes(expected), out _));
    }

    // DET-06: a v1 sender writes only printable text and the final CRLF.
    [Theory]
    [MemberData(nameof(IPHeaders))]
    public void DET_06_v1_output_is_text(string source, ushort sourcePort, string destination, ushort destinationPort)
    {
        string line = WriteV1(Create(source, sourcePort, destination, destinationPort));

        Assert.EndsWith("\r\n", line, StringComparison.Ordinal);
        Assert.All(line[..^2], c => Assert.InRange(c, ' ', '~'));
        Assert.StartsWith("PROXY TCP", line, StringComparison.Ordinal);
    }

    // GetV1Length is exact, and every destination shorter than the line is DestinationTooSmall with nothing
    // written and the destination untouched; an exact fit is Done.
    [Theory]
    [MemberData(nameof(IPHeaders))]
    public void Short_destinations_are_DestinationTooSmall(string source, ushort sourcePort, string destination, ushort destinationPort)
    {
        ProxyHeader header = Create(source, sourcePort, destination, destinationPort);
        int length = ProxyHeaderWriter.GetV1Length(header);
        byte[] full = new byte[ProxyHeaderWriter.MaxV1Length];
        Assert.Equal(OperationStatus.Done, ProxyHeaderWriter.WriteV1(header, full, out int written));
        Assert.Equal(length, written);
        Assert.InRange(length, 15, ProxyHeaderWriter.MaxV1Length);

        for (int size = 0; size < length; size++)
        {
            byte[] small = Enumerable.Repeat((byte)0xEE, size).ToArray();
            Assert.Equal(OperationStatus.DestinationTooSmall, ProxyHeaderWriter.WriteV1(header, small, out written));
            Assert.Equal(0, written);
            Assert.All(small, b => Assert.Equal(0xEE, b));
        }

        byte[] exact = new byte[length];
        Assert.Equal(OperationStatus.Done, ProxyHeaderWriter.WriteV1(header, exact, out written));
        Assert.Equal(length, written);
        Assert.Equal(full.AsSpan(0, length).ToArray(), exact);
    }

    // TX-01: into a buffer writer the line is committed with one GetSpan and one Advance.
    [Fact]
    public void TX_01_buffer_writer_gets_the_line_in_one_piece()
    {
        RecordingBufferWriter writer = new();
        ProxyHeader header = Create("2001:db8::1", 52953, "2001:db8::2", 25);

        int written = ProxyHeaderWriter.WriteV1(header, writer);

        Assert.Equal(1, writer.GetSpanCalls);
        Assert.Equal(1, writer.AdvanceCalls);
        Assert.Equal(written, writer.WrittenSpan.Length);
        Assert.Equal("PROXY TCP6 2001:db8::1 2001:db8::2 52953 25\r\n", Encoding.ASCII.GetString(writer.WrittenSpan));
        Assert.Throws<ArgumentNullException>(() => ProxyHeaderWriter.WriteV1(header, (IBufferWriter<byte>)null!));
    }

    // V1-09: 107 bytes always fit.
    [Fact]
    public void MaxV1Length_is_107() => Assert.Equal(107, ProxyHeaderWriter.MaxV1Length);

    // IPv6 text is RFC 5952 canonical: lowercase, no leading zeros, the longest run (first on a tie) of two
    // or more zero groups as "::", and v4-mapped addresses as ::ffff:a.b.c.d (QUIRK-03a), as HAProxy writes.
    [Theory]
    [InlineData("2001:db8::1", "2001:db8::1")]
    [InlineData("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1")]
    [InlineData("2001:DB8::A", "2001:db8::a")]
    [InlineData("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1")]
    [InlineData("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1")]
    [InlineData("2001:0:0:1:0:0:0:1", "2001:0:0:1::1")]
    [InlineData("1:0:0:2:0:0:0:3", "1:0:0:2::3")]
    [InlineData("0:0:1:0:0:0:0:0", "0:0:1::")]
    [InlineData("0:1:0:1:0:1:0:1", "0:1:0:1:0:1:0:1")]
    [InlineData("::", "::")]
    [InlineData("::1", "::1")]
    [InlineData("1::", "1::")]
    [InlineData("fe80::1", "fe80::1")]
    [InlineData("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8")]
    [InlineData("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")]
    [InlineData("::ffff:192.0.2.1", "::ffff:192.0.2.1")]
    [InlineData("0:0:0:0:0:ffff:c000:201", "::ffff:192.0.2.1")]
    [InlineData("::ffff:0.0.0.0", "::ffff:0.0.0.0")]
    [InlineData("::192.0.2.1", "::c000:201")]
    [InlineData("64:ff9b::192.0.2.1", "64:ff9b::c000:201")]
    [InlineData("0:0:0:0:1:ffff:c000:201", "::1:ffff:c000:201")]
    [InlineData("2001:db8:aaaa:bbbb:cccc:dddd:eeee:0", "2001:db8:aaaa:bbbb:cccc:dddd:eeee:0")]
    public void IPv6_is_written_in_RFC_5952_form(string address, string expected)
    {
        ProxyHeader header = Create(address, 1, "::1", 2);

        Assert.Equal($"PROXY TCP6 {expected} ::1 1 2\r\n", WriteV1(header));
        Assert.Equal(header, ProxyHeader.Parse(Encoding.ASCII.GetBytes(WriteV1(header)), out _));
    }

    internal static ProxyHeader Create(string source, int sourcePort, string destination, int destinationPort) =>
        ProxyHeader.CreateProxy(new IPEndPoint(IPAddress.Parse(source), sourcePort), new IPEndPoint(IPAddress.Parse(destination), destinationPort));

    internal static string WriteV1(in ProxyHeader header)
    {
        Span<byte> buffer = stackalloc byte[ProxyHeaderWriter.MaxV1Length];
        Assert.Equal(OperationStatus.Done, ProxyHeaderWriter.WriteV1(header, buffer, out int written));
        return Encoding.ASCII.GetString(buffer.Slice(0, written));
    }
}
