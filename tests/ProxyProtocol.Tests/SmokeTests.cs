using System;
using System.Buffers;
using System.Net;
using System.Text;

namespace ProxyProtocol.Tests;

public class SmokeTests
{
    [Fact]
    public void Spec_example_v1_tcp4_parses()
    {
        byte[] input = Encoding.ASCII.GetBytes("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\nGET / HTTP/1.1\r\n");
        OperationStatus status = ProxyHeaderParser.Parse(input, out ProxyHeader header, out int consumed, out ProxyHeaderError error);
        Assert.Equal(OperationStatus.Done, status);
        Assert.Equal(ProxyHeaderError.None, error);
        Assert.Equal(47, consumed);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.168.0.1"), 56324), header.GetSourceEndPoint());
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.168.0.11"), 443), header.GetDestinationEndPoint());
    }

    [Fact]
    public void Crc_vector_from_checklist_verifies()
    {
        byte[] input = Convert.FromHexString("0d0a0d0a000d0a515549540a21110013c0a80001c0a8000bdc0401bb0300041c1ae9c6");
        OperationStatus status = ProxyHeaderParser.Parse(input, out ProxyHeader header, out int consumed, out ProxyHeaderError error);
        Assert.Equal(ProxyHeaderError.None, error);
        Assert.Equal(OperationStatus.Done, status);
        Assert.Equal(35, consumed);
        Assert.Equal(56324, header.SourcePort);
    }

    [Fact]
    public void Builder_roundtrip_with_tlvs_and_crc()
    {
        ProxyHeader h = ProxyHeader.CreateProxy(new IPEndPoint(IPAddress.Parse("2001:db8::1"), 1), new IPEndPoint(IPAddress.Parse("10.0.0.1"), 2));
        Span<byte> buffer = stackalloc byte[512];
        var b = new ProxyV2HeaderBuilder(buffer, h);
        b.AddAlpn("h2"u8);
        b.AddAuthority("example.com");
        b.BeginSsl(ProxySslClientFlags.Ssl, 0);
        b.AddSslVersion("TLSv1.3"u8);
        b.EndSsl();
        b.AddAwsVpcEndpointId("vpce-0123"u8);
        b.AddCrc32c();
        Assert.Equal(OperationStatus.Done, b.Complete(8, out int n));
        Assert.Equal(0, n % 8);
        Assert.Equal(OperationStatus.Done, ProxyHeaderParser.Parse(buffer.Slice(0, n), out ProxyHeader parsed, out int consumed, out ProxyHeaderError error));
        Assert.Equal(n, consumed);
        Assert.Equal(h, parsed);
        ProxyTlvs tlvs = parsed.GetTlvs(buffer);
        Assert.True(tlvs.TryGetSsl(out ProxySslTlv ssl));
        Assert.True(ssl.TryGetVersion(out ReadOnlySpan<byte> v));
        Assert.Equal("TLSv1.3", Encoding.ASCII.GetString(v));
        Assert.True(tlvs.TryGetAwsVpcEndpointId(out ReadOnlySpan<byte> id));
        Assert.Equal("vpce-0123", Encoding.ASCII.GetString(id));
        Span<byte> v1 = stackalloc byte[107];
        Assert.Equal(OperationStatus.Done, ProxyHeaderWriter.WriteV1(parsed, v1, out int w));
        Assert.Equal("PROXY TCP6 2001:db8::1 ::ffff:10.0.0.1 1 2\r\n", Encoding.ASCII.GetString(v1.Slice(0, w)));
    }
}
