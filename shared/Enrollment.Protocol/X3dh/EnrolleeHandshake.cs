using System;
using Enrollment.Protocol.Messages;

namespace Enrollment.Protocol.X3dh
{
    /// <summary>
    /// The enrollee side of enrollment (docs/protocol.md "Enrollee procedure"): pure functions, no I/O, no
    /// clock, no randomness of their own: the caller supplies keys, 64 random bytes and the current time.
    /// </summary>
    public static class EnrolleeHandshake
    {
        /// <summary>
        /// Builds the enrollment message for a bundle. In order: pinned IK_A (if given), expiry, SPK signature
        /// (X3DH section 3.3), then DH1 = DH(EIK_B, SPK_A), DH2 = DH(EK_B, IK_A), DH3 = DH(EK_B, SPK_A),
        /// DH4 = DH(EK_B, OPK_A), SK, and the AEAD body IK_B || XEdDSA(IK_B, label || EIK_B || h).
        /// </summary>
        /// <param name="bundle">The bundle from the enroller.</param>
        /// <param name="enrollmentIdentityPrivateKey">EIK_B private (32 bytes).</param>
        /// <param name="ephemeralPrivateKey">EK_B private (32 bytes): fresh for this attempt, never used again.</param>
        /// <param name="identityPrivateKey">IK_B private (32 bytes): the long-term identity being enrolled.</param>
        /// <param name="signatureRandom">64 fresh random bytes for the XEdDSA signature.</param>
        /// <param name="nowUnixSeconds">Current time, Unix seconds UTC.</param>
        /// <param name="pinnedServiceKey">Optional trust anchor: the IK_A the firmware was configured with, or null.</param>
        /// <param name="primitives">X25519 and XEdDSA implementation.</param>
        /// <param name="attempt">The message and the state to read the answer, when the status is Created.</param>
        public static EnrolleeStatus CreateMessage(EnrollmentBundle bundle, byte[] enrollmentIdentityPrivateKey, byte[] ephemeralPrivateKey, byte[] identityPrivateKey, byte[] signatureRandom, long nowUnixSeconds, byte[]? pinnedServiceKey, IX3dhPrimitives primitives, out EnrollmentAttempt? attempt)
        {
            return CreateMessage(bundle, enrollmentIdentityPrivateKey, ephemeralPrivateKey, identityPrivateKey, signatureRandom, nowUnixSeconds, pinnedServiceKey, primitives, new X3dhTranscript(), out attempt);
        }

        /// <summary>As the full overload, with <see cref="DefaultX3dhPrimitives"/>.</summary>
        public static EnrolleeStatus CreateMessage(EnrollmentBundle bundle, byte[] enrollmentIdentityPrivateKey, byte[] ephemeralPrivateKey, byte[] identityPrivateKey, byte[] signatureRandom, long nowUnixSeconds, byte[]? pinnedServiceKey, out EnrollmentAttempt? attempt)
        {
            return CreateMessage(bundle, enrollmentIdentityPrivateKey, ephemeralPrivateKey, identityPrivateKey, signatureRandom, nowUnixSeconds, pinnedServiceKey, DefaultX3dhPrimitives.Instance, out attempt);
        }

        /// <summary>The core, filling <paramref name="t"/> so the golden-vector generator can print the intermediates.</summary>
        internal static EnrolleeStatus CreateMessage(EnrollmentBundle bundle, byte[] enrollmentIdentityPrivateKey, byte[] ephemeralPrivateKey, byte[] identityPrivateKey, byte[] signatureRandom, long nowUnixSeconds, byte[]? pinnedServiceKey, IX3dhPrimitives primitives, X3dhTranscript t, out EnrollmentAttempt? attempt)
        {
            attempt = null;
            if (bundle == null)
            {
                throw new ArgumentNullException(nameof(bundle));
            }

            if (primitives == null)
            {
                throw new ArgumentNullException(nameof(primitives));
            }

            Wire.CheckLength(enrollmentIdentityPrivateKey, ProtocolConstants.KeySize, nameof(enrollmentIdentityPrivateKey));
            Wire.CheckLength(ephemeralPrivateKey, ProtocolConstants.KeySize, nameof(ephemeralPrivateKey));
            Wire.CheckLength(identityPrivateKey, ProtocolConstants.KeySize, nameof(identityPrivateKey));
            Wire.CheckLength(signatureRandom, ProtocolConstants.SignatureRandomSize, nameof(signatureRandom));
            if (pinnedServiceKey != null)
            {
                Wire.CheckLength(pinnedServiceKey, ProtocolConstants.KeySize, nameof(pinnedServiceKey));
                if (!CryptoBinding.FixedEquals(pinnedServiceKey, 0, bundle.IdentityKey, 0, ProtocolConstants.KeySize))
                {
                    return EnrolleeStatus.UntrustedServiceKey;
                }
            }

            if (nowUnixSeconds >= bundle.ExpiresAt || nowUnixSeconds >= bundle.SignedPreKeyExpiresAt)
            {
                return EnrolleeStatus.Expired;
            }

            byte[] spkInput = EnrollmentBundle.BuildSpkSigningInput(bundle.SignedPreKeyId, bundle.SignedPreKey, bundle.SignedPreKeyExpiresAt);
            if (!primitives.Verify(bundle.IdentityKey, 0, spkInput, 0, spkInput.Length, bundle.SignedPreKeySignature, 0))
            {
                return EnrolleeStatus.BadSignedPreKeySignature;
            }

            byte[] eikPublic = new byte[ProtocolConstants.KeySize];
            byte[] ekPublic = new byte[ProtocolConstants.KeySize];
            byte[] ikPublic = new byte[ProtocolConstants.KeySize];
            primitives.PublicKey(enrollmentIdentityPrivateKey, 0, eikPublic, 0);
            primitives.PublicKey(ephemeralPrivateKey, 0, ekPublic, 0);
            primitives.PublicKey(identityPrivateKey, 0, ikPublic, 0);

            // X3DH section 3.3 with OP-0006's roles: B (the enrollee) is the initiator.
            bool ok = t.SetDh(1, primitives, enrollmentIdentityPrivateKey, bundle.SignedPreKey);
            ok &= t.SetDh(2, primitives, ephemeralPrivateKey, bundle.IdentityKey);
            ok &= t.SetDh(3, primitives, ephemeralPrivateKey, bundle.SignedPreKey);
            ok &= t.SetDh(4, primitives, ephemeralPrivateKey, bundle.OneTimePreKey);
            if (!ok)
            {
                t.ClearSecretsButSk();
                return EnrolleeStatus.InvalidKey;
            }

            byte[] enrolleeId = EnrolleeId.Compute(eikPublic);
            byte[] message = new byte[EnrollmentMessage.Size];
            MessageHeader.Write(message, 0, MessageType.Enrollment);
            Array.Copy(ekPublic, 0, message, 2, ProtocolConstants.KeySize);
            Array.Copy(enrolleeId, 0, message, 34, ProtocolConstants.HashSize);
            Wire.WriteUInt32(message, 66, bundle.SignedPreKeyId);
            Wire.WriteUInt32(message, 70, bundle.OneTimePreKeyId);
            t.Derive(Wire.Slice(message, 0, EnrollmentMessage.HeaderSize), bundle.Address.Encode(), ekPublic);

            byte[] body = new byte[EnrollmentMessage.BodySize];
            Array.Copy(ikPublic, 0, body, 0, ProtocolConstants.KeySize);
            byte[] signingInput = KeySchedule.IdentitySigningInput(eikPublic, 0, t.H!);
            primitives.Sign(identityPrivateKey, 0, signingInput, 0, signingInput.Length, signatureRandom, 0, body, ProtocolConstants.KeySize);
            CryptoBinding.Seal(t.MessageKey!, t.Nonce!, t.Aad!, 0, t.Aad!.Length, body, 0, body.Length, message, EnrollmentMessage.HeaderSize);
            t.ClearSecretsButSk();
            attempt = new EnrollmentAttempt(message, ekPublic, ikPublic, enrolleeId, t.Sk!);
            return EnrolleeStatus.Created;
        }

        /// <summary>
        /// Reads a sealed result for the attempt with EK_B <paramref name="ephemeralPublicKey"/> and SK
        /// <paramref name="sharedSecret"/>. Only <see cref="ResultStatus.Opened"/> sets the outcome; any other
        /// status means "ignore this message and keep waiting" (docs/protocol.md "Enrollee procedure").
        /// </summary>
        public static ResultStatus OpenResult(byte[] sharedSecret, byte[] ephemeralPublicKey, byte[] buffer, int offset, int count, out EnrollmentOutcome? outcome)
        {
            Wire.CheckLength(sharedSecret, ProtocolConstants.AeadKeySize, nameof(sharedSecret));
            Wire.CheckLength(ephemeralPublicKey, ProtocolConstants.KeySize, nameof(ephemeralPublicKey));
            Wire.CheckRange(buffer, offset, count);
            outcome = null;
            if (!EnrollmentResult.TryDecode(buffer, offset, count, out EnrollmentResult? result))
            {
                return ResultStatus.Malformed;
            }

            // EK_B is public; an ordinary comparison is fine here.
            for (int i = 0; i < ProtocolConstants.KeySize; i++)
            {
                if (result.EphemeralKey[i] != ephemeralPublicKey[i])
                {
                    return ResultStatus.OtherAttempt;
                }
            }

            byte[] key = KeySchedule.Expand(sharedSecret, KeySchedule.ResultKeyLabel);
            byte[] plaintext = new byte[result.Ciphertext.Length - ProtocolConstants.AeadTagSize];
            bool opened = CryptoBinding.Open(key, result.Nonce, buffer, offset, EnrollmentResult.HeaderSize, result.Ciphertext, 0, result.Ciphertext.Length, plaintext, 0);
            CryptoBinding.Zero(key);
            bool decoded = opened && EnrollmentOutcome.TryDecode(plaintext, 0, plaintext.Length, out outcome);
            CryptoBinding.Zero(plaintext);
            return decoded ? ResultStatus.Opened : ResultStatus.AuthenticationFailed;
        }
    }
}
