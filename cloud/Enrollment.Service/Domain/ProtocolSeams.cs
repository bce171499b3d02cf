namespace Enrollment.Service.Domain;

/// <summary>What one bundle carries (docs/protocol.md "Enrollment bundle"), before encoding.</summary>
internal sealed record BundleContents(
    byte[] BundleId, long ExpiresAtUnixSeconds, byte[] IdentityKey, SignedPrekey SignedPrekey, uint OneTimePrekeyId, byte[] OneTimePrekey,
    byte[] ServiceAddress);

/// <summary>Encodes a bundle with the service address from configuration (the protocol codec behind it).</summary>
internal interface IBundleEncoder
{
    /// <summary>The encoded service address (Addr) new bundles carry; stored with each bundle.</summary>
    byte[] ServiceAddress { get; }

    byte[] Encode(BundleContents contents);
}
