using System;
using System.Buffers;
using System.Linq;
using ProxyProtocol.Tests.Infrastructure;
using ProxyProtocol.Tests.Vectors;

namespace ProxyProtocol.Tests.Parser;

/// <summary>Checks that hold for every vector of the catalog, whatever rule it pins.</summary>
public class AllVectorsTests
{
    public static TheoryData<string> ValidVectorNames => new(TestVectors.All.Where(v => v.IsValid).Select(v => v.Name));

    public static TheoryData<string> InvalidVectorNames => new(TestVectors.All.Where(v => !v.IsValid).Select(v => v.Name));

    // Every valid vector, in every buffer shape, is Done with its header length, and the bytes after the
    // header (RX-02) reach the application; all shapes agree with the span parse.
    [Theory]
    [ShapedVectors(Set = VectorSet.Valid)]
    public void Valid_vector_parses_the_same_in_every_shape(ShapedInput input)
    {
        ParseOutcome outcome = input.Parse();

        Assert.Equal(OperationStatus.Done, outcome.Status);
        Assert.Equal(input.Vector.HeaderLength, outcome.Header.Length);
    }

    // Every invalid vector, in every buffer shape, is InvalidData with its precise error (V1-12, DET-03).
    [Theory]
    [ShapedVectors(Set = VectorSet.Invalid)]
    public void Invalid_vector_is_rejected_the_same_in_every_shape(ShapedInput input)
    {
        ParseOutcome outcome = input.Parse();

        Assert.Equal(OperationStatus.InvalidData, outcome.Status);
        Assert.Equal(input.Vector.Error, outcome.Error);
    }

    // V2-09, V1-11, DET-07: every strict prefix of a valid header is NeedMoreData with nothing consumed,
    // from a span and from sequences; the throwing parser calls it IncompleteHeader.
    [Theory]
    [MemberData(nameof(ValidVectorNames))]
    public void Every_strict_prefix_of_a_valid_header_needs_more_data(string name)
    {
        TestVector vector = TestVectors.Get(name);
        for (int length = 0; length < vector.HeaderLength; length++)
        {
            byte[] prefix = vector.Bytes.AsSpan(0, length).ToArray();

            OperationStatus status = ProxyHeaderParser.Parse(prefix, vector.Options, out _, out int consumed, out ProxyHeaderError error);
            Assert.True(status == OperationStatus.NeedMoreData, $"Prefix of {length} bytes: {status} {error}.");
            Assert.Equal(0, consumed);
            Assert.Equal(ProxyHeaderError.None, error);

            Assert.Equal(OperationStatus.NeedMoreData, ProxyHeaderParser.Parse(Sequences.Split(prefix, length / 2), vector.Options, out _, out consumed, out _));
            Assert.Equal(0, consumed);
            Assert.Equal(OperationStatus.NeedMoreData, ProxyHeaderParser.Parse(Sequences.BytePerSegment(prefix), vector.Options, out _, out consumed, out _));
            Assert.Equal(0, consumed);

            Assert.False(ProxyHeaderParser.TryParse(prefix, vector.Options, out _, out _));
            ProxyProtocolException exception = Assert.Throws<ProxyProtocolException>(() => ProxyHeader.Parse(prefix, vector.Options, out _));
            Assert.Equal(ProxyHeaderError.IncompleteHeader, exception.Error);
        }
    }

    // OperationStatus promise: InvalidData means no appended bytes can make the input valid. So once a
    // prefix of an invalid vector is InvalidData, every longer prefix is too, with the same error.
    [Theory]
    [MemberData(nameof(InvalidVectorNames))]
    public void Once_a_prefix_is_invalid_every_longer_prefix_is_invalid_with_the_same_error(string name)
    {
        TestVector vector = TestVectors.Get(name);
        int firstInvalid = ErrorDetection.FirstInvalidPrefixLength(vector.Bytes, vector.Options);
        Assert.True(firstInvalid > 0, "The whole vector must be invalid.");

        for (int length = 0; length <= vector.Bytes.Length; length++)
        {
            OperationStatus status = ProxyHeaderParser.Parse(vector.Bytes.AsSpan(0, length), vector.Options, out _, out _, out ProxyHeaderError error);
            if (length < firstInvalid)
            {
                Assert.Equal(OperationStatus.NeedMoreData, status);
            }
            else
            {
                Assert.True(status == OperationStatus.InvalidData && error == vector.Error, $"Prefix of {length} bytes: {status} {error}, expected {vector.Error}.");
            }
        }
    }
}
