using System;

namespace ProxyProtocol.Tool;

/// <summary>A mistake on the command line; the dispatcher prints its one-line message and exits with <see cref="ExitCodes.UsageError"/>.</summary>
internal sealed class UsageException : Exception
{
    public UsageException()
    {
    }

    public UsageException(string message)
        : base(message)
    {
    }

    public UsageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
