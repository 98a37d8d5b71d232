using System;

namespace ProxyProtocol.Fuzz;

/// <summary>
/// Thrown by the harness when the library breaks one of its promises. It escapes the fuzz action on
/// purpose: SharpFuzz reports any escaping exception to afl-fuzz as a crash, so a violated invariant is
/// saved as a crash input just like an exception thrown by the parser itself.
/// </summary>
public sealed class InvariantViolationException : Exception
{
    /// <summary>Creates the exception with a description of the broken invariant.</summary>
    /// <param name="message">What was expected and what happened.</param>
    public InvariantViolationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a default message.</summary>
    public InvariantViolationException()
        : base("A fuzzing invariant was violated.")
    {
    }

    /// <summary>Creates the exception around an inner exception.</summary>
    /// <param name="message">What was expected and what happened.</param>
    /// <param name="innerException">The exception that caused it.</param>
    public InvariantViolationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
