using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Hosting;
using ProxyProtocol.AspNetCore.Tests.Infrastructure;

namespace ProxyProtocol.AspNetCore.Tests;

/// <summary>IProxyProtocolFeature exposes every TLV and typed values of the well-known ones.</summary>
public class FeatureTests
{
    [Fact]
    public async Task Tlvs_are_visible_through_the_feature()
    {
        // TLV-04..06, SSL-01..04: every TLV, in order, with typed values. ALPN h2 does not choose HTTP/2 (the
        // bytes after the header do): this raw client speaks HTTP/1.1 and is served HTTP/1.1.
        await using TestServer app = await TestServer.StartAsync(o => o.UseProxyProtocol());
        byte[] certificate = [0x30, 0x82, 0x01, 0x02, 0xAA];
        byte[] header = Headers.V2("203.0.113.7", 4242, "198.51.100.9", 443, (ref ProxyV2HeaderBuilder b) =>
        {
            b.AddAlpn("h2"u8);
            b.AddAuthority("api.example.com");
            b.AddUniqueId([0xDE, 0xAD, 0xBE, 0xEF]);
            b.BeginSsl(ProxySslClientFlags.Ssl | ProxySslClientFlags.CertificateConnection, 0);
            b.AddSslVersion("TLSv1.3"u8);
            b.AddSslCommonName("client-7"u8);
            b.AddSslCipher("TLS_AES_128_GCM_SHA256"u8);
            b.AddSslClientCertificate(certificate);
            b.EndSsl();
            b.AddNetworkNamespace("blue"u8);
            b.AddAwsVpcEndpointId("vpce-08d2bf15fac5001c9"u8);
            b.AddAzureLinkId(0x12345678);
            b.AddGcpPscConnectionId(0x0102030405060708);
            b.AddTlv((ProxyTlvType)0xF1, [1, 2, 3]);
            b.AddCrc32c();
        });

        RawResponse response = await RawClient.SendAsync(app.EndPoint, Headers.Concat(header, RawClient.Get()));

        IReadOnlyDictionary<string, string> body = response.Body;
        Assert.Equal("h2", body["alpn"]);
        Assert.Equal("api.example.com", body["authority"]);
        Assert.Equal("DEADBEEF", body["uniqueId"]);
        Assert.Equal("Ssl, CertificateConnection", body["ssl.client"]);
        Assert.Equal("True", body["ssl.verified"]);
        Assert.Equal("TLSv1.3", body["ssl.version"]);
        Assert.Equal("client-7", body["ssl.cn"]);
        Assert.Equal("TLS_AES_128_GCM_SHA256", body["ssl.cipher"]);
        Assert.Equal(Convert.ToHexString(certificate), body["ssl.cert"]);
        Assert.Equal("blue", body["netns"]);
        Assert.Equal("vpce-08d2bf15fac5001c9", body["aws"]);
        Assert.Equal("305419896", body["azure"]);
        Assert.Equal("72623859790382856", body["gcp"]);
        Assert.Equal("01,02,05,20,30,EA,EE,E0,F1,03", body["tlvs"]);
        Assert.Equal("HTTP/1.1", body["protocol"]);
        Assert.Equal("True", body["clientTls"]);                // the SSL TLV's client-SSL bit
        Assert.Equal("https", body["scheme"]);
    }

    [Fact]
    public async Task Absent_tlvs_are_null_or_empty()
    {
        await using TestServer app = await TestServer.StartAsync(o => o.UseProxyProtocol());

        RawResponse response = await RawClient.SendAsync(app.EndPoint, Headers.Concat(Headers.V1("192.0.2.1", 1, "192.0.2.2", 2), RawClient.Get()));

        IReadOnlyDictionary<string, string> body = response.Body;
        Assert.Equal("True", body["feature"]);
        Assert.Equal(string.Empty, body["alpn"]);
        Assert.Equal(string.Empty, body["uniqueId"]);
        Assert.Equal(string.Empty, body["aws"]);
        Assert.Equal(string.Empty, body["tlvs"]);
        Assert.False(body.ContainsKey("ssl.client"));
        Assert.Equal("False", body["clientTls"]);
        Assert.Equal("http", body["scheme"]);
    }
}
