using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using ProxyProtocol.Tests.Vectors;
using Xunit.Sdk;

namespace ProxyProtocol.Tests.Infrastructure;

/// <summary>Which vectors of the catalog a <see cref="ShapedVectorsAttribute"/> without names takes.</summary>
public enum VectorSet
{
    /// <summary>Only the named vectors.</summary>
    Named,

    /// <summary>Every valid vector.</summary>
    Valid,

    /// <summary>Every invalid vector.</summary>
    Invalid,
}

/// <summary>
/// Feeds a theory every buffer shape of the named test vectors (or of a whole <see cref="VectorSet"/>):
/// the whole span, a span inside guard bytes, the span with more bytes after it, a single-segment
/// sequence, two segments split at every index, and one byte per segment. The test receives a
/// <see cref="ShapedInput"/> and calls <see cref="ShapedInput.Parse()"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class ShapedVectorsAttribute : DataAttribute
{
    private readonly string[] _names;

    public ShapedVectorsAttribute(params string[] names) => _names = names;

    public VectorSet Set { get; set; }

    public override IEnumerable<object[]> GetData(MethodInfo testMethod)
    {
        IEnumerable<TestVector> vectors = Set switch
        {
            VectorSet.Valid => TestVectors.All.Where(v => v.IsValid),
            VectorSet.Invalid => TestVectors.All.Where(v => !v.IsValid),
            _ => _names.Select(TestVectors.Get),
        };

        foreach (TestVector vector in vectors)
        {
            foreach (BufferShape shape in BufferShapes.All)
            {
                yield return [new ShapedInput(vector.Name, shape)];
            }
        }
    }
}
