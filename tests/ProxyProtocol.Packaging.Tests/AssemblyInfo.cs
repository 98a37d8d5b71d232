// Each test runs the dotnet CLI on a 2-core machine: one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
