using System;

namespace Enrollment.Protocol.Crypto
{
    /// <summary>
    /// ChaCha20-Poly1305 AEAD, RFC 8439 section 2.8: 256-bit key, 96-bit nonce, 128-bit tag. The AEAD of OP-0006.
    /// </summary>
    /// <remarks>
    /// Output layout is ciphertext || tag. The instance owns its ChaCha20 and Poly1305 states and small
    /// buffers, so <see cref="Encrypt"/> and <see cref="TryDecrypt"/> never allocate; both wipe the one-time
    /// key and cipher state before returning. Not thread-safe: one instance per caller.
    /// A failed decryption returns false with the output range zeroed and says nothing else: argument
    /// errors throw, authentication failures never do.
    /// </remarks>
    public sealed class ChaCha20Poly1305
    {
        /// <summary>RFC 8439 section 2.8: 256-bit key.</summary>
        public const int KeySize = ChaCha20.KeySize;

        /// <summary>RFC 8439 section 2.8: 96-bit nonce (section 2.8.1 allows only this size).</summary>
        public const int NonceSize = ChaCha20.NonceSize;

        /// <summary>RFC 8439 section 2.8: 128-bit tag.</summary>
        public const int TagSize = Poly1305.TagSize;

        private readonly ChaCha20 _chacha = new ChaCha20();
        private readonly Poly1305 _poly = new Poly1305();
        private readonly byte[] _polyKey = new byte[Poly1305.KeySize];
        private readonly byte[] _lengths = new byte[16];
        private readonly byte[] _tag = new byte[TagSize];

        /// <summary>
        /// Encrypts <paramref name="pLen"/> bytes and writes pLen + 16 bytes (ciphertext || tag) at
        /// <paramref name="oOff"/>. <paramref name="ad"/> may be null when <paramref name="adLen"/> is 0. The
        /// output may start exactly at the plaintext (in place) but must not otherwise overlap it or the AD.
        /// </summary>
        public void Encrypt(byte[] key, int kOff, byte[] nonce, int nOff, byte[]? ad, int adOff, int adLen,
                            byte[] plaintext, int pOff, int pLen, byte[] output, int oOff)
        {
            ArgumentChecks.Fixed(key, kOff, KeySize, "key", "kOff");
            ArgumentChecks.Fixed(nonce, nOff, NonceSize, "nonce", "nOff");
            ArgumentChecks.OptionalRange(ad, adOff, adLen, "ad", "adOff", "adLen");
            ArgumentChecks.Range(plaintext, pOff, pLen, "plaintext", "pOff", "pLen");
            if (pLen > int.MaxValue - TagSize)
            {
                throw new ArgumentOutOfRangeException("pLen", "Plaintext too long for ciphertext || tag.");
            }

            ArgumentChecks.Fixed(output, oOff, pLen + TagSize, "output", "oOff");
            EncryptCore(key, kOff, nonce, nOff, ad, adOff, adLen, plaintext, pOff, pLen, output, oOff);
        }

        /// <summary>
        /// Verifies the tag (the last 16 of <paramref name="iLen"/> bytes) in fixed time, and only then writes
        /// iLen - 16 plaintext bytes at <paramref name="oOff"/>. On failure, including an input shorter than a
        /// tag, the output range is zeroed and the result is false.
        /// </summary>
        public bool TryDecrypt(byte[] key, int kOff, byte[] nonce, int nOff, byte[]? ad, int adOff, int adLen,
                               byte[] input, int iOff, int iLen, byte[] output, int oOff)
        {
            ArgumentChecks.Fixed(key, kOff, KeySize, "key", "kOff");
            ArgumentChecks.Fixed(nonce, nOff, NonceSize, "nonce", "nOff");
            ArgumentChecks.OptionalRange(ad, adOff, adLen, "ad", "adOff", "adLen");
            ArgumentChecks.Range(input, iOff, iLen, "input", "iOff", "iLen");
            int plainLength = iLen < TagSize ? 0 : iLen - TagSize;
            ArgumentChecks.Fixed(output, oOff, plainLength, "output", "oOff");
            if (iLen < TagSize)
            {
                return false;
            }

            return TryDecryptCore(key, kOff, nonce, nOff, ad, adOff, adLen, input, iOff, plainLength, output, oOff);
        }

        /// <summary>Convenience form (allocates): ciphertext || tag. Key and nonce must be exactly 32 and 12 bytes.</summary>
        public static byte[] Seal(byte[] key, byte[] nonce, byte[]? ad, byte[] plaintext)
        {
            RequireExact(key, KeySize, "key");
            RequireExact(nonce, NonceSize, "nonce");
            if (plaintext == null)
            {
                throw new ArgumentNullException("plaintext");
            }

            byte[] output = new byte[plaintext.Length + TagSize];
            new ChaCha20Poly1305().EncryptCore(key, 0, nonce, 0, ad, 0, ad == null ? 0 : ad.Length, plaintext, 0, plaintext.Length, output, 0);
            return output;
        }

        /// <summary>Convenience form (allocates): the plaintext, or null when authentication fails.</summary>
        public static byte[]? Open(byte[] key, byte[] nonce, byte[]? ad, byte[] ciphertextAndTag)
        {
            RequireExact(key, KeySize, "key");
            RequireExact(nonce, NonceSize, "nonce");
            if (ciphertextAndTag == null)
            {
                throw new ArgumentNullException("ciphertextAndTag");
            }

            if (ciphertextAndTag.Length < TagSize)
            {
                return null;
            }

            byte[] output = new byte[ciphertextAndTag.Length - TagSize];
            bool ok = new ChaCha20Poly1305().TryDecryptCore(key, 0, nonce, 0, ad, 0, ad == null ? 0 : ad.Length,
                ciphertextAndTag, 0, output.Length, output, 0);
            return ok ? output : null;
        }

        private static void RequireExact(byte[] buffer, int size, string name)
        {
            if (buffer == null)
            {
                throw new ArgumentNullException(name);
            }

            if (buffer.Length != size)
            {
                throw new ArgumentException("Must be exactly " + size.ToString() + " bytes.", name);
            }
        }

        private void EncryptCore(byte[] key, int kOff, byte[] nonce, int nOff, byte[]? ad, int adOff, int adLen,
                                 byte[] plaintext, int pOff, int pLen, byte[] output, int oOff)
        {
            // Section 2.6: the one-time Poly1305 key is the first 32 bytes of block 0; encryption starts at block 1.
            _chacha.Init(key, kOff, nonce, nOff, 0);
            _chacha.KeyStream(_polyKey, 0, Poly1305.KeySize);
            _chacha.XorKeyStream(plaintext, pOff, output, oOff, pLen);
            _chacha.Clear();

            Authenticate(ad, adOff, adLen, output, oOff, pLen);
            _poly.Final(output, oOff + pLen);
        }

        private bool TryDecryptCore(byte[] key, int kOff, byte[] nonce, int nOff, byte[]? ad, int adOff, int adLen,
                                    byte[] input, int iOff, int cLen, byte[] output, int oOff)
        {
            _chacha.Init(key, kOff, nonce, nOff, 0);
            _chacha.KeyStream(_polyKey, 0, Poly1305.KeySize);

            // Section 2.8 / 4: authenticate the ciphertext first; release no plaintext unless the tag matches.
            Authenticate(ad, adOff, adLen, input, iOff, cLen);
            _poly.Final(_tag, 0);
            bool valid = FixedTime.EqualsCore(_tag, 0, input, iOff + cLen, TagSize);
            Array.Clear(_tag, 0, TagSize);
            if (!valid)
            {
                _chacha.Clear();
                Array.Clear(output, oOff, cLen);
                return false;
            }

            _chacha.XorKeyStream(input, iOff, output, oOff, cLen);
            _chacha.Clear();
            return true;
        }

        /// <summary>Section 2.8: mac_data = AAD || pad16 || ciphertext || pad16 || le64(len AAD) || le64(len ciphertext).</summary>
        private void Authenticate(byte[]? ad, int adOff, int adLen, byte[] ciphertext, int cOff, int cLen)
        {
            _poly.Init(_polyKey, 0);
            Array.Clear(_polyKey, 0, Poly1305.KeySize);
            if (adLen > 0)
            {
                _poly.UpdatePadded(ad!, adOff, adLen);
            }

            _poly.UpdatePadded(ciphertext, cOff, cLen);
            byte[] lengths = _lengths;
            StoreLength(adLen, lengths, 0);
            StoreLength(cLen, lengths, 8);
            _poly.Update(lengths, 0, 16);
        }

        /// <summary>A non-negative int as a 64-bit little-endian number (the upper four bytes are zero).</summary>
        private static void StoreLength(int value, byte[] buffer, int offset)
        {
            buffer[offset] = (byte)value;
            buffer[offset + 1] = (byte)(value >> 8);
            buffer[offset + 2] = (byte)(value >> 16);
            buffer[offset + 3] = (byte)(value >> 24);
            buffer[offset + 4] = 0;
            buffer[offset + 5] = 0;
            buffer[offset + 6] = 0;
            buffer[offset + 7] = 0;
        }
    }
}
