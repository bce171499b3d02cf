using System;
using System.Diagnostics.CodeAnalysis;

namespace Enrollment.Protocol.Messages
{
    /// <summary>
    /// The enrollment bundle (docs/protocol.md "Enrollment bundle", type 0x01): the service's X3DH prekey
    /// bundle (Signal X3DH section 3.2) plus the service address and an expiry. It travels from the service
    /// through the enroller to the enrollee; its only signature is the one over SPK_A.
    /// </summary>
    public sealed class EnrollmentBundle
    {
        /// <summary>Size of the fixed part, before the service address.</summary>
        public const int FixedSize = 202;

        /// <summary>Largest bundle: the fixed part plus the largest service address.</summary>
        public const int MaxSize = FixedSize + ServiceAddress.MaxEncodedLength;

        /// <summary>Domain-separation label in front of the signed prekey's signing input.</summary>
        internal static readonly byte[] SpkSignatureLabel =
        {
            (byte)'O', (byte)'C', (byte)'K', (byte)'A', (byte)'M', (byte)'-', (byte)'E', (byte)'N', (byte)'R', (byte)'O',
            (byte)'L', (byte)'L', (byte)'-', (byte)'S', (byte)'P', (byte)'K', (byte)'-', (byte)'v', (byte)'1',
        };

        /// <summary>Size of the SPK signing input: label (19) + id (4) + SPK_A (32) + expiry (8).</summary>
        public const int SpkSigningInputSize = 63;

        /// <summary>Creates a bundle; every array is copied and checked for its exact length.</summary>
        public EnrollmentBundle(
            byte[] bundleId,
            long expiresAt,
            byte[] identityKey,
            uint signedPreKeyId,
            long signedPreKeyExpiresAt,
            byte[] signedPreKey,
            byte[] signedPreKeySignature,
            uint oneTimePreKeyId,
            byte[] oneTimePreKey,
            ServiceAddress address)
        {
            Wire.CheckLength(bundleId, ProtocolConstants.BundleIdSize, nameof(bundleId));
            Wire.CheckLength(identityKey, ProtocolConstants.KeySize, nameof(identityKey));
            Wire.CheckLength(signedPreKey, ProtocolConstants.KeySize, nameof(signedPreKey));
            Wire.CheckLength(signedPreKeySignature, ProtocolConstants.SignatureSize, nameof(signedPreKeySignature));
            Wire.CheckLength(oneTimePreKey, ProtocolConstants.KeySize, nameof(oneTimePreKey));
            if (expiresAt < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(expiresAt));
            }

            if (signedPreKeyExpiresAt < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(signedPreKeyExpiresAt));
            }

            if (address == null)
            {
                throw new ArgumentNullException(nameof(address));
            }

            BundleId = Wire.Slice(bundleId, 0, bundleId.Length);
            ExpiresAt = expiresAt;
            IdentityKey = Wire.Slice(identityKey, 0, identityKey.Length);
            SignedPreKeyId = signedPreKeyId;
            SignedPreKeyExpiresAt = signedPreKeyExpiresAt;
            SignedPreKey = Wire.Slice(signedPreKey, 0, signedPreKey.Length);
            SignedPreKeySignature = Wire.Slice(signedPreKeySignature, 0, signedPreKeySignature.Length);
            OneTimePreKeyId = oneTimePreKeyId;
            OneTimePreKey = Wire.Slice(oneTimePreKey, 0, oneTimePreKey.Length);
            Address = address;
        }

        /// <summary>16 random bytes naming this bundle at the service (the enroller quotes it when registering).</summary>
        public byte[] BundleId { get; }

        /// <summary>Bundle expiry, Unix seconds (UTC); the enrollee refuses the bundle from this second on.</summary>
        public long ExpiresAt { get; }

        /// <summary>IK_A: the service's long-term X25519 identity public key.</summary>
        public byte[] IdentityKey { get; }

        /// <summary>Id of SPK_A, chosen by the service.</summary>
        public uint SignedPreKeyId { get; }

        /// <summary>SPK_A expiry, Unix seconds (UTC); covered by the SPK signature.</summary>
        public long SignedPreKeyExpiresAt { get; }

        /// <summary>SPK_A: the service's signed prekey (X25519 public).</summary>
        public byte[] SignedPreKey { get; }

        /// <summary>XEdDSA signature by IK_A over <see cref="BuildSpkSigningInput"/>.</summary>
        public byte[] SignedPreKeySignature { get; }

        /// <summary>Id of OPK_A, the one-time prekey this bundle reserves.</summary>
        public uint OneTimePreKeyId { get; }

        /// <summary>OPK_A: the one-time prekey reserved for this bundle (X25519 public).</summary>
        public byte[] OneTimePreKey { get; }

        /// <summary>The service address; its encoding is <c>Addr</c> in the enrollment message's AAD.</summary>
        public ServiceAddress Address { get; }

        /// <summary>Bytes <see cref="Encode(byte[], int)"/> writes.</summary>
        public int EncodedLength
        {
            get { return FixedSize + Address.EncodedLength; }
        }

        /// <summary>
        /// The bytes IK_A signs for SPK_A: "OCKAM-ENROLL-SPK-v1" || spk_id (4) || SPK_A (32) || spk_expiry (8).
        /// The service uses this to make the signature; the enrollee to check it.
        /// </summary>
        public static byte[] BuildSpkSigningInput(uint signedPreKeyId, byte[] signedPreKey, long signedPreKeyExpiresAt)
        {
            Wire.CheckLength(signedPreKey, ProtocolConstants.KeySize, nameof(signedPreKey));
            byte[] input = new byte[SpkSigningInputSize];
            Array.Copy(SpkSignatureLabel, 0, input, 0, SpkSignatureLabel.Length);
            int p = SpkSignatureLabel.Length;
            Wire.WriteUInt32(input, p, signedPreKeyId);
            Array.Copy(signedPreKey, 0, input, p + 4, ProtocolConstants.KeySize);
            Wire.WriteUInt64(input, p + 4 + ProtocolConstants.KeySize, (ulong)signedPreKeyExpiresAt);
            return input;
        }

        /// <summary>The encoded bundle.</summary>
        public byte[] Encode()
        {
            byte[] output = new byte[EncodedLength];
            Encode(output, 0);
            return output;
        }

        /// <summary>Writes the bundle at <paramref name="offset"/>; returns the bytes written.</summary>
        public int Encode(byte[] output, int offset)
        {
            int length = EncodedLength;
            Wire.CheckRange(output, offset, length);
            MessageHeader.Write(output, offset, MessageType.Bundle);
            int p = offset + MessageHeader.Size;
            Array.Copy(BundleId, 0, output, p, ProtocolConstants.BundleIdSize);
            p += ProtocolConstants.BundleIdSize;
            Wire.WriteUInt64(output, p, (ulong)ExpiresAt);
            p += 8;
            Array.Copy(IdentityKey, 0, output, p, ProtocolConstants.KeySize);
            p += ProtocolConstants.KeySize;
            Wire.WriteUInt32(output, p, SignedPreKeyId);
            Wire.WriteUInt64(output, p + 4, (ulong)SignedPreKeyExpiresAt);
            p += 12;
            Array.Copy(SignedPreKey, 0, output, p, ProtocolConstants.KeySize);
            p += ProtocolConstants.KeySize;
            Array.Copy(SignedPreKeySignature, 0, output, p, ProtocolConstants.SignatureSize);
            p += ProtocolConstants.SignatureSize;
            Wire.WriteUInt32(output, p, OneTimePreKeyId);
            Array.Copy(OneTimePreKey, 0, output, p + 4, ProtocolConstants.KeySize);
            p += 4 + ProtocolConstants.KeySize;
            p += Address.Encode(output, p);
            return p - offset;
        }

        /// <summary>
        /// Decodes exactly <paramref name="count"/> bytes. False (and null) on any format error: wrong type or
        /// version, truncation, trailing bytes, a time at or above 2^63, or an invalid service address.
        /// </summary>
        public static bool TryDecode(byte[] buffer, int offset, int count, [NotNullWhen(true)] out EnrollmentBundle? bundle)
        {
            Wire.CheckRange(buffer, offset, count);
            bundle = null;
            if (count < FixedSize || count > MaxSize || !MessageHeader.Matches(buffer, offset, count, MessageType.Bundle))
            {
                return false;
            }

            int p = offset + MessageHeader.Size;
            byte[] bundleId = Wire.Slice(buffer, p, ProtocolConstants.BundleIdSize);
            p += ProtocolConstants.BundleIdSize;
            ulong expiresAt = Wire.ReadUInt64(buffer, p);
            p += 8;
            byte[] identityKey = Wire.Slice(buffer, p, ProtocolConstants.KeySize);
            p += ProtocolConstants.KeySize;
            uint spkId = Wire.ReadUInt32(buffer, p);
            ulong spkExpiresAt = Wire.ReadUInt64(buffer, p + 4);
            p += 12;
            byte[] spk = Wire.Slice(buffer, p, ProtocolConstants.KeySize);
            p += ProtocolConstants.KeySize;
            byte[] signature = Wire.Slice(buffer, p, ProtocolConstants.SignatureSize);
            p += ProtocolConstants.SignatureSize;
            uint opkId = Wire.ReadUInt32(buffer, p);
            byte[] opk = Wire.Slice(buffer, p + 4, ProtocolConstants.KeySize);
            p += 4 + ProtocolConstants.KeySize;
            if (expiresAt > (ulong)ProtocolConstants.MaxTime || spkExpiresAt > (ulong)ProtocolConstants.MaxTime)
            {
                return false;
            }

            int end = offset + count;
            if (!ServiceAddress.TryRead(buffer, p, end, out ServiceAddress? address, out int next) || next != end)
            {
                return false;
            }

            bundle = new EnrollmentBundle(bundleId, (long)expiresAt, identityKey, spkId, (long)spkExpiresAt, spk, signature, opkId, opk, address);
            return true;
        }
    }
}
