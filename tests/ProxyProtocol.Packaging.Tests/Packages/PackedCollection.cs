namespace ProxyProtocol.Packaging.Tests.Packages;

/// <summary>The packaging tests share one `dotnet pack` of the solution.</summary>
[CollectionDefinition(Name)]
public sealed class PackedCollection : ICollectionFixture<PackedSolution>
{
    public const string Name = "packed solution";
}
