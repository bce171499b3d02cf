namespace Enrollment.Enrollee.Messages
{
    /// <summary>
    /// Hello (enroller to enrollee): <c>u8 n (1..8) || n x u8 link version</c>, versions in increasing order.
    /// </summary>
    public sealed class HelloMessage
    {
        public readonly byte[] Versions = new byte[Limits.MaxVersions];
        public int VersionCount;

        public int Encode(byte[] output, int offset)
        {
            WireWriter w = new WireWriter(output, offset);
            w.WriteShortField(Versions, VersionCount, 1, Limits.MaxVersions, "VersionCount");
            return w.Position - offset;
        }

        public bool TryDecode(byte[] input, int offset, int count)
        {
            WireReader r = new WireReader(input, offset, count);
            VersionCount = r.ReadShortField(Versions, 1, Limits.MaxVersions);
            return r.Complete;
        }

        /// <summary>The highest version both sides speak, 0 if none (versions are 1..255).</summary>
        public byte HighestCommon()
        {
            byte best = 0;
            for (int i = 0; i < VersionCount; i++)
            {
                if (Versions[i] > best && Link.EnrollerLink.IsSupportedVersion(Versions[i]))
                {
                    best = Versions[i];
                }
            }

            return best;
        }
    }

    /// <summary>
    /// HelloReply (enrollee to enroller), also sent unprompted at boot:
    /// <c>u8 selected version (0 = none in common, or unprompted) || u8 n || n x u8 versions || u8 state ||
    /// u8 status code || u8 idLen (1..32) || id (SHA-256 of EIK_B, docs/protocol.md section 4) || 32 EIK_B
    /// public key || u8 len (0..32) || firmware version (UTF-8) || u8 len (0..64) || pet name (UTF-8)</c>.
    /// </summary>
    public sealed class HelloReplyMessage
    {
        public byte SelectedVersion;
        public readonly byte[] Versions = new byte[Limits.MaxVersions];
        public int VersionCount;
        public byte State;
        public byte Code;
        public readonly byte[] EnrolleeId = new byte[Limits.MaxEnrolleeId];
        public int EnrolleeIdLength;
        public readonly byte[] EikPublic = new byte[Limits.PublicKeySize];
        public readonly byte[] FirmwareVersion = new byte[Limits.MaxFirmwareVersion];
        public int FirmwareVersionLength;
        public readonly byte[] PetName = new byte[Limits.MaxPetName];
        public int PetNameLength;

        public int Encode(byte[] output, int offset)
        {
            WireWriter w = new WireWriter(output, offset);
            w.WriteByte(SelectedVersion);
            w.WriteShortField(Versions, VersionCount, 1, Limits.MaxVersions, "VersionCount");
            w.WriteByte(State);
            w.WriteByte(Code);
            w.WriteShortField(EnrolleeId, EnrolleeIdLength, 1, Limits.MaxEnrolleeId, "EnrolleeIdLength");
            w.WriteFixed(EikPublic, Limits.PublicKeySize);
            w.WriteShortField(FirmwareVersion, FirmwareVersionLength, 0, Limits.MaxFirmwareVersion, "FirmwareVersionLength");
            w.WriteShortField(PetName, PetNameLength, 0, Limits.MaxPetName, "PetNameLength");
            return w.Position - offset;
        }

        public bool TryDecode(byte[] input, int offset, int count)
        {
            WireReader r = new WireReader(input, offset, count);
            SelectedVersion = r.ReadByte();
            VersionCount = r.ReadShortField(Versions, 1, Limits.MaxVersions);
            State = r.ReadByte();
            Code = r.ReadByte();
            EnrolleeIdLength = r.ReadShortField(EnrolleeId, 1, Limits.MaxEnrolleeId);
            r.ReadFixed(EikPublic, Limits.PublicKeySize);
            FirmwareVersionLength = r.ReadShortField(FirmwareVersion, 0, Limits.MaxFirmwareVersion);
            PetNameLength = r.ReadShortField(PetName, 0, Limits.MaxPetName);
            return r.Complete && Enrollment.Protocol.Messages.Utf8.IsValidText(FirmwareVersion, 0, FirmwareVersionLength, true)
                && (PetNameLength == 0 || Enrollment.Protocol.Messages.PetName.IsValid(PetName, 0, PetNameLength));
        }
    }
}
