namespace ProxyProtocol;

/// <summary>
/// Adds TLVs to a v2 header that an outbound adapter is building, for example
/// <c>(ref ProxyV2HeaderBuilder b, string host) =&gt; b.AddAuthority(host)</c>.
/// </summary>
/// <remarks>
/// The adapter creates the builder over its own buffer, calls this delegate, then completes the header
/// (length, CRC32C) and sends it in one write. When the TLVs do not fit the adapter's first buffer, the
/// delegate is called once more with a larger one, so it must add the same TLVs every time it is called.
/// </remarks>
/// <typeparam name="TState">The state passed through from the caller, so the delegate need not capture anything.</typeparam>
/// <param name="builder">The builder; the fixed part and the addresses are already written.</param>
/// <param name="state">The caller's state.</param>
public delegate void ProxyTlvWriter<in TState>(ref ProxyV2HeaderBuilder builder, TState state);
