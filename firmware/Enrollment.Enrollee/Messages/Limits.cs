namespace Enrollment.Enrollee.Messages
{
    /// <summary>Bounds of every variable-length field on the enroller link (docs/serial-protocol.md 5).</summary>
    public static class Limits
    {
        public const int MaxVersions = 8;
        public const int MaxEnrolleeId = 32;
        public const int PublicKeySize = 32;
        public const int MaxFirmwareVersion = 32;

        /// <summary>Pet name: UTF-8, at most 32 bytes.</summary>
        public const int MaxPetName = 32;

        /// <summary>IEEE 802.11 SSID: 1..32 octets.</summary>
        public const int MaxSsid = 32;

        /// <summary>WPA2-PSK: 8..63 characters of passphrase or 64 hex digits; 0 for an open network.</summary>
        public const int MaxWifiPassword = 64;

        /// <summary>Largest enrollment bundle (the protocol's EnrollmentBundle encoding) accepted.</summary>
        public const int MaxBundle = 2048;

        public const int MaxDeviceId = 32;

        /// <summary>Largest Bundle message: 1+32 + 1+64 + 1+32 + 2+2048 = 2181 bytes.</summary>
        public const int MaxBundleMessage = 1 + MaxSsid + 1 + MaxWifiPassword + 1 + MaxPetName + 2 + MaxBundle;
    }
}
