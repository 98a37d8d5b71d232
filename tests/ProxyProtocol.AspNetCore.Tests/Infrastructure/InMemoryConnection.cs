using System;
using System.Collections.Generic;
using System.IO.Pipelines;
using System.Net;
using System.Threading;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace ProxyProtocol.AspNetCore.Tests.Infrastructure;

/// <summary>
/// A connection over in-memory pipes, with the lifetime feature Kestrel provides, for running the connection
/// pipeline that <see cref="ListenOptions.Build"/> makes without sockets.
/// </summary>
public sealed class InMemoryConnection : ConnectionContext, IConnectionLifetimeNotificationFeature
{
    private readonly CancellationTokenSource _closeRequested = new();

    public InMemoryConnection(PipeReader input, EndPoint? remoteEndPoint = null)
    {
        Transport = new DuplexPipe(input, new Pipe().Writer);
        Features.Set<IConnectionLifetimeNotificationFeature>(this);
        RemoteEndPoint = remoteEndPoint ?? new IPEndPoint(IPAddress.Loopback, 50000);
        LocalEndPoint = new IPEndPoint(IPAddress.Loopback, 443);
    }

    public override string ConnectionId { get; set; } = "test";

    public override IFeatureCollection Features { get; } = new FeatureCollection();

    public override IDictionary<object, object?> Items { get; set; } = new Dictionary<object, object?>();

    public override IDuplexPipe Transport { get; set; }

    public CancellationToken ConnectionClosedRequested
    {
        get => _closeRequested.Token;
        set => throw new NotSupportedException();
    }

    public void RequestClose() => _closeRequested.Cancel();

    /// <summary>The connection pipeline of a listen endpoint configured by <paramref name="configure"/>, outside any host.</summary>
    public static ConnectionDelegate BuildPipeline(Action<ListenOptions> configure)
    {
        var kestrel = new KestrelServerOptions();
        ListenOptions? captured = null;
        kestrel.Listen(IPAddress.Loopback, 0, listenOptions => captured = listenOptions);
        configure(captured!);
        return captured!.Build();
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
