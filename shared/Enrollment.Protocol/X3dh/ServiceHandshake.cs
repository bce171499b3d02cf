using System;
using Enrollment.Protocol.Messages;

namespace Enrollment.Protocol.X3dh
{
    /// <summary>
    /// The service side of enrollment (docs/protocol.md "Service procedure"). Parsing is
    /// <see cref="EnrollmentMessage.TryDecode"/> (no public-key work); the caller runs its cheap checks on
    /// the header (EK_B seen? enrollee id pending? expired? OPK bound to it and unused?) and looks up the
    /// private keys by the header's ids, and only then calls <see cref="Open(EnrollmentMessage, byte[], byte[], byte[], byte[], byte[], IX3dhPrimitives, out EnrolledIdentity)"/>.
    /// </summary>
    public static class ServiceHandshake
    {
        /// <summary>
        /// Runs the X3DH responder: DH1 = DH(SPK_A, EIK_B), DH2 = DH(IK_A, EK_B), DH3 = DH(SPK_A, EK_B),
        /// DH4 = DH(OPK_A, EK_B); SK; opens the body; verifies IK_B's signature over label || EIK_B || h.
        /// </summary>
        /// <param name="message">The decoded enrollment message.</param>
        /// <param name="identityPrivateKey">IK_A private.</param>
        /// <param name="signedPreKeyPrivateKey">Private key of the SPK_A named by the header's SPK id.</param>
        /// <param name="oneTimePreKeyPrivateKey">Private key of the OPK_A named by the header's OPK id.</param>
        /// <param name="expectedEnrollmentIdentityKey">EIK_B public, as registered by the enroller for this enrollee id.</param>
        /// <param name="serviceAddress">Addr: the encoded service address of the bundle the enrollee used.</param>
        /// <param name="primitives">X25519 and XEdDSA implementation.</param>
        /// <param name="identity">IK_B and SK, when the status is Opened.</param>
        public static OpenStatus Open(EnrollmentMessage message, byte[] identityPrivateKey, byte[] signedPreKeyPrivateKey, byte[] oneTimePreKeyPrivateKey, byte[] expectedEnrollmentIdentityKey, byte[] serviceAddress, IX3dhPrimitives primitives, out EnrolledIdentity? identity)
        {
            return Open(message, identityPrivateKey, signedPreKeyPrivateKey, oneTimePreKeyPrivateKey, expectedEnrollmentIdentityKey, serviceAddress, primitives, new X3dhTranscript(), out identity);
        }

        /// <summary>As the full overload, with <see cref="DefaultX3dhPrimitives"/>.</summary>
        public static OpenStatus Open(EnrollmentMessage message, byte[] identityPrivateKey, byte[] signedPreKeyPrivateKey, byte[] oneTimePreKeyPrivateKey, byte[] expectedEnrollmentIdentityKey, byte[] serviceAddress, out EnrolledIdentity? identity)
        {
            return Open(message, identityPrivateKey, signedPreKeyPrivateKey, oneTimePreKeyPrivateKey, expectedEnrollmentIdentityKey, serviceAddress, DefaultX3dhPrimitives.Instance, out identity);
        }

        /// <summary>The core, filling <paramref name="t"/> for the golden-vector checks.</summary>
        internal static OpenStatus Open(EnrollmentMessage message, byte[] identityPrivateKey, byte[] signedPreKeyPrivateKey, byte[] oneTimePreKeyPrivateKey, byte[] expectedEnrollmentIdentityKey, byte[] serviceAddress, IX3dhPrimitives primitives, X3dhTranscript t, out EnrolledIdentity? identity)
        {
            identity = null;
            if (message == null)
            {
                throw new ArgumentNullException(nameof(message));
            }

            if (primitives == null)
            {
                throw new ArgumentNullException(nameof(primitives));
            }

            if (serviceAddress == null)
            {
                throw new ArgumentNullException(nameof(serviceAddress));
            }

            Wire.CheckLength(identityPrivateKey, ProtocolConstants.KeySize, nameof(identityPrivateKey));
            Wire.CheckLength(signedPreKeyPrivateKey, ProtocolConstants.KeySize, nameof(signedPreKeyPrivateKey));
            Wire.CheckLength(oneTimePreKeyPrivateKey, ProtocolConstants.KeySize, nameof(oneTimePreKeyPrivateKey));
            Wire.CheckLength(expectedEnrollmentIdentityKey, ProtocolConstants.KeySize, nameof(expectedEnrollmentIdentityKey));

            byte[] expectedId = EnrolleeId.Compute(expectedEnrollmentIdentityKey);
            if (!CryptoBinding.FixedEquals(expectedId, 0, message.EnrolleeId, 0, EnrolleeId.Size))
            {
                return OpenStatus.IdentityMismatch;
            }

            // A host's primitives may bring the symmetric half too (the cloud: libsodium); the device's do not.
            t.Symmetric = primitives as IX3dhSymmetricPrimitives;
            byte[] ek = message.EphemeralKey;
            bool ok = t.SetDh(1, primitives, signedPreKeyPrivateKey, expectedEnrollmentIdentityKey);
            ok &= t.SetDh(2, primitives, identityPrivateKey, ek);
            ok &= t.SetDh(3, primitives, signedPreKeyPrivateKey, ek);
            ok &= t.SetDh(4, primitives, oneTimePreKeyPrivateKey, ek);
            if (!ok)
            {
                t.ClearSecretsButSk();
                return OpenStatus.InvalidKey;
            }

            byte[] header = new byte[EnrollmentMessage.HeaderSize];
            message.WriteHeader(header, 0);
            t.Derive(header, serviceAddress, ek);
            byte[] body = new byte[EnrollmentMessage.BodySize];
            bool opened = CryptoBinding.Open(t.Symmetric, t.MessageKey!, t.Nonce!, t.Aad!, 0, t.Aad!.Length, message.Ciphertext, 0, EnrollmentMessage.CiphertextSize, body, 0);
            t.ClearSecretsButSk();
            if (!opened)
            {
                CryptoBinding.Zero(t.Sk);
                return OpenStatus.DecryptionFailed;
            }

            byte[] signingInput = KeySchedule.IdentitySigningInput(expectedEnrollmentIdentityKey, 0, t.H!);
            if (!primitives.Verify(body, 0, signingInput, 0, signingInput.Length, body, ProtocolConstants.KeySize))
            {
                CryptoBinding.Zero(t.Sk);
                return OpenStatus.BadSignature;
            }

            identity = new EnrolledIdentity(Wire.Slice(body, 0, ProtocolConstants.KeySize), t.Sk!);
            return OpenStatus.Opened;
        }

        /// <summary>
        /// The SPK signature of a bundle (docs/protocol.md section 6): XEdDSA by IK_A over
        /// "OCKAM-ENROLL-SPK-v1" || SPK id || SPK_A || SPK expiry, with 64 fresh random bytes.
        /// </summary>
        public static byte[] SignPreKey(byte[] identityPrivateKey, uint signedPreKeyId, byte[] signedPreKey, long signedPreKeyExpiresAt, byte[] signatureRandom, IX3dhPrimitives primitives)
        {
            Wire.CheckLength(identityPrivateKey, ProtocolConstants.KeySize, nameof(identityPrivateKey));
            Wire.CheckLength(signatureRandom, ProtocolConstants.SignatureRandomSize, nameof(signatureRandom));
            if (primitives == null)
            {
                throw new ArgumentNullException(nameof(primitives));
            }

            byte[] input = EnrollmentBundle.BuildSpkSigningInput(signedPreKeyId, signedPreKey, signedPreKeyExpiresAt);
            byte[] signature = new byte[ProtocolConstants.SignatureSize];
            primitives.Sign(identityPrivateKey, 0, input, 0, input.Length, signatureRandom, 0, signature, 0);
            return signature;
        }

        /// <summary>As the full overload, with <see cref="DefaultX3dhPrimitives"/>.</summary>
        public static byte[] SignPreKey(byte[] identityPrivateKey, uint signedPreKeyId, byte[] signedPreKey, long signedPreKeyExpiresAt, byte[] signatureRandom)
        {
            return SignPreKey(identityPrivateKey, signedPreKeyId, signedPreKey, signedPreKeyExpiresAt, signatureRandom, DefaultX3dhPrimitives.Instance);
        }

        /// <summary>
        /// Seals an outcome for the attempt with EK_B <paramref name="ephemeralPublicKey"/>:
        /// K_result = HKDF-Expand(SK, "Ockam Enrollment v1 result key", 32), AAD = the 46-byte result header.
        /// <paramref name="nonce"/> must be 12 fresh random bytes for every sealing (a redelivered message may
        /// be answered twice under the same SK; a random nonce keeps the two sealings independent).
        /// </summary>
        public static byte[] SealResult(byte[] sharedSecret, byte[] ephemeralPublicKey, EnrollmentOutcome outcome, byte[] nonce)
        {
            return SealResult(sharedSecret, ephemeralPublicKey, outcome, nonce, null);
        }

        /// <summary>As the overload without primitives, with the symmetric half of <paramref name="primitives"/> when it has one.</summary>
        public static byte[] SealResult(byte[] sharedSecret, byte[] ephemeralPublicKey, EnrollmentOutcome outcome, byte[] nonce, IX3dhPrimitives? primitives)
        {
            IX3dhSymmetricPrimitives? s = primitives as IX3dhSymmetricPrimitives;
            Wire.CheckLength(sharedSecret, ProtocolConstants.AeadKeySize, nameof(sharedSecret));
            Wire.CheckLength(ephemeralPublicKey, ProtocolConstants.KeySize, nameof(ephemeralPublicKey));
            Wire.CheckLength(nonce, ProtocolConstants.AeadNonceSize, nameof(nonce));
            if (outcome == null)
            {
                throw new ArgumentNullException(nameof(outcome));
            }

            byte[] plaintext = outcome.Encode();
            byte[] output = new byte[EnrollmentResult.HeaderSize + plaintext.Length + ProtocolConstants.AeadTagSize];
            MessageHeader.Write(output, 0, MessageType.Result);
            Array.Copy(ephemeralPublicKey, 0, output, 2, ProtocolConstants.KeySize);
            Array.Copy(nonce, 0, output, 34, ProtocolConstants.AeadNonceSize);
            byte[] key = KeySchedule.Expand(s, sharedSecret, KeySchedule.ResultKeyLabel);
            CryptoBinding.Seal(s, key, nonce, output, 0, EnrollmentResult.HeaderSize, plaintext, 0, plaintext.Length, output, EnrollmentResult.HeaderSize);
            CryptoBinding.Zero(key);
            CryptoBinding.Zero(plaintext);
            return output;
        }
    }
}
