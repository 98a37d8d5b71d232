using System.Collections.Generic;
using System.Linq;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace ProxyProtocol.Benchmarks;

/// <summary>Entry point: every BenchmarkDotNet command-line option passes through (--filter, --job, ...).</summary>
public static class Program
{
    /// <returns>0, or 1 when a benchmark failed to build, set up or run, so that a smoke run (<c>--job Dry</c>) can gate CI.</returns>
    public static int Main(string[] args)
    {
        IEnumerable<Summary> summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        bool failed = summaries.Any(summary => summary.HasCriticalValidationErrors || summary.Reports.Any(report => !report.Success));
        return failed ? 1 : 0;
    }
}
