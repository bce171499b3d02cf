using System;
using Enrollment.Protocol.Messages;

namespace Enrollment.Protocol.X3dh
{
    /// <summary>
    /// The intermediate values of one X3DH run (docs/protocol.md "Key schedule"), shared by both sides so
    /// they cannot drift apart, and kept so the golden-vector generator can print every one of them.
    /// </summary>
    internal sealed class X3dhTranscript
    {
        /// <summary>IKM = F (32 x 0xFF) || DH1 || DH2 || DH3 || DH4.</summary>
        internal readonly byte[] Ikm = new byte[KeySchedule.IkmSize];

        internal byte[]? Sk;

        internal byte[]? H;

        internal byte[]? Header;

        internal byte[]? Aad;

        internal byte[]? Nonce;

        internal byte[]? MessageKey;

        /// <summary>The host's symmetric primitives, or null for this project's own (the device).</summary>
        internal IX3dhSymmetricPrimitives? Symmetric;

        /// <summary>Keeps IKM and the message key after the run, for the golden-vector generator only.</summary>
        internal bool KeepSecretsForVectors = false; // set only by the vector generator in tests

        internal X3dhTranscript()
        {
            for (int i = 0; i < KeySchedule.FSize; i++)
            {
                Ikm[i] = 0xFF;
            }
        }

        /// <summary>DHn (n = 1..4) = X25519(privateKey, publicKey) into IKM; false if the output is all zero.</summary>
        internal bool SetDh(int n, IX3dhPrimitives primitives, byte[] privateKey, byte[] publicKey)
        {
            int at = KeySchedule.FSize + ((n - 1) * ProtocolConstants.KeySize);
            primitives.Dh(privateKey, 0, publicKey, 0, Ikm, at);

            // An all-zero output means a low-order public key (RFC 7748 section 6.1); checked in fixed time.
            return !CryptoBinding.IsZero(Ikm, at, ProtocolConstants.KeySize);
        }

        /// <summary>A copy of DHn, for vectors and tests.</summary>
        internal byte[] Dh(int n)
        {
            return Wire.Slice(Ikm, KeySchedule.FSize + ((n - 1) * ProtocolConstants.KeySize), ProtocolConstants.KeySize);
        }

        /// <summary>From IKM, the header and Addr: SK, h, AAD, the message key and the message nonce.</summary>
        internal void Derive(byte[] header, byte[] address, byte[] ephemeralPublicKey)
        {
            Sk = KeySchedule.DeriveSk(Symmetric, Ikm);
            H = KeySchedule.TranscriptHash(Symmetric, Ikm);
            Header = header;
            Aad = KeySchedule.MessageAad(header, address, H);
            MessageKey = KeySchedule.Expand(Symmetric, Sk, KeySchedule.MessageKeyLabel);
            Nonce = KeySchedule.MessageNonce(Symmetric, ephemeralPublicKey);
        }

        /// <summary>Zeroes the secrets this transcript holds except SK, which the caller hands on.</summary>
        internal void ClearSecretsButSk()
        {
            if (KeepSecretsForVectors)
            {
                return;
            }

            CryptoBinding.Zero(Ikm);
            CryptoBinding.Zero(MessageKey);
        }
    }
}
