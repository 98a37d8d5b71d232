using System;

namespace ProxyProtocol.Tests.Infrastructure;

/// <summary>
/// A named input for the parser with its expected outcome: either a valid header of
/// <see cref="HeaderLength"/> bytes (possibly followed by application data), or an invalid one rejected
/// with <see cref="Error"/>. Every vector is decisive: appending bytes cannot change its outcome.
/// </summary>
internal sealed class TestVector
{
    private TestVector(string name, byte[] bytes, int headerLength, ProxyHeaderError error, ProxyParserOptions options)
    {
        Name = name;
        Bytes = bytes;
        HeaderLength = headerLength;
        Error = error;
        Options = options;
    }

    public string Name { get; }

    public byte[] Bytes { get; }

    /// <summary>The header's length for a valid vector, 0 for an invalid one.</summary>
    public int HeaderLength { get; }

    /// <summary>The expected error for an invalid vector, <see cref="ProxyHeaderError.None"/> for a valid one.</summary>
    public ProxyHeaderError Error { get; }

    /// <summary>The options the vector is parsed with.</summary>
    public ProxyParserOptions Options { get; }

    public bool IsValid => HeaderLength > 0;

    public ReadOnlySpan<byte> Header => Bytes.AsSpan(0, HeaderLength);

    /// <summary>A vector that is one whole valid header and nothing after it.</summary>
    public static TestVector Valid(string name, byte[] bytes) => Valid(name, bytes, bytes.Length);

    public static TestVector Valid(string name, byte[] bytes, int headerLength, ProxyParserOptions options = default)
    {
        if (headerLength <= 0 || headerLength > bytes.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(headerLength), $"{name}: header length {headerLength} does not fit {bytes.Length} bytes.");
        }

        return new TestVector(name, bytes, headerLength, ProxyHeaderError.None, options);
    }

    public static TestVector Invalid(string name, byte[] bytes, ProxyHeaderError error, ProxyParserOptions options = default)
    {
        if (error == ProxyHeaderError.None)
        {
            throw new ArgumentException("An invalid vector names its error.", nameof(error));
        }

        return new TestVector(name, bytes, 0, error, options);
    }

    public override string ToString() => Name;
}
