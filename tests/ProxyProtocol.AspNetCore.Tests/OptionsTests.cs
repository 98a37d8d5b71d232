using System;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Hosting;
using ProxyProtocol.AspNetCore.Tests.Infrastructure;

namespace ProxyProtocol.AspNetCore.Tests;

public class OptionsTests
{
    [Fact]
    public void Defaults_are_the_secure_ones()
    {
        var options = new ProxyProtocolOptions();

        Assert.True(options.RequireHeader);
        Assert.Empty(options.TrustedProxies);
        Assert.Equal(UntrustedSourceAction.Reject, options.UntrustedSourceAction);
        Assert.Equal(TimeSpan.FromSeconds(10), options.HeaderTimeout);
        Assert.Equal(4096, options.MaxHeaderLength);
        Assert.Equal(ProxyVersions.All, options.AllowedVersions);
        Assert.True(options.ParserOptions.VerifyCrc32c);
        Assert.Null(options.HeaderValidation);
        Assert.False(options.TrustAnySource);
        Assert.True(options.HttpsFromHeader);
        Assert.Equal(Http2PrefaceDetection.Auto, options.DetectHttp2Preface);
        Assert.False(options.AllowHttp3WithoutHeader);
    }

    [Fact]
    public void Setters_validate()
    {
        var options = new ProxyProtocolOptions();

        Assert.Throws<ArgumentOutOfRangeException>(() => options.HeaderTimeout = TimeSpan.Zero);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.HeaderTimeout = TimeSpan.FromSeconds(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxHeaderLength = 15);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxHeaderLength = 65552);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.AllowedVersions = ProxyVersions.None);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.UntrustedSourceAction = (UntrustedSourceAction)7);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.DetectHttp2Preface = (Http2PrefaceDetection)3);

        options.HeaderTimeout = Timeout.InfiniteTimeSpan;
        options.MaxHeaderLength = 65551;
        options.AllowedVersions = ProxyVersions.V2;
        Assert.Equal(Timeout.InfiniteTimeSpan, options.HeaderTimeout);
        Assert.Equal(65551, options.ParserOptions.MaxHeaderLength);
        Assert.Equal(ProxyVersions.V2, options.ParserOptions.AllowedVersions);
    }

    [Fact]
    public async Task Options_object_overload_and_infinite_timeout_work()
    {
        var options = new ProxyProtocolOptions { HeaderTimeout = Timeout.InfiniteTimeSpan };
        await using TestServer app = await TestServer.StartAsync(o => o.UseProxyProtocol(options));

        RawResponse response = await RawClient.SendAsync(app.EndPoint, Headers.Concat(Headers.V1("192.0.2.1", 1, "192.0.2.2", 2), RawClient.Get()));

        Assert.Equal("192.0.2.1:1", response.Body["remote"]);
    }

    [Fact]
    public void Null_arguments_throw()
    {
        Assert.Throws<ArgumentNullException>(() => ListenOptionsProxyProtocolExtensions.UseProxyProtocol(null!));
        Assert.Throws<ArgumentNullException>(() => ListenOptionsProxyProtocolExtensions.UseProxyProtocol(null!, new ProxyProtocolOptions()));
    }

    [Fact]
    public void Endpoint_copy_of_the_configured_options_carries_every_option()
    {
        // UseProxyProtocol(o => ...) changes a copy of the options from DI: a property missing from the copy would be
        // silently reset to its default on that endpoint.
        Func<ProxyHeaderValidationContext, bool> validation = _ => true;
        var options = new ProxyProtocolOptions
        {
            RequireHeader = false,
            UntrustedSourceAction = UntrustedSourceAction.IgnoreHeader,
            HeaderTimeout = TimeSpan.FromSeconds(3),
            ParserOptions = new ProxyParserOptions { MaxHeaderLength = 512, AllowedVersions = ProxyVersions.V2, VerifyCrc32c = false, AllowIPv4InTcp6 = true },
            HeaderValidation = validation,
            TrustAnySource = true,
            HttpsFromHeader = false,
            DetectHttp2Preface = Http2PrefaceDetection.Disabled,
            AllowHttp3WithoutHeader = true,
        };
        options.TrustedProxies.Add(IPNetwork.Parse("10.0.0.0/8"));

        ProxyProtocolOptions copy = options.Clone();

        var defaults = new ProxyProtocolOptions();
        foreach (System.Reflection.PropertyInfo property in typeof(ProxyProtocolOptions).GetProperties())
        {
            object? original = property.GetValue(options);
            object? copied = property.GetValue(copy);
            if (property.Name == nameof(ProxyProtocolOptions.TrustedProxies))
            {
                Assert.Equal(options.TrustedProxies, copy.TrustedProxies);
                Assert.NotSame(options.TrustedProxies, copy.TrustedProxies);
                continue;
            }

            Assert.True(!Equals(original, property.GetValue(defaults)), $"{property.Name}: the test must set a value other than the default");
            Assert.True(Equals(original, copied), $"{property.Name} is not copied");
        }
    }
}
