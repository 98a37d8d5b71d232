using System;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace ProxyProtocol.Fuzz;

/// <summary>Assertions for the harness; a failure throws <see cref="InvariantViolationException"/>.</summary>
internal static class Invariant
{
    /// <summary>Fails with <paramref name="message"/> unless <paramref name="condition"/> holds.</summary>
    /// <remarks>
    /// The message is an interpolated string that is only formatted on failure (as with
    /// <c>Debug.Assert</c>): formatting every message eagerly made each execution about 30 times slower.
    /// </remarks>
    public static void True([DoesNotReturnIf(false)] bool condition, [InterpolatedStringHandlerArgument(nameof(condition))] ref FailureMessage message)
    {
        if (!condition)
        {
            throw new InvariantViolationException(message.ToStringAndClear());
        }
    }

    /// <summary>Fails with a fixed message unless <paramref name="condition"/> holds.</summary>
    public static void True([DoesNotReturnIf(false)] bool condition, string message)
    {
        if (!condition)
        {
            throw new InvariantViolationException(message);
        }
    }

    /// <summary>Returns the exception for an invariant that is already known to be broken.</summary>
    public static InvariantViolationException Broken(string message) => new(message);

    /// <summary>Builds the message only when the condition before it is false.</summary>
    [InterpolatedStringHandler]
    public ref struct FailureMessage
    {
        private DefaultInterpolatedStringHandler _builder;

        public FailureMessage(int literalLength, int formattedCount, bool condition, out bool shouldAppend)
        {
            _builder = condition ? default : new DefaultInterpolatedStringHandler(literalLength, formattedCount);
            shouldAppend = !condition;
        }

        public void AppendLiteral(string value) => _builder.AppendLiteral(value);

        public void AppendFormatted<T>(T value) => _builder.AppendFormatted(value);

        public void AppendFormatted<T>(T value, string? format) => _builder.AppendFormatted(value, format);

        public string ToStringAndClear() => _builder.ToStringAndClear();
    }
}
