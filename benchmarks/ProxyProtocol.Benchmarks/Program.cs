using BenchmarkDotNet.Running;

namespace ProxyProtocol.Benchmarks;

/// <summary>Entry point: every BenchmarkDotNet command-line option passes through (--filter, --job, ...).</summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
