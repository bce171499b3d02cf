namespace Enrollment.Enrollee.Messages
{
    /// <summary>Bounds of every variable-length field on the enroller link (docs/serial-protocol.md 5).</summary>
    public static class Limits
    {
        public const int MaxVersions = 8;
        public const int MaxEnrolleeId = 32;
        public const int PublicKeySize = 32;
        public const int MaxFirmwareVersion = 32;

        /// <summary>Pet name: UTF-8, at most 64 bytes (docs/protocol.md section 4).</summary>
        public const int MaxPetName = Enrollment.Protocol.Messages.PetName.MaxBytes;

        /// <summary>IEEE 802.11 SSID: 1..32 octets.</summary>
        public const int MaxSsid = 32;

        /// <summary>WPA2-PSK: 8..63 characters of passphrase or 64 hex digits; 0 for an open network.</summary>
        public const int MaxWifiPassword = 64;

        /// <summary>Largest enrollment bundle: the protocol's EnrollmentBundle.MaxSize (2768 bytes).</summary>
        public const int MaxBundle = Enrollment.Protocol.Messages.EnrollmentBundle.MaxSize;

        /// <summary>Device id: 1..64 ASCII characters (docs/protocol.md section 4).</summary>
        public const int MaxDeviceId = 64;

        /// <summary>Largest Bundle message: 1+32 + 1+64 + 1+64 + 8 + 2+2768 = 2941 bytes.</summary>
        public const int MaxBundleMessage = 1 + MaxSsid + 1 + MaxWifiPassword + 1 + MaxPetName + 8 + 2 + MaxBundle;
    }
}
