namespace ProxyProtocol.Tool;

/// <summary>The process exit codes of <c>proxyproto</c>, the same for every command.</summary>
internal static class ExitCodes
{
    /// <summary>The command did what it was asked.</summary>
    public const int Success = 0;

    /// <summary>The input is not a valid PROXY header (or a connection received by <c>listen</c> did not start with one).</summary>
    public const int InvalidHeader = 1;

    /// <summary>The command line is wrong: unknown command or option, missing or malformed value, unreadable input file.</summary>
    public const int UsageError = 2;

    /// <summary>A network operation failed: cannot bind, connect, or the connection broke.</summary>
    public const int NetworkError = 3;

    /// <summary>The exit-code table printed at the end of every help text.</summary>
    public const string HelpText =
        """
        Exit codes:
          0  success
          1  invalid PROXY header or input (listen: a connection had no valid header)
          2  usage error: unknown command or option, bad value, unreadable input file
          3  network error: cannot bind or connect, connection failed
        """;
}
