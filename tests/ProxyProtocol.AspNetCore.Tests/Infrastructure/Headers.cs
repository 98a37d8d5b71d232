using System;
using System.Buffers;
using System.Net;
using System.Text;

namespace ProxyProtocol.AspNetCore.Tests.Infrastructure;

/// <summary>PROXY headers as a load balancer would send them.</summary>
public static class Headers
{
    public delegate void AddTlvs(ref ProxyV2HeaderBuilder builder);

    /// <summary>A v1 line, written out by hand so the tests do not depend on the library's writer.</summary>
    public static byte[] V1(string source, int sourcePort, string destination, int destinationPort)
    {
        string protocol = IPAddress.Parse(source).AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? "TCP4" : "TCP6";
        return Encoding.ASCII.GetBytes($"PROXY {protocol} {source} {destination} {sourcePort} {destinationPort}\r\n");
    }

    public static byte[] V1Unknown() => "PROXY UNKNOWN\r\n"u8.ToArray();

    public static byte[] V2(string source, int sourcePort, string destination, int destinationPort, AddTlvs? tlvs = null) =>
        V2(ProxyHeader.CreateProxy(new IPEndPoint(IPAddress.Parse(source), sourcePort), new IPEndPoint(IPAddress.Parse(destination), destinationPort)), tlvs);

    /// <summary>v2 LOCAL, as balancers send for health checks (SEM-01).</summary>
    public static byte[] V2Local() => V2(ProxyHeader.CreateLocal());

    public static byte[] V2(ProxyHeader header, AddTlvs? tlvs = null)
    {
        byte[] buffer = new byte[2048];
        var builder = new ProxyV2HeaderBuilder(buffer, header);
        tlvs?.Invoke(ref builder);
        if (builder.Complete(out int written) != OperationStatus.Done)
        {
            throw new InvalidOperationException("Test header too long.");
        }

        return buffer.AsSpan(0, written).ToArray();
    }

    public static byte[] Concat(params byte[][] parts)
    {
        var result = new byte[Sum(parts)];
        int offset = 0;
        foreach (byte[] part in parts)
        {
            part.CopyTo(result, offset);
            offset += part.Length;
        }

        return result;

        static int Sum(byte[][] parts)
        {
            int length = 0;
            foreach (byte[] part in parts)
            {
                length += part.Length;
            }

            return length;
        }
    }
}
