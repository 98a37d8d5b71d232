using System.Runtime.CompilerServices;

namespace ProxyProtocol.Internal;

/// <summary>
/// Inline storage for the source and destination addresses, laid out as in the v2 address block without
/// the ports: IPv4 at 0 and 4, IPv6 at 0 and 16, Unix paths at 0 and 108. Sized for the largest (Unix).
/// </summary>
[InlineArray(WireFormat.UnixBlockLength)]
internal struct AddressBlock
{
    private byte _element0;
}
