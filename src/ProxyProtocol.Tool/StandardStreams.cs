using System.IO;
using System.Text;

namespace ProxyProtocol.Tool;

/// <summary>
/// The three standard streams a command talks to. The process passes the console's; tests pass memory
/// streams, so every command runs in-process.
/// </summary>
/// <param name="Input">Standard input, read as bytes (headers and payloads are binary).</param>
/// <param name="Output">Standard output, written as bytes (<c>encode</c> writes raw headers).</param>
/// <param name="Error">Standard error, for diagnostics only: nothing a script parses goes there.</param>
internal sealed record StandardStreams(Stream Input, Stream Output, TextWriter Error)
{
    private static readonly UTF8Encoding s_utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Writes text to standard output as UTF-8 and flushes it, so lines appear as they happen.</summary>
    public void WriteOutput(string text)
    {
        byte[] bytes = s_utf8.GetBytes(text);
        Output.Write(bytes);
        Output.Flush();
    }
}
