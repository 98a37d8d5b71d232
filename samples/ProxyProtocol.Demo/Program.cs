// dotnet run --project samples/ProxyProtocol.Demo
// Kestrel with UseProxyProtocol() on a free loopback port; the demo plays the load balancer and prints what
// the app saw. Exit code 0 when every step behaved as expected.
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

return await ProxyProtocol.Demo.DemoRunner.RunAsync(Console.Out, stop.Token);
