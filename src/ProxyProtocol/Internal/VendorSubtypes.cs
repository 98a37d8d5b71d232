namespace ProxyProtocol.Internal;

/// <summary>Subtype bytes that open the value of the vendors' TLVs (see <see cref="ProxyTlvType"/>).</summary>
internal static class VendorSubtypes
{
    /// <summary>AWS 0xEA subtype PP2_SUBTYPE_AWS_VPCE_ID: the VPC endpoint id follows in ASCII.</summary>
    public const byte AwsVpcEndpointId = 0x01;

    /// <summary>Azure 0xEE subtype PP2_SUBTYPE_AZURE_PRIVATEENDPOINT_LINKID: a little-endian uint32 follows.</summary>
    public const byte AzurePrivateEndpointLinkId = 0x01;
}
