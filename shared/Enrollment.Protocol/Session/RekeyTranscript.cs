using System;
using Enrollment.Protocol.Crypto;
using Enrollment.Protocol.Messages;
using Enrollment.Protocol.X3dh;

namespace Enrollment.Protocol.Session
{
    /// <summary>
    /// The rekey key schedule of docs/session-protocol.md section 7.3, shared by both roles so that they
    /// cannot drift apart. Everything here runs once per handshake, so it may allocate; every secret
    /// intermediate is zeroed before returning unless <see cref="KeepSecretsForVectors"/> is set by the
    /// golden-vector generator.
    /// </summary>
    internal sealed class RekeyTranscript
    {
        internal const int IkmSize = KeySchedule.FSize + 3 * ProtocolConstants.KeySize;

        internal bool KeepSecretsForVectors = false; // set only by the vector generator in tests
        internal byte[]? H1;
        internal byte[]? H2;
        internal byte[]? Dh1;
        internal byte[]? Dh2;
        internal byte[]? Dh3;
        internal byte[]? Ikm;
        internal byte[]? Rk;
        internal byte[]? ConfirmServiceKey;
        internal byte[]? ConfirmDeviceKey;
        internal byte[]? Up;
        internal byte[]? Down;

        /// <summary>
        /// The host's native symmetric primitives (the cloud: libsodium), taken from the handshake's
        /// <see cref="IX3dhPrimitives"/> when it implements them; null on the device, which runs this project's own.
        /// </summary>
        internal IX3dhSymmetricPrimitives? Symmetric;

        /// <summary>h1 = SHA-256(L_RK || IK_A || IK_B || D || device id || init).</summary>
        internal void HashInit(byte[] serviceIdentity, byte[] deviceIdentity, string deviceId, byte[] init, int initOffset)
        {
            byte[] id = ChannelFrame.NewAad(deviceId);
            int idLength = id.Length - SessionConstants.FrameHeaderSize;
            int labelLength = SessionConstants.RekeyLabel.Length;
            byte[] input = new byte[labelLength + (2 * ProtocolConstants.KeySize) + idLength + SessionConstants.RekeyInitSize];
            Array.Copy(SessionConstants.RekeyLabel, 0, input, 0, labelLength);
            Array.Copy(serviceIdentity, 0, input, labelLength, ProtocolConstants.KeySize);
            Array.Copy(deviceIdentity, 0, input, labelLength + ProtocolConstants.KeySize, ProtocolConstants.KeySize);
            Array.Copy(id, SessionConstants.FrameHeaderSize, input, labelLength + (2 * ProtocolConstants.KeySize), idLength);
            Array.Copy(init, initOffset, input, input.Length - SessionConstants.RekeyInitSize, SessionConstants.RekeyInitSize);
            H1 = new byte[ProtocolConstants.HashSize];
            CryptoBinding.Sha256(Symmetric, input, 0, input.Length, H1, 0);
        }

        /// <summary>h2 = SHA-256(h1 || response[0..38)): everything in the response except its tag.</summary>
        internal void HashResponse(byte[] response, int offset)
        {
            int headLength = SessionConstants.RekeyResponseSize - SessionConstants.TagSize;
            byte[] input = new byte[ProtocolConstants.HashSize + headLength];
            Array.Copy(H1!, 0, input, 0, ProtocolConstants.HashSize);
            Array.Copy(response, offset, input, ProtocolConstants.HashSize, headLength);
            H2 = new byte[ProtocolConstants.HashSize];
            CryptoBinding.Sha256(Symmetric, input, 0, input.Length, H2, 0);
        }

        /// <summary>
        /// IKM = F || DH1 || DH2 || DH3; RK = HKDF(salt 0^32, IKM, info = L_RK || h2, 32); then K_up, K_down,
        /// K_cs, K_cd = HKDF-Expand(RK, label, 32). False when a DH output is zero (nothing is derived).
        /// </summary>
        internal bool Derive(byte[] dh1, byte[] dh2, byte[] dh3)
        {
            if (FixedTime.IsZero(dh1, 0, 32) || FixedTime.IsZero(dh2, 0, 32) || FixedTime.IsZero(dh3, 0, 32))
            {
                return false;
            }

            byte[] ikm = new byte[IkmSize];
            for (int i = 0; i < KeySchedule.FSize; i++)
            {
                ikm[i] = 0xFF;
            }

            Array.Copy(dh1, 0, ikm, 32, 32);
            Array.Copy(dh2, 0, ikm, 64, 32);
            Array.Copy(dh3, 0, ikm, 96, 32);
            byte[] info = new byte[SessionConstants.RekeyLabel.Length + ProtocolConstants.HashSize];
            Array.Copy(SessionConstants.RekeyLabel, 0, info, 0, SessionConstants.RekeyLabel.Length);
            Array.Copy(H2!, 0, info, SessionConstants.RekeyLabel.Length, ProtocolConstants.HashSize);
            byte[] rk = new byte[ProtocolConstants.AeadKeySize];
            CryptoBinding.Hkdf(Symmetric, KeySchedule.Salt, ikm, 0, IkmSize, info, rk, 0, rk.Length);
            Up = KeySchedule.Expand(Symmetric, rk, SessionConstants.UpLabel);
            Down = KeySchedule.Expand(Symmetric, rk, SessionConstants.DownLabel);
            ConfirmServiceKey = KeySchedule.Expand(Symmetric, rk, SessionConstants.ConfirmServiceLabel);
            ConfirmDeviceKey = KeySchedule.Expand(Symmetric, rk, SessionConstants.ConfirmDeviceLabel);
            if (KeepSecretsForVectors)
            {
                Dh1 = ChannelFrame.Copy(dh1);
                Dh2 = ChannelFrame.Copy(dh2);
                Dh3 = ChannelFrame.Copy(dh3);
                Ikm = ikm;
                Rk = rk;
            }
            else
            {
                FixedTime.Zero(ikm);
                FixedTime.Zero(rk);
            }

            return true;
        }

        /// <summary>tag_s = ChaCha20-Poly1305(K_cs, 0^12, AAD = h2, empty plaintext): 16 bytes.</summary>
        internal void ServiceTag(byte[] output, int offset)
        {
            Tag(ConfirmServiceKey!, H2!, output, offset);
        }

        /// <summary>tag_d = ChaCha20-Poly1305(K_cd, 0^12, AAD = h2 || confirm[0..6), empty plaintext): 16 bytes.</summary>
        internal void DeviceTag(byte[] confirmHeader, int headerOffset, byte[] output, int offset)
        {
            byte[] aad = new byte[ProtocolConstants.HashSize + 6];
            Array.Copy(H2!, 0, aad, 0, ProtocolConstants.HashSize);
            Array.Copy(confirmHeader, headerOffset, aad, ProtocolConstants.HashSize, 6);
            Tag(ConfirmDeviceKey!, aad, output, offset);
        }

        /// <summary>The epoch's keys; the confirmation keys are zeroed (each served exactly one tag).</summary>
        internal EpochKeys TakeKeys(uint epoch)
        {
            EpochKeys keys = new EpochKeys(epoch, ChannelFrame.Copy(Up!), ChannelFrame.Copy(Down!));
            if (!KeepSecretsForVectors)
            {
                Clear();
            }

            return keys;
        }

        internal void Clear()
        {
            CryptoBinding.Zero(Up);
            CryptoBinding.Zero(Down);
            CryptoBinding.Zero(ConfirmServiceKey);
            CryptoBinding.Zero(ConfirmDeviceKey);
        }

        private void Tag(byte[] key, byte[] aad, byte[] output, int offset)
        {
            // An AEAD over an empty plaintext is a MAC of the AAD (RFC 8439 section 2.8); the nonce may be
            // zero because each confirmation key is derived for one handshake and seals exactly once.
            byte[] nonce = new byte[ProtocolConstants.AeadNonceSize];
            CryptoBinding.Seal(Symmetric, key, nonce, aad, 0, aad.Length, aad, 0, 0, output, offset);
        }
    }
}
