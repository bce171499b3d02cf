using System;
using Enrollment.Protocol.Messages;

namespace Enrollment.Protocol.X3dh
{
    /// <summary>
    /// Every label and derivation of docs/protocol.md "Key schedule", in one place. Labels are ASCII, no
    /// terminator. All derived keys are HKDF-Expand(PRK = SK, info = label, L = 32) (RFC 5869 section 2.3;
    /// SK is a uniformly random 32-byte HKDF output, so it is a valid PRK and no second Extract is needed).
    /// </summary>
    internal static class KeySchedule
    {
        /// <summary>X3DH <c>info</c> (Signal X3DH section 2.2): in the SK derivation, in h and in the AAD.</summary>
        internal const string InfoText = "Ockam Enrollment v1 SK";

        internal const string MessageKeyText = "Ockam Enrollment v1 message key";

        internal const string MessageNonceText = "Ockam Enrollment v1 message nonce";

        internal const string ResultKeyText = "Ockam Enrollment v1 result key";

        internal const string SessionUpText = "Ockam Enrollment v1 session up";

        internal const string SessionDownText = "Ockam Enrollment v1 session down";

        /// <summary>Label in front of what IK_B signs: "OCKAM-ENROLL-IKB-v1" || EIK_B || h.</summary>
        internal const string IdentitySignatureText = "OCKAM-ENROLL-IKB-v1";

        /// <summary>F: 32 0xFF bytes before the DH outputs (X3DH section 2.2, OP-0006) - domain separation from XEdDSA.</summary>
        internal const int FSize = 32;

        /// <summary>IKM = F || DH1 || DH2 || DH3 || DH4.</summary>
        internal const int IkmSize = FSize + 4 * ProtocolConstants.KeySize;

        /// <summary>What IK_B signs: label (19) + EIK_B (32) + h (32).</summary>
        internal const int IdentitySigningInputSize = 19 + ProtocolConstants.KeySize + ProtocolConstants.HashSize;

        internal static readonly byte[] Info = Ascii(InfoText);

        internal static readonly byte[] MessageKeyLabel = Ascii(MessageKeyText);

        internal static readonly byte[] MessageNonceLabel = Ascii(MessageNonceText);

        internal static readonly byte[] ResultKeyLabel = Ascii(ResultKeyText);

        internal static readonly byte[] SessionUpLabel = Ascii(SessionUpText);

        internal static readonly byte[] SessionDownLabel = Ascii(SessionDownText);

        internal static readonly byte[] IdentitySignatureLabel = Ascii(IdentitySignatureText);

        /// <summary>HKDF salt: 32 zero bytes (X3DH section 2.2 and OP-0006: "a zero-filled byte sequence with length equal to the hash output length").</summary>
        internal static readonly byte[] Salt = new byte[ProtocolConstants.HashSize];

        /// <summary>SK = HKDF-SHA256(salt = 0^32, IKM = F || DH1..DH4, info = <see cref="InfoText"/>, L = 32).</summary>
        internal static byte[] DeriveSk(byte[] ikm)
        {
            return DeriveSk(null, ikm);
        }

        /// <summary>As <see cref="DeriveSk(byte[])"/>, on the host's symmetric primitives when given.</summary>
        internal static byte[] DeriveSk(IX3dhSymmetricPrimitives? s, byte[] ikm)
        {
            byte[] sk = new byte[ProtocolConstants.AeadKeySize];
            CryptoBinding.Hkdf(s, Salt, ikm, 0, IkmSize, Info, sk, 0, sk.Length);
            return sk;
        }

        /// <summary>h = SHA-256(info || F || DH1 || DH2 || DH3 || DH4) = SHA-256(info || IKM): the transcript hash.</summary>
        internal static byte[] TranscriptHash(byte[] ikm)
        {
            return TranscriptHash(null, ikm);
        }

        /// <summary>As <see cref="TranscriptHash(byte[])"/>, on the host's symmetric primitives when given.</summary>
        internal static byte[] TranscriptHash(IX3dhSymmetricPrimitives? s, byte[] ikm)
        {
            byte[] input = new byte[Info.Length + IkmSize];
            Array.Copy(Info, 0, input, 0, Info.Length);
            Array.Copy(ikm, 0, input, Info.Length, IkmSize);
            byte[] h = new byte[ProtocolConstants.HashSize];
            CryptoBinding.Sha256(s, input, 0, input.Length, h, 0);
            CryptoBinding.Zero(input);
            return h;
        }

        /// <summary>One 32-byte key: HKDF-Expand(SK, label, 32).</summary>
        internal static byte[] Expand(byte[] sk, byte[] label)
        {
            return Expand(null, sk, label);
        }

        /// <summary>As <see cref="Expand(byte[], byte[])"/>, on the host's symmetric primitives when given.</summary>
        internal static byte[] Expand(IX3dhSymmetricPrimitives? s, byte[] sk, byte[] label)
        {
            byte[] key = new byte[ProtocolConstants.AeadKeySize];
            CryptoBinding.Expand(s, sk, label, key, 0, key.Length);
            return key;
        }

        /// <summary>Message nonce = first 12 bytes of SHA-256("Ockam Enrollment v1 message nonce" || EK_B).</summary>
        internal static byte[] MessageNonce(byte[] ephemeralPublicKey)
        {
            return MessageNonce(null, ephemeralPublicKey);
        }

        /// <summary>As <see cref="MessageNonce(byte[])"/>, on the host's symmetric primitives when given.</summary>
        internal static byte[] MessageNonce(IX3dhSymmetricPrimitives? s, byte[] ephemeralPublicKey)
        {
            byte[] input = new byte[MessageNonceLabel.Length + ProtocolConstants.KeySize];
            Array.Copy(MessageNonceLabel, 0, input, 0, MessageNonceLabel.Length);
            Array.Copy(ephemeralPublicKey, 0, input, MessageNonceLabel.Length, ProtocolConstants.KeySize);
            byte[] digest = new byte[ProtocolConstants.HashSize];
            CryptoBinding.Sha256(s, input, 0, input.Length, digest, 0);
            return Wire.Slice(digest, 0, ProtocolConstants.AeadNonceSize);
        }

        /// <summary>AAD = header (74) || info || Addr || h.</summary>
        internal static byte[] MessageAad(byte[] header, byte[] address, byte[] h)
        {
            byte[] aad = new byte[header.Length + Info.Length + address.Length + h.Length];
            Array.Copy(header, 0, aad, 0, header.Length);
            Array.Copy(Info, 0, aad, header.Length, Info.Length);
            Array.Copy(address, 0, aad, header.Length + Info.Length, address.Length);
            Array.Copy(h, 0, aad, header.Length + Info.Length + address.Length, h.Length);
            return aad;
        }

        /// <summary>"OCKAM-ENROLL-IKB-v1" || EIK_B || h: what IK_B signs inside the enrollment message.</summary>
        internal static byte[] IdentitySigningInput(byte[] enrollmentIdentityPublicKey, int offset, byte[] h)
        {
            byte[] input = new byte[IdentitySigningInputSize];
            Array.Copy(IdentitySignatureLabel, 0, input, 0, IdentitySignatureLabel.Length);
            Array.Copy(enrollmentIdentityPublicKey, offset, input, IdentitySignatureLabel.Length, ProtocolConstants.KeySize);
            Array.Copy(h, 0, input, IdentitySignatureLabel.Length + ProtocolConstants.KeySize, ProtocolConstants.HashSize);
            return input;
        }

        internal static byte[] Ascii(string s)
        {
            byte[] b = new byte[s.Length];
            for (int i = 0; i < s.Length; i++)
            {
                b[i] = (byte)s[i];
            }

            return b;
        }
    }
}
