using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace ProxyProtocol.Hostile.Tests.Infrastructure;

/// <summary>Order statistics of a sample of durations, in milliseconds.</summary>
public sealed class Stats
{
    private readonly double[] _sorted;

    public Stats(IEnumerable<double> values)
    {
        _sorted = values.OrderBy(v => v).ToArray();
        if (_sorted.Length == 0)
        {
            throw new ArgumentException("No values.", nameof(values));
        }
    }

    public int Count => _sorted.Length;

    public double Min => _sorted[0];

    public double Max => _sorted[^1];

    public double Median => Percentile(50);

    public double P99 => Percentile(99);

    /// <summary>Nearest-rank percentile.</summary>
    public double Percentile(double percent)
    {
        int rank = (int)Math.Ceiling(percent / 100 * _sorted.Length);
        return _sorted[Math.Clamp(rank - 1, 0, _sorted.Length - 1)];
    }

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"n={Count} min={Min:F1} median={Median:F1} p90={Percentile(90):F1} p99={P99:F1} max={Max:F1} ms");
}
