namespace Enrollment.Enrollee.Messages
{
    /// <summary>
    /// Bundle (enroller to enrollee): <c>u8 len (1..32) || SSID || u8 len (0..64) || Wi-Fi password ||
    /// u8 len (0..64) || pet name (UTF-8; 0 = keep the current one) || u64 enroller time (Unix seconds, UTC;
    /// 0 = unknown) || u16 len (1..2768) || bundle</c>, where bundle is the protocol's EnrollmentBundle
    /// encoding (docs/protocol.md), passed on untouched. The enroller's clock lets a device without SNTP
    /// check the bundle's expiry (docs/protocol.md section 10, step 3).
    /// </summary>
    public sealed class BundleMessage
    {
        public readonly byte[] Ssid = new byte[Limits.MaxSsid];
        public int SsidLength;
        public readonly byte[] Password = new byte[Limits.MaxWifiPassword];
        public int PasswordLength;
        public readonly byte[] PetName = new byte[Limits.MaxPetName];
        public int PetNameLength;
        public long EnrollerTime;
        public readonly byte[] Bundle = new byte[Limits.MaxBundle];
        public int BundleLength;

        public int Encode(byte[] output, int offset)
        {
            WireWriter w = new WireWriter(output, offset);
            w.WriteShortField(Ssid, SsidLength, 1, Limits.MaxSsid, "SsidLength");
            w.WriteShortField(Password, PasswordLength, 0, Limits.MaxWifiPassword, "PasswordLength");
            w.WriteShortField(PetName, PetNameLength, 0, Limits.MaxPetName, "PetNameLength");
            if (EnrollerTime < 0)
            {
                throw new System.ArgumentOutOfRangeException("EnrollerTime");
            }

            w.WriteUInt64(EnrollerTime);
            w.WriteLongField(Bundle, BundleLength, 1, Limits.MaxBundle, "BundleLength");
            return w.Position - offset;
        }

        public bool TryDecode(byte[] input, int offset, int count)
        {
            WireReader r = new WireReader(input, offset, count);
            SsidLength = r.ReadShortField(Ssid, 1, Limits.MaxSsid);
            PasswordLength = r.ReadShortField(Password, 0, Limits.MaxWifiPassword);
            PetNameLength = r.ReadShortField(PetName, 0, Limits.MaxPetName);
            EnrollerTime = r.ReadInt64();
            BundleLength = r.ReadLongField(Bundle, 1, Limits.MaxBundle);
            bool ok = r.Complete && EnrollerTime >= 0
                && (PetNameLength == 0 || Enrollment.Protocol.Messages.PetName.IsValid(PetName, 0, PetNameLength));
            if (!ok)
            {
                Clear();
            }

            return ok;
        }

        /// <summary>Zeroes the password (and everything else) once the settings are stored.</summary>
        public void Clear()
        {
            System.Array.Clear(Password, 0, Password.Length);
            System.Array.Clear(Ssid, 0, Ssid.Length);
            System.Array.Clear(Bundle, 0, Bundle.Length);
            SsidLength = 0;
            PasswordLength = 0;
            PetNameLength = 0;
            EnrollerTime = 0;
            BundleLength = 0;
        }
    }
}
