using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace ProxyProtocol.AspNetCore.Benchmarks;

public static class Program
{
    /// <summary>
    /// <c>--paired N</c> runs N short rounds (8 iterations of 4 invocations, in process) of both benchmarks in alternating order and reports the ratio of each
    /// adjacent pair, which cancels the slow load swings of a shared machine; any other arguments go to
    /// BenchmarkDotNet's switcher.
    /// </summary>
    /// <returns>0, or 1 when a benchmark failed (or, with <c>--paired</c>, threw).</returns>
    public static int Main(string[] args)
    {
        if (args.Length is 2 or 4 && args[0] == "--paired" && int.TryParse(args[1], CultureInfo.InvariantCulture, out int rounds) && rounds > 0)
        {
            RunPaired(rounds, args.Length == 4 ? args[2] : nameof(ConnectionBenchmarks.Plain), args.Length == 4 ? args[3] : nameof(ConnectionBenchmarks.WithProxyProtocol));
            return 0;
        }

        // Non-zero when a benchmark failed to build, set up or run, so that a smoke run (--job Dry) can gate CI.
        IEnumerable<Summary> summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        bool failed = summaries.Any(summary => summary.HasCriticalValidationErrors || summary.Reports.Any(report => !report.Success));
        return failed ? 1 : 0;
    }

    private static void RunPaired(int rounds, string baseline, string candidate)
    {
        var results = new List<(double Plain, double Proxied, double PlainAllocated, double ProxiedAllocated)>();
        for (int round = 0; round < rounds; round++)
        {
            // Alternate which goes first, so neither always meets the same phase of a load swing.
            string[] order = round % 2 == 0 ? [baseline, candidate] : [candidate, baseline];
            var means = new Dictionary<string, (double Mean, double Allocated)>();
            foreach (string method in order)
            {
                means[method] = RunOne(method);
            }

            (double plain, double plainAllocated) = means[baseline];
            (double proxied, double proxiedAllocated) = means[candidate];
            results.Add((plain, proxied, plainAllocated, proxiedAllocated));
        }

        Console.WriteLine();
        Console.WriteLine($"| Round | {baseline} (connections/s) | {candidate} (connections/s) | Ratio | Allocated {baseline} | Allocated {candidate} |");
        Console.WriteLine("|------:|----------------------:|----------------------------------:|------:|----------------:|---------------:|");
        for (int i = 0; i < results.Count; i++)
        {
            (double plain, double proxied, double plainAllocated, double proxiedAllocated) = results[i];
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {i + 1} | {1e9 / plain:N0} | {1e9 / proxied:N0} | {plain / proxied:F3} | {plainAllocated:N0} B | {proxiedAllocated:N0} B |"));
        }

        double[] ratios = results.Select(r => r.Plain / r.Proxied).Order().ToArray();
        double[] baselineFirst = results.Where((_, i) => i % 2 == 0).Select(r => r.Plain / r.Proxied).Order().ToArray();
        double[] candidateFirst = results.Where((_, i) => i % 2 == 1).Select(r => r.Plain / r.Proxied).Order().ToArray();
        double median = Quantile(ratios, 0.5);
        double geometricMean = Math.Exp(ratios.Average(Math.Log));
        Console.WriteLine();
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{candidate} / {baseline} connections per second: median {median:F3} (IQR {Quantile(ratios, 0.25):F3} to {Quantile(ratios, 0.75):F3}), geometric mean {geometricMean:F3} over {ratios.Length} rounds"));
        if (candidateFirst.Length > 0)
        {
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"  median when {baseline} ran first: {baselineFirst[baselineFirst.Length / 2]:F3}; when {candidate} ran first: {candidateFirst[candidateFirst.Length / 2]:F3}"));
        }

        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"Allocated per connection (client and server): {baseline} {results.Average(r => r.PlainAllocated):N0} B, {candidate} {results.Average(r => r.ProxiedAllocated):N0} B"));
    }

    /// <summary>A quantile of sorted values, interpolating between the two nearest (the usual "type 7" definition).</summary>
    private static double Quantile(double[] sorted, double q)
    {
        double position = (sorted.Length - 1) * q;
        int below = (int)Math.Floor(position);
        int above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + ((position - below) * (sorted[above] - sorted[below]));
    }

    private static (double Mean, double Allocated) RunOne(string method)
    {
        // Short, fixed-size rounds (no pilot stage): the two halves of a pair run within about a second of each other.
        Job job = Job.Dry
            .WithStrategy(RunStrategy.Monitoring)
            .WithWarmupCount(2)
            .WithIterationCount(8)
            .WithInvocationCount(4)
            .WithUnrollFactor(1)
            .WithToolchain(InProcessEmitToolchain.Instance);
        IConfig config = DefaultConfig.Instance
            .AddJob(job)
            .AddFilter(new SimpleFilter(benchmark => benchmark.Descriptor.WorkloadMethod.Name == method))
            .WithOptions(ConfigOptions.DisableLogFile | ConfigOptions.JoinSummary);
        Summary summary = BenchmarkRunner.Run<ConnectionBenchmarks>(config);
        BenchmarkReport report = summary.Reports.Single();
        if (report.ResultStatistics is null)
        {
            throw new InvalidOperationException($"{method} produced no result; see the log above.");
        }

        return (report.ResultStatistics.Mean, report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase) ?? 0);
    }
}
