using System;
using System.Collections.Generic;
using System.Net.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ProxyProtocol.Yarp.Internal;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace ProxyProtocol.Yarp.Tests;

/// <summary>When YARP reloads a cluster, the client is rebuilt exactly when what it sends changes.</summary>
public sealed class ClientFactoryTests
{
    private static readonly Dictionary<string, string> s_v2 = new() { ["ProxyProtocol"] = "v2" };
    private static readonly Dictionary<string, string> s_v1 = new() { ["ProxyProtocol"] = "v1" };

    [Fact]
    public void Same_settings_reuse_the_client()
    {
        ProxyProtocolForwarderHttpClientFactory factory = Create();
        HttpMessageInvoker first = factory.CreateClient(Context(null, null, s_v2));

        HttpMessageInvoker second = factory.CreateClient(Context(first, s_v2, new Dictionary<string, string>(s_v2) { ["Unrelated"] = "x" }));

        Assert.Same(first, second);
    }

    // YARP's base factory compares only HttpClientConfig: a metadata-only change would keep sending v2.
    [Theory]
    [InlineData("v1")]
    [InlineData("off")]
    public void A_metadata_only_change_of_the_PROXY_settings_builds_a_new_client(string version)
    {
        ProxyProtocolForwarderHttpClientFactory factory = Create();
        HttpMessageInvoker first = factory.CreateClient(Context(null, null, s_v2));

        HttpMessageInvoker second = factory.CreateClient(Context(first, s_v2, new Dictionary<string, string> { ["ProxyProtocol"] = version }));

        Assert.NotSame(first, second);
    }

    [Fact]
    public void Enabling_on_a_cluster_that_had_no_header_builds_a_new_client()
    {
        ProxyProtocolForwarderHttpClientFactory factory = Create();
        HttpMessageInvoker first = factory.CreateClient(Context(null, null, null));

        Assert.NotSame(first, factory.CreateClient(Context(first, null, s_v1)));
    }

    [Fact]
    public void A_web_proxy_is_refused_because_it_would_receive_the_header()
    {
        ProxyProtocolForwarderHttpClientFactory factory = Create();
        var config = new HttpClientConfig { WebProxy = new WebProxyConfig { Address = new Uri("http://127.0.0.1:3128") } };

        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => factory.CreateClient(new ForwarderHttpClientContext
        {
            ClusterId = "c1",
            OldConfig = HttpClientConfig.Empty,
            NewConfig = config,
            NewMetadata = s_v2,
        }));
        Assert.Contains("web proxy", e.Message, StringComparison.Ordinal);
    }

    private static ProxyProtocolForwarderHttpClientFactory Create() =>
        new(NullLogger<ForwarderHttpClientFactory>.Instance, NullLogger<PerClientHandler>.Instance, Options.Create(new ProxyProtocolForwarderOptions()));

    private static ForwarderHttpClientContext Context(HttpMessageInvoker? old, IReadOnlyDictionary<string, string>? oldMetadata, IReadOnlyDictionary<string, string>? newMetadata) => new()
    {
        ClusterId = "c1",
        OldClient = old,
        OldConfig = HttpClientConfig.Empty,
        NewConfig = HttpClientConfig.Empty,
        OldMetadata = oldMetadata,
        NewMetadata = newMetadata,
    };
}
