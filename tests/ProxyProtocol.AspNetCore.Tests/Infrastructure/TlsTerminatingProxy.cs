using System;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace ProxyProtocol.AspNetCore.Tests.Infrastructure;

/// <summary>
/// A load balancer in miniature: it terminates the client's TLS (offering h2 and http/1.1), connects to the
/// backend in cleartext, sends a v2 header with the negotiated ALPN, then relays bytes both ways.
/// </summary>
public sealed class TlsTerminatingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly IPEndPoint _backend;
    private readonly IPEndPoint _clientAddress;
    private readonly Task _acceptLoop;

    /// <param name="backend">The Kestrel endpoint.</param>
    /// <param name="clientAddress">The source address the header announces (the "real client").</param>
    public TlsTerminatingProxy(IPEndPoint backend, IPEndPoint clientAddress)
    {
        _backend = backend;
        _clientAddress = clientAddress;
        _listener.Start();
        _acceptLoop = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                Socket client = await _listener.AcceptSocketAsync(_stopping.Token);
                _ = RelayAsync(client);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task RelayAsync(Socket client)
    {
        using Socket clientSocket = client;
        using var backend = new Socket(_backend.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await using var tls = new SslStream(new NetworkStream(clientSocket, ownsSocket: false));
            await tls.AuthenticateAsServerAsync(
                new SslServerAuthenticationOptions
                {
                    ServerCertificate = TestCertificate.Instance,
                    ApplicationProtocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11],
                },
                _stopping.Token);
            await backend.ConnectAsync(_backend, _stopping.Token);
            byte[] alpn = tls.NegotiatedApplicationProtocol.Protocol.ToArray();
            byte[] header = Headers.V2(
                ProxyHeader.CreateProxy(_clientAddress, (IPEndPoint)clientSocket.LocalEndPoint!),
                (ref ProxyV2HeaderBuilder b) =>
                {
                    if (alpn.Length > 0)
                    {
                        b.AddAlpn(alpn);
                    }

                    b.AddAuthority("localhost");
                });
            await using var backendStream = new NetworkStream(backend, ownsSocket: false);
            await backendStream.WriteAsync(header, _stopping.Token);

            Task up = PumpAsync(tls, backendStream, () => backend.Shutdown(SocketShutdown.Send));
            Task down = PumpAsync(backendStream, tls, () => clientSocket.Shutdown(SocketShutdown.Send));
            await Task.WhenAll(up, down).WaitAsync(RawClient.Timeout, _stopping.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or TimeoutException or System.IO.IOException or SocketException or System.Security.Authentication.AuthenticationException)
        {
            // A relay ends however the client or server ends it; the tests assert on what the client saw.
        }
    }

    private async Task PumpAsync(System.IO.Stream from, System.IO.Stream to, Action shutdown)
    {
        try
        {
            await from.CopyToAsync(to, _stopping.Token);
        }
        finally
        {
            try
            {
                shutdown();
            }
            catch (SocketException)
            {
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        _listener.Stop();
        await _acceptLoop;
        _stopping.Dispose();
    }
}
