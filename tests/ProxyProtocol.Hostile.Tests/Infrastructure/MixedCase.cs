using System;
using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace ProxyProtocol.Hostile.Tests.Infrastructure;

/// <summary>What the application must see for a valid header.</summary>
public enum Expectation
{
    /// <summary>The header's source: <c>remote</c> is the address and port the client put in it.</summary>
    HeaderSource,

    /// <summary>LOCAL, UNSPEC, UNKNOWN: the socket's own endpoints (SEM-01, SEM-03), the client's local endpoint.</summary>
    SocketSource,

    /// <summary>AF_UNIX: no IP address, the header's path as the feature's source.</summary>
    UnixSource,

    /// <summary>An invalid header: closed without a byte written.</summary>
    Closed,
}

/// <summary>How the client ends its side.</summary>
public enum ClientEnding
{
    /// <summary>Sends everything (a header and, for valid ones, a request) and reads to the end.</summary>
    SendAndRead,

    /// <summary>Sends a cut-off header, closes its sending side (FIN), and reads to the end.</summary>
    ShutdownSend,

    /// <summary>Sends a cut-off header, then resets (SO_LINGER 0, RST) without reading.</summary>
    Reset,
}

/// <summary>One connection of the mixed load: the bytes, how they are split into writes, and what must happen.</summary>
public sealed record MixedCase(string Kind, byte[] Bytes, int[] Splits, Expectation Expectation, string? ExpectedSource, ClientEnding Ending)
{
    /// <summary>The group the case was drawn from, for the test's summary.</summary>
    public string Category { get; init; } = "";

    /// <summary>Whether the middleware must log <c>InvalidHeader</c> for it (an exact count is asserted).</summary>
    public bool IsInvalidHeader => Expectation == Expectation.Closed && Ending == ClientEnding.SendAndRead;

    /// <summary>
    /// Builds case <paramref name="index"/> of a run seeded with <paramref name="seed"/>: about half valid
    /// (v1 and v2, every family and command, TLVs of every kind), half hostile (garbage, no header, cut off with
    /// FIN or RST, too long, corrupted in each field).
    /// </summary>
    public static MixedCase Create(int seed, int index)
    {
        var random = new Random(CaseSeed(seed, index));
        int pick = random.Next(100);
        return pick switch
        {
            < 10 => V1Valid(random) with { Category = "valid v1" },
            < 40 => V2Valid(random) with { Category = "valid v2" },
            < 50 => Split(random, V2Local(random)) with { Category = "valid v2 LOCAL" },
            < 58 => Garbage(random) with { Category = "garbage" },
            < 62 => new MixedCase("no header", Wire.Get, [], Expectation.Closed, null, ClientEnding.SendAndRead) { Category = "no header" },
            < 70 => Truncated(random, ClientEnding.ShutdownSend) with { Category = "cut off, FIN" },
            < 78 => Truncated(random, ClientEnding.Reset) with { Category = "cut off, RST" },
            < 83 => Oversized(random) with { Category = "v2 len > 4080" },
            < 93 => CorruptV2(random) with { Category = "corrupt v2" },
            _ => CorruptV1(random) with { Category = "corrupt v1" },
        };
    }

    /// <summary>
    /// A well-mixed seed per case (SplitMix64's finalizer), the same in every process so that a failing case
    /// replays from its index. Not HashCode.Combine (randomized per process), nor seed + index (Random's first
    /// values follow consecutive seeds almost linearly).
    /// </summary>
    private static int CaseSeed(int seed, int index)
    {
        ulong z = unchecked(((ulong)(uint)seed << 32 | (uint)index) + 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return (int)(z ^ (z >> 31));
    }

    private static MixedCase V1Valid(Random random)
    {
        int kind = random.Next(3);
        if (kind == 2)
        {
            // UNKNOWN: anything up to the CRLF is ignored (V1-02); the socket's endpoints are used.
            string rest = random.Next(2) == 0 ? "" : " ignored stuff " + random.Next();
            return Split(random, new MixedCase("v1 UNKNOWN", Encoding.ASCII.GetBytes($"PROXY UNKNOWN{rest}\r\n"), [], Expectation.SocketSource, null, ClientEnding.SendAndRead));
        }

        IPAddress source = kind == 0 ? RandomIPv4(random) : RandomIPv6(random);
        IPAddress destination = kind == 0 ? RandomIPv4(random) : RandomIPv6(random);
        int sourcePort = random.Next(65536);
        string protocol = kind == 0 ? "TCP4" : "TCP6";
        byte[] line = Encoding.ASCII.GetBytes($"PROXY {protocol} {source} {destination} {sourcePort} {random.Next(65536)}\r\n");
        return Split(random, new MixedCase("v1 " + protocol, line, [], Expectation.HeaderSource, $"{source}:{sourcePort}", ClientEnding.SendAndRead));
    }

    private static MixedCase V2Valid(Random random)
    {
        byte[] buffer = new byte[2048];
        int kind = random.Next(6);
        ProxyHeader header;
        Expectation expectation;
        string? expected;
        string name;
        if (kind < 4)
        {
            bool ipv4 = kind % 2 == 0;
            var source = new IPEndPoint(ipv4 ? RandomIPv4(random) : RandomIPv6(random), random.Next(65536));
            var destination = new IPEndPoint(ipv4 ? RandomIPv4(random) : RandomIPv6(random), random.Next(65536));
            ProxyTransport transport = kind < 2 ? ProxyTransport.Stream : ProxyTransport.Datagram;
            header = ProxyHeader.CreateProxy(source, destination, transport);
            expectation = Expectation.HeaderSource;
            expected = $"{source.Address}:{source.Port}";
            name = $"v2 {(ipv4 ? "IPv4" : "IPv6")} {transport}";
        }
        else if (kind == 4)
        {
            string path = "/run/proxy/client-" + random.Next(1_000_000) + ".sock";
            header = ProxyHeader.CreateUnix(path, "/run/app.sock", random.Next(2) == 0 ? ProxyTransport.Stream : ProxyTransport.Datagram);
            expectation = Expectation.UnixSource;
            expected = path;
            name = "v2 UNIX";
        }
        else
        {
            // PROXY over AF_UNSPEC: addresses unknown, the receiver uses the socket's (SEM-03).
            header = ProxyHeader.CreateUnknown();
            expectation = Expectation.SocketSource;
            expected = null;
            name = "v2 UNSPEC";
        }

        var builder = new ProxyV2HeaderBuilder(buffer, header);
        AddRandomTlvs(random, ref builder);
        byte[] bytes = RawHeaders.Complete(buffer, ref builder);
        return Split(random, new MixedCase(name, bytes, [], expectation, expected, ClientEnding.SendAndRead));
    }

    private static MixedCase V2Local(Random random)
    {
        if (random.Next(3) == 0)
        {
            // LOCAL with a TCP4 address block: the addresses are ignored (SEM-01).
            return new MixedCase("v2 LOCAL TCP4", RawHeaders.V2(RawHeaders.LocalCommand, RawHeaders.TcpOverIPv4, RawHeaders.IPv4Addresses(1234)), [], Expectation.SocketSource, null, ClientEnding.SendAndRead);
        }

        byte[] buffer = new byte[2048];
        var builder = new ProxyV2HeaderBuilder(buffer, ProxyHeader.CreateLocal());
        AddRandomTlvs(random, ref builder);
        return new MixedCase("v2 LOCAL", RawHeaders.Complete(buffer, ref builder), [], Expectation.SocketSource, null, ClientEnding.SendAndRead);
    }

    private static void AddRandomTlvs(Random random, ref ProxyV2HeaderBuilder builder)
    {
        int count = random.Next(5);
        for (int i = 0; i < count; i++)
        {
            switch (random.Next(9))
            {
                case 0:
                    builder.AddAuthority("host-" + random.Next(1000) + ".example.com");
                    break;
                case 1:
                    // Not h2: that would switch the connection to HTTP/2, and these clients speak HTTP/1.1.
                    builder.AddAlpn("http/1.1"u8);
                    break;
                case 2:
                    builder.AddUniqueId(RandomBytes(random, random.Next(1, 129)));
                    break;
                case 3:
                    builder.AddNoop(random.Next(0, 64));
                    break;
                case 4:
                    builder.AddNetworkNamespace("ns-blue"u8);
                    break;
                case 5:
                    builder.BeginSsl(ProxySslClientFlags.Ssl | ProxySslClientFlags.CertificateConnection, 0);
                    builder.AddSslVersion("TLSv1.3"u8);
                    builder.AddSslCommonName("client.example"u8);
                    builder.AddSslCipher("TLS_AES_128_GCM_SHA256"u8);
                    builder.EndSsl();
                    break;
                case 6:
                    builder.AddAwsVpcEndpointId("vpce-08d2bf15fac5001c9"u8);
                    break;
                case 7:
                    builder.AddAzureLinkId((uint)random.Next());
                    break;
                default:
                    builder.AddGcpPscConnectionId((ulong)random.NextInt64());
                    break;
            }
        }

        if (random.Next(3) == 0)
        {
            builder.AddCrc32c();
        }
    }

    private static MixedCase Garbage(Random random)
    {
        byte[] bytes = RandomBytes(random, random.Next(1, 300));
        // Anything but the first byte of a signature ('P' for v1, CR for v2): InvalidSignature at once.
        while (bytes[0] is (byte)'P' or 0x0D)
        {
            bytes[0] = (byte)random.Next(256);
        }

        return Split(random, new MixedCase("garbage", bytes, [], Expectation.Closed, null, ClientEnding.SendAndRead));
    }

    private static MixedCase Truncated(Random random, ClientEnding ending)
    {
        MixedCase valid = random.Next(2) == 0 ? V1Valid(random) : V2Valid(random);
        // A proper prefix of a valid header is never invalid: only the end of the connection makes it so.
        int length = random.Next(1, HeaderLength(valid.Bytes));
        return new MixedCase($"{valid.Kind} cut at {length} then {ending}", valid.Bytes[..length], [], Expectation.Closed, null, ending);
    }

    private static MixedCase Oversized(Random random)
    {
        // len above the 4096 - 16 the default maximum allows, up to 65535; only a few body bytes follow.
        ushort length = (ushort)random.Next(4096 - 16 + 1, 65536);
        byte[] bytes = Wire.Concat(RawHeaders.V2Fixed(RawHeaders.ProxyCommand, RawHeaders.TcpOverIPv4, length), RandomBytes(random, random.Next(0, 100)));
        return new MixedCase($"v2 len {length}", bytes, [], Expectation.Closed, null, ClientEnding.SendAndRead);
    }

    private static MixedCase CorruptV2(Random random)
    {
        byte[] addresses = RawHeaders.IPv4Addresses(80);
        (string name, byte[] bytes) = random.Next(8) switch
        {
            0 => ("v2 version 1", RawHeaders.V2(0x11, RawHeaders.TcpOverIPv4, addresses)),          // V2-01
            1 => ("v2 version 3", RawHeaders.V2(0x31, RawHeaders.TcpOverIPv4, addresses)),          // V2-01
            2 => ("v2 command 2", RawHeaders.V2(0x22, RawHeaders.TcpOverIPv4, addresses)),          // V2-02
            3 => ("v2 family 4", RawHeaders.V2(RawHeaders.ProxyCommand, 0x41, addresses)),          // V2-03
            4 => ("v2 transport 3", RawHeaders.V2(RawHeaders.ProxyCommand, 0x13, addresses)),       // V2-03
            5 => ("v2 short address block", RawHeaders.V2(RawHeaders.ProxyCommand, RawHeaders.TcpOverIPv4, addresses[..8])), // V2-07
            6 => ("v2 TLV overrun", RawHeaders.V2WithTlvs([0x04, 0x00, 0x09, 0x00, 0x00])),         // TLV-02
            _ => ("v2 CRC32C mismatch", CorruptCrc(random)),                                        // CRC-04
        };

        return Split(random, new MixedCase(name, Wire.Concat(bytes, Wire.Get), [], Expectation.Closed, null, ClientEnding.SendAndRead));
    }

    private static byte[] CorruptCrc(Random random)
    {
        byte[] buffer = new byte[256];
        var builder = new ProxyV2HeaderBuilder(buffer, ProxyHeader.CreateProxy(new IPEndPoint(RandomIPv4(random), 1), new IPEndPoint(RandomIPv4(random), 2)));
        builder.AddAuthority("example.com");
        builder.AddCrc32c();
        byte[] header = RawHeaders.Complete(buffer, ref builder);
        header[header.Length - 1 - random.Next(4)] ^= (byte)(1 << random.Next(8)); // a bit of the CRC value, the last TLV
        return header;
    }

    private static MixedCase CorruptV1(Random random)
    {
        (string name, string line) = random.Next(6) switch
        {
            0 => ("v1 port 65536", "PROXY TCP4 192.0.2.1 192.0.2.2 65536 80\r\n"),               // V1-07
            1 => ("v1 LF only", "PROXY TCP4 192.0.2.1 192.0.2.2 1 80\n"),                        // V1-08
            2 => ("v1 IPv6 in TCP4", "PROXY TCP4 2001:db8::1 192.0.2.2 1 80\r\n"),               // V1-06
            3 => ("v1 double space", "PROXY TCP4  192.0.2.1 192.0.2.2 1 80\r\n"),                 // V1-03
            4 => ("v1 lower case", "proxy TCP4 192.0.2.1 192.0.2.2 1 80\r\n"),                    // V1-01 (InvalidSignature)
            _ => ("v1 no CRLF", Encoding.ASCII.GetString(RawHeaders.V1WithoutLineEnd(120))),       // V1-09
        };

        return Split(random, new MixedCase(name, Wire.Concat(Encoding.ASCII.GetBytes(line), Wire.Get), [], Expectation.Closed, null, ClientEnding.SendAndRead));
    }

    /// <summary>Appends the request to a valid header and splits the bytes into one to three writes.</summary>
    private static MixedCase Split(Random random, MixedCase valid)
    {
        byte[] bytes = valid.Expectation == Expectation.Closed ? valid.Bytes : Wire.Concat(valid.Bytes, Wire.Get);
        int writes = random.Next(1, 4);
        int[] splits = new int[writes - 1];
        for (int i = 0; i < splits.Length; i++)
        {
            splits[i] = random.Next(1, bytes.Length);
        }

        Array.Sort(splits);
        return valid with { Bytes = bytes, Splits = splits };
    }

    private static int HeaderLength(byte[] bytes) =>
        bytes[0] == (byte)'P' ? Array.IndexOf(bytes, (byte)'\n') + 1 : 16 + BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(14));

    private static IPAddress RandomIPv4(Random random) => new([(byte)random.Next(1, 224), (byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(1, 255)]);

    private static IPAddress RandomIPv6(Random random)
    {
        byte[] bytes = RandomBytes(random, 16);
        bytes[0] = 0x20; // global unicast: never printed with an embedded IPv4 part
        return new IPAddress(bytes);
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        byte[] bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
