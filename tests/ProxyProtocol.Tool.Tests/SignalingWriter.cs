using System;
using System.IO;
using System.Text;
using System.Threading.Tasks;

namespace ProxyProtocol.Tool.Tests;

/// <summary>
/// A thread-safe stderr that completes <see cref="ListeningPort"/> when <c>listen</c> prints
/// "listening on ADDR:PORT", so tests connect only once the port is bound, with no sleep.
/// </summary>
internal sealed class SignalingWriter : TextWriter
{
    private const string Marker = "listening on ";
    private readonly StringBuilder _text = new();
    private readonly TaskCompletionSource<int> _port = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override Encoding Encoding => Encoding.UTF8;

    public Task<int> ListeningPort => _port.Task;

    public override void Write(char value)
    {
        lock (_text)
        {
            _text.Append(value);
            if (value == '\n')
            {
                CheckForPort();
            }
        }
    }

    public override void Write(string? value)
    {
        foreach (char c in value ?? string.Empty)
        {
            Write(c);
        }
    }

    public override Task WriteAsync(string? value)
    {
        Write(value);
        return Task.CompletedTask;
    }

    public override Task WriteLineAsync(string? value)
    {
        Write(value + "\n");
        return Task.CompletedTask;
    }

    public override string ToString()
    {
        lock (_text)
        {
            return _text.ToString();
        }
    }

    private void CheckForPort()
    {
        string text = _text.ToString();
        int start = text.IndexOf(Marker, StringComparison.Ordinal);
        if (start < 0)
        {
            return;
        }

        int end = text.IndexOf('\n', start);
        string endPoint = text.Substring(start + Marker.Length, end - start - Marker.Length);
        _port.TrySetResult(int.Parse(endPoint.AsSpan(endPoint.LastIndexOf(':') + 1), provider: null));
    }
}
