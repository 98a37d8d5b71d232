using System;
using System.Net;
using System.Security.Authentication;
using System.Text;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using ProxyProtocol.Yarp.Internal;

namespace ProxyProtocol.Yarp.Tests;

/// <summary>The header built for a client connection, from what the server reports about it.</summary>
public sealed class ClientHeaderTests
{
    // Kestrel on a dual-mode socket reports IPv4 clients as ::ffff:a.b.c.d; a v1 line must still say TCP4 (spec 2.1).
    [Fact]
    public void V4_mapped_endpoints_are_written_as_TCP4()
    {
        HttpContext context = Context("::ffff:192.0.2.1", 50000, "::ffff:198.51.100.2", 443);

        byte[] header = ClientHeaderFactory.Create(context, new ProxyProtocolClusterOptions { Version = ProxyVersion.V1 });

        Assert.Equal("PROXY TCP4 192.0.2.1 198.51.100.2 50000 443\r\n", Encoding.ASCII.GetString(header));
    }

    [Fact]
    public void IPv6_endpoints_are_written_as_TCP6()
    {
        HttpContext context = Context("2001:db8::1", 50000, "2001:db8::2", 8443);

        byte[] header = ClientHeaderFactory.Create(context, new ProxyProtocolClusterOptions { Version = ProxyVersion.V1 });

        Assert.Equal("PROXY TCP6 2001:db8::1 2001:db8::2 50000 8443\r\n", Encoding.ASCII.GetString(header));
    }

    [Fact]
    public void A_connection_without_IP_addresses_is_UNKNOWN()
    {
        var context = new DefaultHttpContext();

        byte[] header = ClientHeaderFactory.Create(context, new ProxyProtocolClusterOptions { Version = ProxyVersion.V1 });

        Assert.Equal("PROXY UNKNOWN\r\n", Encoding.ASCII.GetString(header));
    }

    // v2 TCP over IPv4 (spec 2.2): signature, 0x21 PROXY, 0x11 TCP4, length 12, addresses, ports.
    [Fact]
    public void V2_without_TLVs_is_the_bare_address_block()
    {
        HttpContext context = Context("::ffff:192.0.2.1", 50000, "::ffff:198.51.100.2", 443);

        byte[] header = ClientHeaderFactory.Create(context, new ProxyProtocolClusterOptions());

        Assert.Equal("0D0A0D0A000D0A515549540A" + "21" + "11" + "000C" + "C0000201" + "C6336402" + "C350" + "01BB", Convert.ToHexString(header));
    }

    [Fact]
    public void V2_TLVs_describe_the_TLS_connection_Kestrel_terminated()
    {
        HttpContext context = Context("192.0.2.1", 50000, "198.51.100.2", 443);
        context.Connection.Id = "0HN1ABCDEF";
        context.Request.Host = new HostString("fallback.example", 443);
        context.Features.Set<ITlsHandshakeFeature>(new FakeTls());

        byte[] bytes = ClientHeaderFactory.Create(context, new ProxyProtocolClusterOptions { Tlvs = ProxyProtocolTlvs.All });

        ProxyHeader header = ProxyHeader.Parse(bytes, new ProxyParserOptions { VerifyCrc32c = true }, out int consumed);
        Assert.Equal(bytes.Length, consumed);
        ProxyTlvs tlvs = header.GetTlvs(bytes);
        Assert.True(tlvs.TryGetAuthority(out ReadOnlySpan<byte> authority));
        Assert.Equal("sni.example", Encoding.UTF8.GetString(authority));
        Assert.True(tlvs.TryGetUniqueId(out ReadOnlySpan<byte> id));
        Assert.Equal("0HN1ABCDEF", Encoding.UTF8.GetString(id));
        Assert.True(tlvs.TryGetCrc32c(out _));
        Assert.True(tlvs.TryGetSsl(out ProxySslTlv ssl));
        Assert.Equal(ProxySslClientFlags.Ssl, ssl.Client);
        Assert.NotEqual(0u, ssl.Verify); // no client certificate: not verified (spec 2.2.5)
        Assert.True(ssl.TryGetVersion(out ReadOnlySpan<byte> version));
        Assert.Equal("TLSv1.3", Encoding.ASCII.GetString(version));
        Assert.True(ssl.TryGetCipher(out ReadOnlySpan<byte> cipher));
        Assert.Equal("TLS_AES_128_GCM_SHA256", Encoding.ASCII.GetString(cipher));
        Assert.False(tlvs.TryGetAlpn(out _)); // DefaultHttpContext has no ALPN feature
    }

    [Fact]
    public void Cleartext_clients_get_the_request_host_as_authority_and_no_SSL_TLV()
    {
        HttpContext context = Context("192.0.2.1", 50000, "198.51.100.2", 80);
        context.Request.Host = new HostString("www.example", 80);

        byte[] bytes = ClientHeaderFactory.Create(context, new ProxyProtocolClusterOptions { Tlvs = ProxyProtocolTlvs.Authority | ProxyProtocolTlvs.Ssl | ProxyProtocolTlvs.Alpn });

        ProxyHeader header = ProxyHeader.Parse(bytes, out _);
        ProxyTlvs tlvs = header.GetTlvs(bytes);
        Assert.True(tlvs.TryGetAuthority(out ReadOnlySpan<byte> authority));
        Assert.Equal("www.example", Encoding.UTF8.GetString(authority));
        Assert.False(tlvs.TryGetSsl(out _));
        Assert.False(tlvs.TryGetAlpn(out _));
    }

    private static DefaultHttpContext Context(string remote, int remotePort, string local, int localPort)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(remote);
        context.Connection.RemotePort = remotePort;
        context.Connection.LocalIpAddress = IPAddress.Parse(local);
        context.Connection.LocalPort = localPort;
        return context;
    }

    private sealed class FakeTls : ITlsHandshakeFeature
    {
        public SslProtocols Protocol => SslProtocols.Tls13;

        public System.Net.Security.TlsCipherSuite? NegotiatedCipherSuite => System.Net.Security.TlsCipherSuite.TLS_AES_128_GCM_SHA256;

        public string HostName => "sni.example";

#pragma warning disable SYSLIB0058 // the obsolete algorithm properties are part of the interface
        public CipherAlgorithmType CipherAlgorithm => CipherAlgorithmType.Aes128;

        public int CipherStrength => 128;

        public HashAlgorithmType HashAlgorithm => HashAlgorithmType.Sha256;

        public int HashStrength => 256;

        public ExchangeAlgorithmType KeyExchangeAlgorithm => ExchangeAlgorithmType.None;

        public int KeyExchangeStrength => 0;
#pragma warning restore SYSLIB0058
    }
}
