using System;
using ProxyProtocol.Internal;

namespace ProxyProtocol;

/// <summary>How strictly and how far a receiver parses PROXY headers.</summary>
/// <remarks>
/// <c>default(ProxyParserOptions)</c> is the recommended configuration: both versions, v2 headers up to
/// 4096 bytes, CRC32C verified, strict v1 text. Values are validated when set.
/// </remarks>
public readonly struct ProxyParserOptions : IEquatable<ProxyParserOptions>
{
    /// <summary>The default maximum v2 header length, 4096 bytes.</summary>
    public const int DefaultMaxHeaderLength = 4096;

    /// <summary>The smallest allowed <see cref="MaxHeaderLength"/>: the 16-byte v2 fixed header.</summary>
    public const int MinMaxHeaderLength = WireFormat.V2FixedLength;

    /// <summary>The largest allowed <see cref="MaxHeaderLength"/>: 16 + 65535 bytes.</summary>
    public const int MaxMaxHeaderLength = WireFormat.V2MaxLength;

    // Stored so that the all-zero value means "the defaults".
    private readonly int _maxHeaderLength;
    private readonly ProxyVersions _disallowedVersions;
    private readonly bool _skipCrc32c;
    private readonly bool _allowIPv4InTcp6;

    /// <summary>The default options.</summary>
    public static ProxyParserOptions Default => default;

    /// <summary>
    /// The largest v2 header (<c>16 + len</c>) accepted; a longer one is rejected with
    /// <see cref="ProxyHeaderError.HeaderTooLong"/> as soon as its length field is read.
    /// Default 4096; allowed 16 to 65551. v1 lines are always limited to 107 bytes by the spec.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside 16 to 65551.</exception>
    public int MaxHeaderLength
    {
        get => _maxHeaderLength == 0 ? DefaultMaxHeaderLength : _maxHeaderLength;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, MinMaxHeaderLength);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, MaxMaxHeaderLength);
            _maxHeaderLength = value;
        }
    }

    /// <summary>The versions accepted; default <see cref="ProxyVersions.All"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value allows no version or has unknown bits.</exception>
    public ProxyVersions AllowedVersions
    {
        get => ProxyVersions.All & ~_disallowedVersions;
        init
        {
            if ((value & ~ProxyVersions.All) != 0 || value == ProxyVersions.None)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "At least one of V1 and V2 must be allowed, and nothing else.");
            }

            _disallowedVersions = ProxyVersions.All & ~value;
        }
    }

    /// <summary>
    /// Whether a CRC32C TLV, when present, is verified (CRC-04); default <see langword="true"/>.
    /// Turning it off only skips the comparison: the TLV must still be 4 bytes long.
    /// </summary>
    public bool VerifyCrc32c
    {
        get => !_skipCrc32c;
        init => _skipCrc32c = !value;
    }

    /// <summary>
    /// Whether a bare IPv4 address is accepted in a v1 <c>TCP6</c> line, as some nginx versions send
    /// (QUIRK-03b); default <see langword="false"/>. An accepted address is stored as v4-mapped IPv6.
    /// </summary>
    public bool AllowIPv4InTcp6
    {
        get => _allowIPv4InTcp6;
        init => _allowIPv4InTcp6 = value;
    }

    /// <inheritdoc/>
    public bool Equals(ProxyParserOptions other) =>
        MaxHeaderLength == other.MaxHeaderLength &&
        _disallowedVersions == other._disallowedVersions &&
        _skipCrc32c == other._skipCrc32c &&
        _allowIPv4InTcp6 == other._allowIPv4InTcp6;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is ProxyParserOptions other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(MaxHeaderLength, _disallowedVersions, _skipCrc32c, _allowIPv4InTcp6);

    /// <summary>Compares two option values.</summary>
    /// <param name="left">The first value.</param>
    /// <param name="right">The second value.</param>
    /// <returns><see langword="true"/> when equal.</returns>
    public static bool operator ==(ProxyParserOptions left, ProxyParserOptions right) => left.Equals(right);

    /// <summary>Compares two option values.</summary>
    /// <param name="left">The first value.</param>
    /// <param name="right">The second value.</param>
    /// <returns><see langword="true"/> when different.</returns>
    public static bool operator !=(ProxyParserOptions left, ProxyParserOptions right) => !left.Equals(right);
}
