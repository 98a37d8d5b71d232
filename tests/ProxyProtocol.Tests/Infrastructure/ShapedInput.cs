using System;
using System.Buffers;
using ProxyProtocol.Tests.Vectors;
using Xunit.Abstractions;

namespace ProxyProtocol.Tests.Infrastructure;

/// <summary>
/// One test case: a named <see cref="TestVector"/> in one <see cref="BufferShape"/>. Serializable, so each
/// shape of each vector shows up (and can be re-run) as its own test; the split shape runs every cut in
/// one case, which keeps the suite fast while a failure still names the index.
/// </summary>
public sealed class ShapedInput : IXunitSerializable
{
    private string _vectorName = string.Empty;

    /// <summary>For xunit's deserializer.</summary>
    public ShapedInput()
    {
    }

    public ShapedInput(string vectorName, BufferShape shape)
    {
        _vectorName = vectorName;
        Shape = shape;
    }

    public BufferShape Shape { get; private set; }

    internal TestVector Vector => TestVectors.Get(_vectorName);

    /// <summary>
    /// Parses the vector in this shape with its own options, checks that the shape agrees with the plain
    /// span parse, and checks the vector's expected outcome: a valid vector is Done with its header length,
    /// an invalid one is InvalidData with its error.
    /// </summary>
    internal ParseOutcome Parse()
    {
        TestVector vector = Vector;
        ParseOutcome outcome = BufferShapes.Parse(vector.Bytes, Shape, vector.Options);
        if (vector.IsValid)
        {
            Assert.Equal(ProxyHeaderError.None, outcome.Error);
            Assert.Equal(OperationStatus.Done, outcome.Status);
            Assert.Equal(vector.HeaderLength, outcome.BytesConsumed);
            Assert.True(vector.Bytes.AsSpan(vector.HeaderLength).SequenceEqual(outcome.Remainder), "The bytes after the header must reach the application unchanged.");
        }
        else
        {
            Assert.Equal(vector.Error, outcome.Error);
            Assert.Equal(OperationStatus.InvalidData, outcome.Status);
        }

        return outcome;
    }

    /// <summary>Parses the vector in this shape with other options; only the shapes' agreement is checked.</summary>
    internal ParseOutcome Parse(in ProxyParserOptions options) => BufferShapes.Parse(Vector.Bytes, Shape, options);

    void IXunitSerializable.Deserialize(IXunitSerializationInfo info)
    {
        _vectorName = info.GetValue<string>("v");
        Shape = info.GetValue<BufferShape>("s");
    }

    void IXunitSerializable.Serialize(IXunitSerializationInfo info)
    {
        info.AddValue("v", _vectorName);
        info.AddValue("s", Shape);
    }

    public override string ToString() => $"{_vectorName} {Shape}";
}
