using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ProxyProtocol.AspNetCore.Tests.Infrastructure;

namespace ProxyProtocol.AspNetCore.Tests;

/// <summary>Options from configuration and DI: every option binds, the trust list included, and bad values stop the host.</summary>
public class ConfigurationTests
{
    private static IConfiguration Section(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>("ProxyProtocol:" + v.Key, v.Value)))
            .Build()
            .GetSection("ProxyProtocol");

    private static ProxyProtocolOptions Bind(IConfiguration section)
    {
        using ServiceProvider services = new ServiceCollection().AddProxyProtocol(section).BuildServiceProvider();
        return services.GetRequiredService<IOptions<ProxyProtocolOptions>>().Value;
    }

    [Fact]
    public void Every_option_binds_from_configuration()
    {
        ProxyProtocolOptions options = Bind(Section(
            ("RequireHeader", "false"),
            ("TrustedProxies:0", "10.0.0.0/8"),
            ("TrustedProxies:1", "2001:db8::/32"),
            ("TrustedProxies:2", "192.0.2.7"),
            ("UntrustedSourceAction", "IgnoreHeader"),
            ("HeaderTimeout", "00:00:05"),
            ("MaxHeaderLength", "1024"),
            ("AllowedVersions", "V2"),
            ("HttpsFromHeader", "false"),
            ("DetectHttp2Preface", "disabled"),
            ("AllowHttp3WithoutHeader", "true"),
            ("ParserOptions:VerifyCrc32c", "false"),
            ("ParserOptions:AllowIPv4InTcp6", "true")));

        Assert.False(options.RequireHeader);
        Assert.Equal([IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("2001:db8::/32"), IPNetwork.Parse("192.0.2.7/32")], options.TrustedProxies);
        Assert.Equal(UntrustedSourceAction.IgnoreHeader, options.UntrustedSourceAction);
        Assert.Equal(TimeSpan.FromSeconds(5), options.HeaderTimeout);
        Assert.Equal(1024, options.MaxHeaderLength);
        Assert.Equal(ProxyVersions.V2, options.AllowedVersions);
        Assert.False(options.HttpsFromHeader);
        Assert.Equal(Http2PrefaceDetection.Disabled, options.DetectHttp2Preface);
        Assert.True(options.AllowHttp3WithoutHeader);
        Assert.False(options.ParserOptions.VerifyCrc32c);
        Assert.True(options.ParserOptions.AllowIPv4InTcp6);
    }

    [Fact]
    public void Trust_any_source_and_infinite_timeout_bind()
    {
        ProxyProtocolOptions options = Bind(Section(("TrustAnySource", "true"), ("HeaderTimeout", "Infinite")));

        Assert.True(options.TrustAnySource);
        Assert.Equal(Timeout.InfiniteTimeSpan, options.HeaderTimeout);
    }

    [Fact]
    public void Trust_list_binds_from_environment_variables()
    {
        // ProxyProtocol__TrustedProxies__0=... as the environment provider maps it, and one comma-separated value.
        IConfiguration indexed = new ConfigurationBuilder()
            .AddInMemoryCollection([new("ProxyProtocol__TrustedProxies__0", "10.0.0.0/8"), new("ProxyProtocol__TrustedProxies__1", "172.16.0.0/12")])
            .Build();
        IConfiguration mapped = new ConfigurationBuilder()
            .AddInMemoryCollection(indexed.AsEnumerable().Where(p => p.Value is not null).Select(p => new KeyValuePair<string, string?>(p.Key.Replace("__", ":", StringComparison.Ordinal), p.Value)))
            .Build();

        Assert.Equal([IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("172.16.0.0/12")], Bind(mapped.GetSection("ProxyProtocol")).TrustedProxies);
        Assert.Equal([IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("172.16.0.0/12")], Bind(Section(("TrustedProxies", "10.0.0.0/8, 172.16.0.0/12"))).TrustedProxies);
    }

    [Theory]
    [InlineData("TrustedProxies:0", "10.0.0.0/33", "Configuration 'ProxyProtocol:TrustedProxies:0' has '10.0.0.0/33', which is not a network")]
    [InlineData("TrustedProxies:0", "10.0.0.1/8", "Configuration 'ProxyProtocol:TrustedProxies:0' has '10.0.0.1/8', which is not a network")]
    [InlineData("TrustedProxies", "10.0.0.0/8,banana", "Configuration 'ProxyProtocol:TrustedProxies' has 'banana', which is not a network")]
    [InlineData("HeaderTimeout", "soon", "Configuration 'ProxyProtocol:HeaderTimeout' has 'soon': write a time span")]
    [InlineData("HeaderTimeout", "00:00:00", "Configuration 'ProxyProtocol:HeaderTimeout' has '00:00:00', which is out of range")]
    [InlineData("RequireHeader", "yes", "Configuration 'ProxyProtocol:RequireHeader' has 'yes': write true or false")]
    [InlineData("UntrustedSourceAction", "1", "Configuration 'ProxyProtocol:UntrustedSourceAction' has '1': write one of Reject, IgnoreHeader")]
    [InlineData("MaxHeaderLength", "8", "Configuration 'ProxyProtocol:MaxHeaderLength' has '8', which is out of range")]
    [InlineData("TrustedProxy:0", "10.0.0.0/8", "Configuration 'ProxyProtocol:TrustedProxy' is not an option of UseProxyProtocol()")]
    [InlineData("ParserOptions:Crc", "true", "Configuration 'ProxyProtocol:ParserOptions:Crc' is not a parser option")]
    public void Bad_value_or_unknown_key_is_an_error_that_names_the_key(string key, string value, string expected)
    {
        var error = Assert.Throws<InvalidOperationException>(() => Bind(Section((key, value))));

        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_trust_entry_stops_the_host_at_startup()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection([new("ProxyProtocol:TrustedProxies:0", "10.0.0.0/33")]);
        builder.Services.AddProxyProtocol(builder.Configuration.GetSection("ProxyProtocol"));
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseProxyProtocol()));

        // Building the host resolves Kestrel, whose endpoints resolve the options: the error comes before any port opens.
        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await using WebApplication app = builder.Build();
            await app.StartAsync();
        });

        Assert.Contains("ProxyProtocol:TrustedProxies:0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Parameterless_UseProxyProtocol_uses_the_options_from_DI_and_a_callback_changes_a_copy()
    {
        // The trust list from configuration applies: 127.0.0.1 is not in 10.0.0.0/8, so the plain endpoint rejects it,
        // while the endpoint whose callback adds loopback accepts it. DI's options stay as configured.
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection([new("ProxyProtocol:TrustedProxies:0", "10.0.0.0/8")]);
        builder.Services.AddProxyProtocol(builder.Configuration.GetSection("ProxyProtocol"));
        ListenOptions? plain = null;
        ListenOptions? tweaked = null;
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0, l => plain = l.UseProxyProtocol());
            k.Listen(IPAddress.Loopback, 0, l => tweaked = l.UseProxyProtocol(p => p.TrustedProxies.Add(IPNetwork.Parse("127.0.0.0/8"))));
        });
        await using WebApplication app = builder.Build();
        app.MapGet("/conn", (HttpContext c) => TestServer.Describe(c));
        await app.StartAsync();

        RawResponse rejected = await RawClient.SendAsync(plain!.IPEndPoint!, Headers.V1("192.0.2.1", 1, "192.0.2.2", 2), RawClient.Get());
        RawResponse accepted = await RawClient.SendAsync(tweaked!.IPEndPoint!, Headers.V1("192.0.2.1", 1, "192.0.2.2", 2), RawClient.Get());

        Assert.True(rejected.IsEmpty);
        Assert.Equal("192.0.2.1:1", accepted.Body["remote"]);
        Assert.Equal([IPNetwork.Parse("10.0.0.0/8")], app.Services.GetRequiredService<IOptions<ProxyProtocolOptions>>().Value.TrustedProxies);
        await app.StopAsync();
    }

    [Fact]
    public async Task Endpoint_named_in_kestrel_configuration_gets_the_middleware()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection([new("Kestrel:Endpoints:Public:Url", "http://127.0.0.1:0")]);
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
            kestrel.Configure(context.Configuration.GetSection("Kestrel"))
                .Endpoint("Public", endpoint => endpoint.ListenOptions.UseProxyProtocol()));
        await using WebApplication app = builder.Build();
        app.MapGet("/conn", (HttpContext c) => TestServer.Describe(c));
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());

        RawResponse response = await RawClient.SendAsync(new IPEndPoint(IPAddress.Loopback, address.Port), Headers.V1("192.0.2.9", 9, "192.0.2.2", 2), RawClient.Get());

        Assert.Equal("192.0.2.9:9", response.Body["remote"]);
        await app.StopAsync();
    }
}
