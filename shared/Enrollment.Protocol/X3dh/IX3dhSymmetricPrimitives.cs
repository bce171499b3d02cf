namespace Enrollment.Protocol.X3dh
{
    /// <summary>
    /// The symmetric half of the enrollment flows and of the channel: SHA-256 (FIPS 180-4), HKDF-SHA256
    /// (RFC 5869) and ChaCha20-Poly1305 (RFC 8439), for a host that has faster native code (the cloud uses
    /// libsodium). An <see cref="IX3dhPrimitives"/> implementation may also implement this interface; the
    /// enrollment and rekey flows then use it for hashing, key derivation and the AEAD, and otherwise this
    /// project's own implementations (the device's). Channel senders and receivers take it directly. A separate, optional interface so that existing <see cref="IX3dhPrimitives"/>
    /// implementations stay valid. Byte arrays with offset and count, as everywhere on the device.
    /// </summary>
    public interface IX3dhSymmetricPrimitives
    {
        /// <summary>SHA-256(data[offset..+count]) into output[outputOffset..+32].</summary>
        void Sha256(byte[] data, int offset, int count, byte[] output, int outputOffset);

        /// <summary>HKDF-Extract (RFC 5869 section 2.2): PRK = HMAC-SHA256(salt, IKM), 32 bytes into prk[prkOffset..].</summary>
        void HkdfExtract(byte[] salt, int saltOffset, int saltCount, byte[] ikm, int ikmOffset, int ikmCount, byte[] prk, int prkOffset);

        /// <summary>HKDF-Expand (RFC 5869 section 2.3) of a 32-byte PRK: <paramref name="length"/> bytes (at most 8160) into output.</summary>
        void HkdfExpand(byte[] prk, int prkOffset, byte[] info, int infoOffset, int infoCount, byte[] output, int outputOffset, int length);

        /// <summary>ChaCha20-Poly1305 encryption (RFC 8439 section 2.8): ciphertext || 16-byte tag into output[oOffset..].</summary>
        void Seal(byte[] key, byte[] nonce, byte[] ad, int adOffset, int adLength, byte[] plaintext, int pOffset, int pLength, byte[] output, int oOffset);

        /// <summary>ChaCha20-Poly1305 decryption of ciphertext || tag; false (output zeroed) when the tag does not verify.</summary>
        bool Open(byte[] key, byte[] nonce, byte[] ad, int adOffset, int adLength, byte[] input, int iOffset, int iLength, byte[] output, int oOffset);
    }
}
