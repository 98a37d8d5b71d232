using System;
using System.Buffers;

namespace ProxyProtocol.Fuzz;

/// <summary>Everything one call of <see cref="ProxyHeaderParser"/> returns, so two calls can be compared.</summary>
internal readonly struct ParseResult
{
    public ParseResult(OperationStatus status, ProxyHeader header, int consumed, ProxyHeaderError error)
    {
        Status = status;
        Header = header;
        Consumed = consumed;
        Error = error;
    }

    public OperationStatus Status { get; }

    public ProxyHeader Header { get; }

    public int Consumed { get; }

    public ProxyHeaderError Error { get; }

    public bool IsDone => Status == OperationStatus.Done;

    public static ParseResult Of(ReadOnlySpan<byte> input, in ProxyParserOptions options)
    {
        OperationStatus status = ProxyHeaderParser.Parse(input, options, out ProxyHeader header, out int consumed, out ProxyHeaderError error);
        return new ParseResult(status, header, consumed, error);
    }

    public static ParseResult Of(in ReadOnlySequence<byte> input, in ProxyParserOptions options)
    {
        OperationStatus status = ProxyHeaderParser.Parse(input, options, out ProxyHeader header, out int consumed, out ProxyHeaderError error);
        return new ParseResult(status, header, consumed, error);
    }

    /// <summary>
    /// Same status, error, length and header. <see cref="ProxyHeader"/>'s own equality compares only the
    /// connection information, so the wire-form fields are compared here too.
    /// </summary>
    public bool SameAs(in ParseResult other) =>
        Status == other.Status &&
        Error == other.Error &&
        Consumed == other.Consumed &&
        SameHeader(Header, other.Header);

    public static bool SameHeader(in ProxyHeader left, in ProxyHeader right) =>
        left == right &&
        left.Version == right.Version &&
        left.Length == right.Length &&
        left.TlvOffset == right.TlvOffset &&
        left.TlvLength == right.TlvLength;

    public override string ToString() => Status switch
    {
        OperationStatus.Done => $"Done(consumed {Consumed}, {Header}, length {Header.Length}, tlvs {Header.TlvOffset}+{Header.TlvLength})",
        OperationStatus.InvalidData => $"InvalidData({Error}, consumed {Consumed})",
        _ => $"{Status}({Error}, consumed {Consumed})",
    };
}
