using System;
using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ProxyProtocol.Tests;

/// <summary>
/// Inputs found by the AFL++ harness (fuzz/README.md), pinned with the result the parser must give. The
/// same files sit in fuzz/corpus, so every fuzz run replays them as seeds too.
/// </summary>
public class FuzzRegressionTests
{
    /// <summary>
    /// Every finding was an error code that depended on how the bytes arrived: the span parser and a
    /// prefix (or the first segment of a sequence) disagreed. Each must now give the same result whole,
    /// split at every index, one byte per segment, and in every prefix (RX-03).
    /// </summary>
    public static TheoryData<string, string, ProxyHeaderError> Findings => new()
    {
        // SSL-06 before TLV-01: an SSL sub-TLV overruns its SSL TLV, and a truncated TLV follows. Prefixes
        // that cut the SSL value reported the later TlvTruncated; errors must come in wire order. Found as LOCAL
        // (0x20); a LOCAL header whose bytes do not frame is now opaque (QUIRK-04), so they are PROXY UNSPEC here.
        { "ssl-subtlv-overrun-then-truncated-tlv", "0d0a0d0a000d0a515549540a2100000f20000a0000000000030004d154a0ca", ProxyHeaderError.SslSubTlvOverrun },
        { "ssl-subtlv-overrun-then-truncated-tlv-2", "0d0a0d0a000d0a515549540a2100000f20000b0000000000030004d154a0d154a0caca", ProxyHeaderError.SslSubTlvOverrun },
        { "ssl-subtlv-truncated-then-truncated-tlv", "0d0a0d0a000d0a515549540a2100000f20000a51550000000000000000000000000000", ProxyHeaderError.SslSubTlvOverrun },

        // V1-08 after the protocol word: a bad line end follows text that is already invalid. The whole
        // line reported InvalidLineEnding, a first segment cut before the line end InvalidProtocol.
        { "v1-bad-word-then-cr-without-lf", "50524f58592055454a585920554e624e4f574e0d1a40032000000f202000000f20000540ff00e1ff05", ProxyHeaderError.InvalidProtocol },
        { "v1-unknown-then-lf-without-cr", "50524f585920554e4b4e4f574e0c0af01b23030004", ProxyHeaderError.InvalidProtocol },
        {
            "v1-bad-ipv4-then-lf-without-cr",
            "50524f58592054435034202132372e302e302e31203431340000800034ff7f341234340a474554202f20485454502f312e31eafc4858341234340a474554202f20485454502f312e310cfd48585b743a203135372e302e302e313a31393033100d0a557365722d302e302e3120343134000080003400343412344167656e743a206375726c2f37",
            ProxyHeaderError.InvalidIPv4Address
        },

        // V1-09 after the protocol word: a line with no CRLF in 107 bytes reported LineTooLong whole, but
        // InvalidProtocol from any shorter prefix. Text that is still valid keeps LineTooLong.
        { "v1-bad-word-then-line-too-long", Convert.ToHexString(Encoding.ASCII.GetBytes("PROXY TCP5 " + new string('A', 120))), ProxyHeaderError.InvalidProtocol },
        { "v1-unknown-line-too-long", Convert.ToHexString(Encoding.ASCII.GetBytes("PROXY UNKNOWN " + new string('A', 120))), ProxyHeaderError.LineTooLong },

        // V1-03 after V1-04/V1-07: a field's own bytes come before the separator after it. With a bad
        // port followed by an extra field, or an address followed by too few fields, the whole line reported
        // InvalidFieldSeparator while a prefix ending inside the field reported the field's error.
        { "v1-bad-port-then-extra-field", "50524f58592054435034203132372e302e302e31203132372e302e302e31203533373838203139adadadadadadadadadadadadadadadadadadadadadadadadad6e743a206375726c2f372e38382e310d0a4163636570743a202a2f2a0d0a0d0a", ProxyHeaderError.InvalidPort },
        { "v1-ipv6-text-then-too-few-fields", "50524f58592054435034203a31393034300d0a5573ff7f2d4167656e743132372e302e302e31203132372e30300d0a4720353031302e302e302e312e31205454502f312e310d0a486f73740d0a486f7300102031322f372e38382e313a31393034300d0a7f7365722d4167656eff00b5bbb5b5b5b5b52a0d0a0d0a", ProxyHeaderError.AddressFamilyMismatch },

        // V1-06: "contains ':'" was decided on the whole TCP4 address, so "~27::.0.0.1" gave
        // AddressFamilyMismatch while its prefix "~" gave InvalidIPv4Address. Now an address is an IPv6
        // mismatch only if made of IPv6 characters, and a cut-off one is rejected only once it cannot be.
        { "v1-tcp4-bad-char-before-colon", "50524f58592054435034203132372e302e302e31207e32373a3a2e302e302e312035333738382031393034300d0a474554202f20485454502f312e310d0a486f73743a207fff372e302e302e313a31393034300d0a557365722d4167656e743a206375726c2f372e38382e310d0a410a63636570743a202a2f2a0d0a0d0a", ProxyHeaderError.InvalidIPv4Address },
        { "v1-tcp4-colon-then-bad-char", Convert.ToHexString("PROXY TCP4 1:x 1.2.3.4 1 2\r\n"u8), ProxyHeaderError.InvalidIPv4Address },
        { "v1-tcp4-with-ipv6-address", Convert.ToHexString("PROXY TCP4 fe80::1 1.2.3.4 1 2\r\n"u8), ProxyHeaderError.AddressFamilyMismatch },
    };

    [Theory]
    [MemberData(nameof(Findings))]
    public void Finding_gives_one_error_in_every_buffer_shape(string name, string hex, ProxyHeaderError expected)
    {
        byte[] input = Convert.FromHexString(hex);

        OperationStatus status = ProxyHeaderParser.Parse(input, out _, out int consumed, out ProxyHeaderError error);
        Assert.True(status == OperationStatus.InvalidData && error == expected && consumed == 0, $"{name}: {status}/{error}");

        for (int at = 0; at <= input.Length; at++)
        {
            status = ProxyHeaderParser.Parse(Split(input, at), out _, out consumed, out error);
            Assert.True(status == OperationStatus.InvalidData && error == expected, $"{name} split at {at}: {status}/{error}");

            // A prefix is either still a valid beginning or already fails with the same error.
            status = ProxyHeaderParser.Parse(input.AsSpan(0, at), out _, out consumed, out error);
            Assert.True(status == OperationStatus.NeedMoreData || (status == OperationStatus.InvalidData && error == expected), $"{name} prefix {at}: {status}/{error}");
        }

        status = ProxyHeaderParser.Parse(OneBytePerSegment(input), out _, out _, out error);
        Assert.True(status == OperationStatus.InvalidData && error == expected, $"{name} one byte per segment: {status}/{error}");
    }

    /// <summary>
    /// V2-06: Unix addresses are 108-byte NUL-padded slots, and any bytes may arrive there; an unnamed
    /// client socket has an all-NUL address, which a proxy relays as it is.
    /// <c>new UnixDomainSocketEndPoint(string)</c> threw ArgumentOutOfRangeException for an empty path, for
    /// 108 bytes with no NUL, and for bytes that are not UTF-8 (which decode longer); the endpoint getters
    /// must not throw on a header the parser accepted.
    /// </summary>
    [Theory]
    [InlineData("unnamed", "")]
    [InlineData("108 bytes, no NUL", "2f6162626262626262626262626262626262626262626262626262626262626262626262626262626262626262626262626262626262626262626262626262626262626262626262626262626262626262626262626262626262626262626262626262626262626262626262")]
    [InlineData("not UTF-8", "2fffc3fe2e736f636b")]
    [InlineData("abstract", "00616273747261637400782d79")]
    [InlineData("path", "2f72756e2f686170726f78792e736f636b")]
    public void Unix_endpoint_holds_the_exact_path_bytes(string name, string pathHex)
    {
        byte[] path = Convert.FromHexString(pathHex);
        Assert.True(path.Length <= 108, name);
        byte[] input = new byte[16 + 216];
        Convert.FromHexString("0d0a0d0a000d0a515549540a213100d8").CopyTo(input, 0);
        path.CopyTo(input, 16);                     // source slot
        "/run/server.sock"u8.CopyTo(input.AsSpan(16 + 108)); // destination slot

        OperationStatus status = ProxyHeaderParser.Parse(input, out ProxyHeader header, out int consumed, out ProxyHeaderError error);
        Assert.Equal(OperationStatus.Done, status);
        Assert.Equal(ProxyHeaderError.None, error);
        Assert.Equal(232, consumed);

        UnixDomainSocketEndPoint source = Assert.IsType<UnixDomainSocketEndPoint>(header.GetSourceEndPoint(input));
        UnixDomainSocketEndPoint destination = Assert.IsType<UnixDomainSocketEndPoint>(header.GetDestinationEndPoint(input));
        Assert.Equal(path, SerializedPath(source));
        Assert.Equal("/run/server.sock", destination.ToString());
        Assert.NotEmpty(header.ToString());
        Assert.NotEmpty(ReceivedProxyHeader.Create(header, input).Header.ToString());
    }

    /// <summary>The path bytes of a serialized Unix endpoint, without the terminating NUL a path name gets when there is room.</summary>
    private static byte[] SerializedPath(UnixDomainSocketEndPoint endPoint)
    {
        SocketAddress address = endPoint.Serialize();
        ReadOnlySpan<byte> bytes = address.Buffer.Span.Slice(2, address.Size - 2);
        if (bytes.Length > 0 && bytes[0] != 0 && bytes[^1] == 0)
        {
            bytes = bytes.Slice(0, bytes.Length - 1);
        }

        return bytes.ToArray();
    }

    private static ReadOnlySequence<byte> Split(byte[] input, int at)
    {
        Segment first = new(input.AsMemory(0, at), 0);
        Segment last = first.Append(input.AsMemory(at));
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private static ReadOnlySequence<byte> OneBytePerSegment(byte[] input)
    {
        Segment first = new(input.AsMemory(0, 1), 0);
        Segment last = first;
        for (int i = 1; i < input.Length; i++)
        {
            last = last.Append(input.AsMemory(i, 1));
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            Segment next = new(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
