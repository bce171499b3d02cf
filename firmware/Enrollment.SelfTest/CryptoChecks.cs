using Enrollment.Protocol.Crypto;
using Enrollment.Protocol.X3dh;

namespace Enrollment.SelfTest
{
    /// <summary>
    /// A compact set of known answers, one per primitive the enrollment uses, each from its defining
    /// document. The full vector suites (Wycheproof, RFC appendices, libsodium differentials) run on the
    /// host in tests/Enrollment.Crypto.Tests; these prove the device's build of the same code.
    /// </summary>
    internal static class CryptoChecks
    {
        // RFC 8439 section 2.8.2.
        private const string AeadKey = "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f";
        private const string AeadNonce = "070000004041424344454647";
        private const string AeadAad = "50515253c0c1c2c3c4c5c6c7";
        private const string AeadText = "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.";
        private const string AeadSealed =
            "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b"
            + "1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
            + "3ff4def08e4b7a9de576d26586cec64b6116" + "1ae10b594f09e26a7e902ecbd0600691";

        // RFC 7748 section 6.1.
        private const string AlicePrivate = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
        private const string AlicePublic = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
        private const string BobPublic = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";
        private const string Shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";

        // Signal's xeddsa_fast_test (tests/vectors/xeddsa/signal_kats.json): k, a 200-byte zero message,
        // Z = 64 zero bytes.
        private const string XedPrivate = "0000000000000000bd0000000000000000000000000000000000000000000040";
        private const string XedSignature =
            "11c7f3e6c4df9e8a5150e1db3b30f92de3a3b3aa438656545fa7390f4bcc7bb2"
            + "6c431d9e90643e4f0eaa0e9c557766fa69ada576d63dcaf2ac326c11d0b97702";

        public static bool Sha256Abc()
        {
            return Hex.Equal(Sha256.Hash(Hex.Ascii("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        }

        public static bool Sha512Abc()
        {
            return Hex.Equal(Sha512.Hash(Hex.Ascii("abc")),
                "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
                + "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
        }

        public static bool HmacRfc4231Case2()
        {
            return Hex.Equal(HmacSha256.Compute(Hex.Ascii("Jefe"), Hex.Ascii("what do ya want for nothing?")),
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        }

        public static bool HkdfRfc5869A1()
        {
            byte[] ikm = Hex.Decode("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
            byte[] okm = HkdfSha256.DeriveBytes(ikm, Hex.Decode("000102030405060708090a0b0c"), Hex.Decode("f0f1f2f3f4f5f6f7f8f9"), 42);
            return Hex.Equal(okm, "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
        }

        public static bool AeadSeal()
        {
            byte[] sealedBytes = ChaCha20Poly1305.Seal(Hex.Decode(AeadKey), Hex.Decode(AeadNonce), Hex.Decode(AeadAad), Hex.Ascii(AeadText));
            return Hex.Equal(sealedBytes, AeadSealed);
        }

        public static bool AeadOpenAndTamper()
        {
            byte[] key = Hex.Decode(AeadKey);
            byte[] nonce = Hex.Decode(AeadNonce);
            byte[] aad = Hex.Decode(AeadAad);
            byte[] sealedBytes = Hex.Decode(AeadSealed);
            byte[]? opened = ChaCha20Poly1305.Open(key, nonce, aad, sealedBytes);
            sealedBytes[10] ^= 0x01;
            byte[]? tampered = ChaCha20Poly1305.Open(key, nonce, aad, sealedBytes);
            return opened != null && Hex.Equal(opened, Hex.Ascii(AeadText)) && tampered == null;
        }

        public static bool X25519Alice()
        {
            return Hex.Equal(X25519.ScalarMultBase(Hex.Decode(AlicePrivate)), AlicePublic);
        }

        public static bool X25519Shared()
        {
            return Hex.Equal(X25519.ScalarMult(Hex.Decode(AlicePrivate), Hex.Decode(BobPublic)), Shared);
        }

        public static bool XEdDsaSignKat()
        {
            byte[] signature = new byte[64];
            byte[] message = new byte[200];
            DefaultX3dhPrimitives.Instance.Sign(Hex.Decode(XedPrivate), 0, message, 0, message.Length, new byte[64], 0, signature, 0);
            return Hex.Equal(signature, XedSignature);
        }

        /// <summary>
        /// The platform HMAC seam's boot check (CryptoPlatform): it accepts a correct HMAC (here the managed one
        /// behind the seam's interface) and refuses one that is wrong only for all-zero keys, which only its
        /// OP-0006-shaped known answer (zero salt) can see. The ESP32 app runs the same check on the native HMAC.
        /// </summary>
        public static bool PlatformHmacSeam()
        {
            return CryptoPlatform.PassesKnownAnswers(new ManagedHmac(false))
                && !CryptoPlatform.PassesKnownAnswers(new ManagedHmac(true));
        }

        private sealed class ManagedHmac : IPlatformHmacSha256
        {
            private readonly bool _wrongForZeroKeys;

            public ManagedHmac(bool wrongForZeroKeys)
            {
                _wrongForZeroKeys = wrongForZeroKeys;
            }

            public byte[] Compute(byte[] key, byte[] data)
            {
                byte[] mac = HmacSha256.Compute(key, data);
                if (_wrongForZeroKeys && FixedTime.IsZero(key, 0, key.Length))
                {
                    mac[0] ^= 1;
                }

                return mac;
            }
        }

        public static bool XEdDsaVerify()
        {
            IX3dhPrimitives p = DefaultX3dhPrimitives.Instance;
            byte[] publicKey = new byte[32];
            p.PublicKey(Hex.Decode(XedPrivate), 0, publicKey, 0);
            byte[] message = new byte[200];
            byte[] signature = Hex.Decode(XedSignature);
            bool good = p.Verify(publicKey, 0, message, 0, message.Length, signature, 0);
            message[0] = 1;
            bool tampered = p.Verify(publicKey, 0, message, 0, message.Length, signature, 0);
            return good && !tampered;
        }
    }
}
