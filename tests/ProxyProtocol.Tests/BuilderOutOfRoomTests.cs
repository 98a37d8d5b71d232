using System;
using System.Buffers;
using System.Net;

namespace ProxyProtocol.Tests;

/// <summary>ProxyV2HeaderBuilder promises that Add methods never fail for lack of room; Complete reports it.</summary>
public class BuilderOutOfRoomTests
{
    [Fact]
    public void Every_value_add_past_the_end_is_reported_by_Complete_not_thrown()
    {
        ProxyHeader header = ProxyHeader.CreateProxy(new IPEndPoint(IPAddress.Loopback, 1), new IPEndPoint(IPAddress.Loopback, 2));
        byte[] value = new byte[100];
        Span<byte> buffer = stackalloc byte[40]; // room for the 28-byte prefix only
        var builder = new ProxyV2HeaderBuilder(buffer, header);
        builder.AddTlv((ProxyTlvType)0xE9, value);
        builder.AddAlpn(value);
        builder.AddAuthority(value);
        builder.AddUniqueId(value);
        builder.AddNetworkNamespace(value);
        builder.BeginSsl(ProxySslClientFlags.Ssl, 0);
        builder.AddSslVersion(value);
        builder.AddSslClientCertificate(value);
        builder.EndSsl();
        builder.AddAwsVpcEndpointId(value);
        Assert.Equal(OperationStatus.DestinationTooSmall, builder.Complete(out int written));
        Assert.Equal(0, written);
        int expected = 16 + 12 + (5 * (3 + 100)) + (3 + 5 + (2 * (3 + 100))) + (3 + 1 + 100);
        Assert.Equal(expected, builder.Length);
    }
}
