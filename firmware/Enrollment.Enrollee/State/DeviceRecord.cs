using Enrollment.Enrollee.Link;
using Enrollment.Enrollee.Messages;

namespace Enrollment.Enrollee.State
{
    /// <summary>
    /// Everything the enrollee keeps across power loss, as one record written atomically on every
    /// transition (so no combination of half-updated files can exist). Layout, big-endian:
    /// <code>
    /// u8  format (1)          u8 state            u8 status code       u16 attempt
    /// 32  EIK_B private       32 EIK_B public
    /// u8 len + pet name       u8 len + SSID       u8 len + Wi-Fi password
    /// u64 enroller time at bundle delivery (Unix seconds; 0 = unknown)
    /// u16 len + bundle
    /// u16 len + attempt state (the protocol's EK_B-derived state of the persisted attempt)
    /// u16 len + the persisted attempt's enrollment message (republished unchanged after a reboot)
    /// 32  IK_B private        32 IK_B public      u8 len + device id
    /// u16 len + session keys
    /// u32 CRC-32 of all the above
    /// </code>
    /// The CRC does not replace atomic writes; it makes a medium that breaks its promises (a worn flash
    /// page, a FAT card) show up as "no valid record" instead of as wrong keys.
    /// Secrets (private keys, password, attempt state, session keys) are stored in clear: enable ESP32
    /// flash encryption to protect them at rest (docs/hardware.md).
    /// </summary>
    public sealed class DeviceRecord
    {
        public const string FileName = "enrollee.rec";
        public const byte Format = 1;
        public const int KeySize = 32;
        public const int MaxAttemptState = 512;
        public const int MaxSession = 720;
        public const int MaxMessage = 256;

        public const int MaxSize = 5 + (4 * KeySize) + (1 + Limits.MaxPetName) + (1 + Limits.MaxSsid)
            + (1 + Limits.MaxWifiPassword) + 8 + (2 + Limits.MaxBundle) + (2 + MaxAttemptState) + (2 + MaxMessage)
            + (1 + Limits.MaxDeviceId) + (2 + MaxSession) + 4;

        public byte State;
        public byte Code;
        public int Attempt;
        public readonly byte[] EikPrivate = new byte[KeySize];
        public readonly byte[] EikPublic = new byte[KeySize];
        public readonly byte[] PetName = new byte[Limits.MaxPetName];
        public int PetNameLength;
        public readonly byte[] Ssid = new byte[Limits.MaxSsid];
        public int SsidLength;
        public readonly byte[] Password = new byte[Limits.MaxWifiPassword];
        public int PasswordLength;
        public long BundleTime;
        public readonly byte[] Bundle = new byte[Limits.MaxBundle];
        public int BundleLength;
        public readonly byte[] AttemptState = new byte[MaxAttemptState];
        public int AttemptStateLength;
        public readonly byte[] Message = new byte[MaxMessage];
        public int MessageLength;
        public readonly byte[] IkPrivate = new byte[KeySize];
        public readonly byte[] IkPublic = new byte[KeySize];
        public readonly byte[] DeviceId = new byte[Limits.MaxDeviceId];
        public int DeviceIdLength;
        public readonly byte[] Session = new byte[MaxSession];
        public int SessionLength;

        public int Encode(byte[] output)
        {
            WireWriter w = new WireWriter(output, 0);
            w.WriteByte(Format);
            w.WriteByte(State);
            w.WriteByte(Code);
            w.WriteUInt16(Attempt);
            w.WriteFixed(EikPrivate, KeySize);
            w.WriteFixed(EikPublic, KeySize);
            w.WriteShortField(PetName, PetNameLength, 0, Limits.MaxPetName, "PetNameLength");
            w.WriteShortField(Ssid, SsidLength, 0, Limits.MaxSsid, "SsidLength");
            w.WriteShortField(Password, PasswordLength, 0, Limits.MaxWifiPassword, "PasswordLength");
            w.WriteUInt64(BundleTime);
            w.WriteLongField(Bundle, BundleLength, 0, Limits.MaxBundle, "BundleLength");
            w.WriteLongField(AttemptState, AttemptStateLength, 0, MaxAttemptState, "AttemptStateLength");
            w.WriteLongField(Message, MessageLength, 0, MaxMessage, "MessageLength");
            w.WriteFixed(IkPrivate, KeySize);
            w.WriteFixed(IkPublic, KeySize);
            w.WriteShortField(DeviceId, DeviceIdLength, 0, Limits.MaxDeviceId, "DeviceIdLength");
            w.WriteLongField(Session, SessionLength, 0, MaxSession, "SessionLength");
            int length = w.Position;
            BigEndian.WriteUInt32(output, length, Crc32.Compute(output, 0, length));
            return length + 4;
        }

        /// <summary>Loads a stored record; false (and everything cleared) if it is not a valid one.</summary>
        public bool TryDecode(byte[] input, int count)
        {
            if (count < 4 || count > input.Length
                || Crc32.Compute(input, 0, count - 4) != BigEndian.ReadUInt32(input, count - 4))
            {
                Clear();
                return false;
            }

            WireReader r = new WireReader(input, 0, count - 4);
            byte format = r.ReadByte();
            State = r.ReadByte();
            Code = r.ReadByte();
            Attempt = r.ReadUInt16();
            r.ReadFixed(EikPrivate, KeySize);
            r.ReadFixed(EikPublic, KeySize);
            PetNameLength = r.ReadShortField(PetName, 0, Limits.MaxPetName);
            SsidLength = r.ReadShortField(Ssid, 0, Limits.MaxSsid);
            PasswordLength = r.ReadShortField(Password, 0, Limits.MaxWifiPassword);
            BundleTime = r.ReadInt64();
            BundleLength = r.ReadLongField(Bundle, 0, Limits.MaxBundle);
            AttemptStateLength = r.ReadLongField(AttemptState, 0, MaxAttemptState);
            MessageLength = r.ReadLongField(Message, 0, MaxMessage);
            r.ReadFixed(IkPrivate, KeySize);
            r.ReadFixed(IkPublic, KeySize);
            DeviceIdLength = r.ReadShortField(DeviceId, 0, Limits.MaxDeviceId);
            SessionLength = r.ReadLongField(Session, 0, MaxSession);
            if (!r.Complete || format != Format || BundleTime < 0 || State > EnrolleeState.Revoked || State == EnrolleeState.Fresh)
            {
                Clear();
                return false;
            }

            return true;
        }

        /// <summary>Forgets the enrollment in progress (bundle, Wi-Fi settings, attempt), keeping EIK_B.</summary>
        public void ClearEnrollment()
        {
            Attempt = 0;
            System.Array.Clear(Ssid, 0, Ssid.Length);
            SsidLength = 0;
            System.Array.Clear(Password, 0, Password.Length);
            PasswordLength = 0;
            System.Array.Clear(Bundle, 0, Bundle.Length);
            BundleLength = 0;
            BundleTime = 0;
            ClearAttempt();
        }

        /// <summary>Zeroes the persisted attempt's secret state and the IK_B made for it.</summary>
        public void ClearAttempt()
        {
            System.Array.Clear(AttemptState, 0, AttemptState.Length);
            AttemptStateLength = 0;
            System.Array.Clear(Message, 0, Message.Length);
            MessageLength = 0;
            System.Array.Clear(IkPrivate, 0, KeySize);
            System.Array.Clear(IkPublic, 0, KeySize);
        }

        /// <summary>Zeroes everything: the in-memory side of a factory reset.</summary>
        public void Clear()
        {
            ClearEnrollment();
            State = EnrolleeState.Fresh;
            Code = StatusCode.None;
            System.Array.Clear(EikPrivate, 0, KeySize);
            System.Array.Clear(EikPublic, 0, KeySize);
            System.Array.Clear(PetName, 0, PetName.Length);
            PetNameLength = 0;
            System.Array.Clear(DeviceId, 0, DeviceId.Length);
            DeviceIdLength = 0;
            System.Array.Clear(Session, 0, Session.Length);
            SessionLength = 0;
        }
    }
}
