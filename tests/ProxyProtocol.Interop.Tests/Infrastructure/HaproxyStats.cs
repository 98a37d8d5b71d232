using System;
using System.Collections.Generic;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace ProxyProtocol.Interop.Tests.Infrastructure;

/// <summary>The HAProxy stats socket (<c>stats socket PATH level admin</c>): one command per connection.</summary>
internal static class HaproxyStats
{
    public static async Task<string> QueryAsync(string socketPath, string command, CancellationToken cancellationToken = default)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
        await socket.SendAsync(Encoding.ASCII.GetBytes(command + "\n"), SocketFlags.None, cancellationToken);
        var response = new StringBuilder();
        byte[] buffer = new byte[8192];
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken)) > 0)
        {
            response.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        return response.ToString();
    }

    /// <summary>
    /// One server's fields from <c>show servers state BACKEND</c> (its header line is "# be_id be_name srv_id
    /// srv_name srv_addr srv_op_state ..."), by name; <see langword="null"/> when the server is not listed.
    /// </summary>
    public static async Task<Dictionary<string, string>?> GetServerStateAsync(string socketPath, string backend, string server)
    {
        string[] lines = (await QueryAsync(socketPath, $"show servers state {backend}")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string[]? names = Array.Find(lines, l => l.StartsWith("# ", StringComparison.Ordinal))?[2..].Split(' ');
        foreach (string line in lines)
        {
            string[] values = line.Split(' ');
            if (names is not null && values.Length >= names.Length && values[1] == backend && values[3] == server)
            {
                var fields = new Dictionary<string, string>();
                for (int i = 0; i < names.Length; i++)
                {
                    fields[names[i]] = values[i];
                }

                return fields;
            }
        }

        return null;
    }

    /// <summary>One column of a server's row in <c>show stat</c> (CSV under a "# pxname,svname,..." header).</summary>
    public static async Task<string?> GetStatAsync(string socketPath, string backend, string server, string column)
    {
        string[] lines = (await QueryAsync(socketPath, "show stat")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        int index = Array.IndexOf(lines[0].TrimStart('#', ' ').Split(','), column);
        foreach (string line in lines)
        {
            string[] values = line.Split(',');
            if (index >= 0 && values.Length > index && values[0] == backend && values[1] == server)
            {
                return values[index];
            }
        }

        return null;
    }
}
