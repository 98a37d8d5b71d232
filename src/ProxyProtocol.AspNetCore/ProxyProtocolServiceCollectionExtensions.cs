using System;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ProxyProtocol.AspNetCore;
using ProxyProtocol.AspNetCore.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers the <see cref="ProxyProtocolOptions"/> that every <c>UseProxyProtocol()</c> without an options object
/// starts from, so that one place (code or configuration) configures every endpoint.
/// </summary>
public static class ProxyProtocolServiceCollectionExtensions
{
    /// <summary>
    /// Reads the options from a configuration section, for example <c>builder.Configuration.GetSection("ProxyProtocol")</c>,
    /// and checks them when the host starts.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Every option binds by its property name; <c>TrustedProxies</c> is a list of CIDR strings
    /// (<c>"TrustedProxies": ["10.0.0.0/8"]</c>, or <c>ProxyProtocol__TrustedProxies__0=10.0.0.0/8</c>, or one
    /// comma-separated string), <c>HeaderTimeout</c> a time span (<c>"00:00:05"</c>) or <c>Infinite</c>, enums by
    /// name. A value that does not parse, or a key that is not an option, stops the host at startup with a message
    /// that names the key. <c>HeaderValidation</c> is a callback: set it in code.
    /// </para>
    /// <para>
    /// The options are read once, when Kestrel binds its endpoints; a later change of the configuration does not
    /// change endpoints that are already listening.
    /// </para>
    /// </remarks>
    /// <param name="services">The application's services.</param>
    /// <param name="configuration">The section that holds the options.</param>
    /// <returns>The services, for chaining.</returns>
    public static IServiceCollection AddProxyProtocol(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        return services.AddProxyProtocol(options => ProxyProtocolConfigurationReader.Apply(configuration, options));
    }

    /// <summary>Configures the options in code, and checks them when the host starts.</summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configureOptions">Sets the options.</param>
    /// <returns>The services, for chaining.</returns>
    public static IServiceCollection AddProxyProtocol(this IServiceCollection services, Action<ProxyProtocolOptions> configureOptions)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configureOptions);
        services.AddOptions<ProxyProtocolOptions>()
            .Configure(configureOptions)
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ProxyProtocolOptions>, ProxyProtocolOptionsValidator>());
        return services;
    }

    private sealed class ProxyProtocolOptionsValidator : IValidateOptions<ProxyProtocolOptions>
    {
        public ValidateOptionsResult Validate(string? name, ProxyProtocolOptions options) =>
            ProxyProtocolOptionsValidation.Validate(options) is { } problem
                ? ValidateOptionsResult.Fail(problem)
                : ValidateOptionsResult.Success;
    }
}
