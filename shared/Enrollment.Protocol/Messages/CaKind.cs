namespace Enrollment.Protocol.Messages
{
    /// <summary>How the bundle tells the enrollee which CA the broker's TLS certificate must chain to.</summary>
    public enum CaKind : byte
    {
        /// <summary>No CA in the bundle: plain MQTT, or TLS validated against the device's built-in trust store.</summary>
        None = 0,

        /// <summary>SHA-256 of the CA certificate's DER encoding; the device must already hold that certificate.</summary>
        Sha256 = 1,

        /// <summary>The CA certificate itself, DER encoded (1..2048 bytes).</summary>
        Certificate = 2,
    }
}
