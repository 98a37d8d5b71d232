using System.Runtime.CompilerServices;

namespace ProxyProtocol.Internal;

/// <summary>
/// Inline storage for the IP addresses of a header, laid out as in the v2 address block without the
/// ports: IPv4 at 0 and 4, IPv6 at 0 and 16. Unix paths (216 bytes) do not fit and are not meant to:
/// they stay in the header's bytes, and this block holds their <see cref="UnixAddressFingerprint"/>.
/// </summary>
[InlineArray(Length)]
internal struct AddressBlock
{
    /// <summary>Two IPv6 addresses.</summary>
    public const int Length = 32;

    private byte _element0;
}
