using System.Threading.Tasks;
using Xunit.Abstractions;

namespace ProxyProtocol.Interop.Tests.Infrastructure;

/// <summary>Base of the interop test classes: one <see cref="InteropScope"/> per test, disposed after it.</summary>
public abstract class InteropTest(ITestOutputHelper output) : IAsyncLifetime
{
    protected InteropScope Scope { get; } = new(output);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => Scope.DisposeAsync().AsTask();
}
