using System;
using System.IO;
using System.Net;
using System.Threading.Tasks;

namespace ProxyProtocol.Interop.Tests.Infrastructure;

/// <summary>nginx in the foreground (<c>-g "daemon off;"</c>) with a prefix and configuration in the test's directory.</summary>
internal static class NginxPeer
{
    /// <summary>
    /// Starts nginx with the <c>server</c> blocks <paramref name="renderServers"/> returns, inside <c>stream { }</c>
    /// or <c>http { }</c>. It runs once per start attempt and reserves its ports there (<see cref="FreePort"/>).
    /// Ready when an extra listener, bound in the same pass as the others, accepts a connection: a probe to the
    /// servers under test would make a stream proxy connect upstream and send a header. Stopped with SIGTERM.
    /// </summary>
    public static async Task<PeerProcess> StartAsync(InteropScope scope, bool stream, Func<string> renderServers)
    {
        string binary = Peers.Require(stream ? Peers.NginxStream : Peers.Nginx);
        string loadModule = stream ? Peers.Find(Peers.NginxStream).LoadModule : string.Empty;
        string prefix = scope.Directory + "/";
        string config = scope.PathOf("nginx.conf");
        PeerProcess process = await PeerProcess.StartAsync("nginx", () =>
        {
            int ready = FreePort.Reserve(alsoIPv6: false);
            File.WriteAllText(config, $$"""
                {{loadModule}}
                {{(Environment.UserName == "root" ? "user root;" : string.Empty)}}
                worker_processes 1;
                pid {{prefix}}nginx.pid;
                error_log stderr info;
                events { worker_connections 256; }
                {{(stream ? "stream" : "http")}} {
                {{(stream ? string.Empty : GetHttpSettings(prefix))}}
                {{renderServers()}}
                    # readiness probe
                    server {
                        listen 127.0.0.1:{{ready}};
                        return {{(stream ? "\"ready\\n\"" : "204")}};
                    }
                }

                """);
            return new PeerCommand(
                binary,
                ["-p", prefix, "-c", config, "-e", "stderr", "-g", "daemon off;"],
                Signals.Terminate,
                ct => Readiness.TcpConnectAsync(new IPEndPoint(IPAddress.Loopback, ready), ct));
        });
        scope.Track(process, "nginx", () => $"{File.ReadAllText(config)}\n{process.Output}");
        return process;
    }

    // nginx creates only the last component of a temp path: each lives directly in the prefix.
    private static string GetHttpSettings(string prefix) => $"""
            access_log off;
            client_body_temp_path {prefix}body_temp;
            proxy_temp_path {prefix}proxy_temp;
            fastcgi_temp_path {prefix}fastcgi_temp;
            uwsgi_temp_path {prefix}uwsgi_temp;
            scgi_temp_path {prefix}scgi_temp;
        """;
}
