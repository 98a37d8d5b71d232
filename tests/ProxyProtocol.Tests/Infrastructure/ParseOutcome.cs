using System;
using System.Buffers;

namespace ProxyProtocol.Tests.Infrastructure;

/// <summary>What one parse returned, plus the contiguous input bytes to read the TLVs from.</summary>
internal sealed class ParseOutcome
{
    public ParseOutcome(OperationStatus status, ProxyHeader header, int bytesConsumed, ProxyHeaderError error, byte[] input)
    {
        Status = status;
        Header = header;
        BytesConsumed = bytesConsumed;
        Error = error;
        Input = input;
    }

    public OperationStatus Status { get; }

    public ProxyHeader Header { get; }

    public int BytesConsumed { get; }

    public ProxyHeaderError Error { get; }

    /// <summary>The bytes that were parsed, as one array.</summary>
    public byte[] Input { get; }

    /// <summary>The header's own bytes (empty unless <see cref="OperationStatus.Done"/>).</summary>
    public ReadOnlySpan<byte> HeaderBytes => Input.AsSpan(0, BytesConsumed);

    /// <summary>The bytes after the header: what the application must receive.</summary>
    public ReadOnlySpan<byte> Remainder => Input.AsSpan(BytesConsumed);

    public ProxyTlvs Tlvs => Header.GetTlvs(HeaderBytes);

    public override string ToString() => $"{Status} {Error} consumed={BytesConsumed} {(Status == OperationStatus.Done ? Header.ToString() : string.Empty)}";
}
