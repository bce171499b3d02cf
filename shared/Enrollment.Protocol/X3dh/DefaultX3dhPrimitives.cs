using Enrollment.Protocol.Crypto;

namespace Enrollment.Protocol.X3dh
{
    /// <summary>
    /// <see cref="IX3dhPrimitives"/> over this project's own X25519 (RFC 7748) and XEdDSA (Signal XEdDSA
    /// spec) in Enrollment.Protocol.Crypto: the implementation the device uses. Stateless; share
    /// <see cref="Instance"/>.
    /// </summary>
    public sealed class DefaultX3dhPrimitives : IX3dhPrimitives
    {
        /// <summary>The shared instance.</summary>
        public static readonly DefaultX3dhPrimitives Instance = new DefaultX3dhPrimitives();

        /// <inheritdoc />
        public void Dh(byte[] privateKey, int privateKeyOffset, byte[] publicKey, int publicKeyOffset, byte[] output, int outputOffset)
        {
            X25519.ScalarMult(privateKey, privateKeyOffset, publicKey, publicKeyOffset, output, outputOffset);
        }

        /// <inheritdoc />
        public void PublicKey(byte[] privateKey, int privateKeyOffset, byte[] output, int outputOffset)
        {
            X25519.ScalarMultBase(privateKey, privateKeyOffset, output, outputOffset);
        }

        /// <inheritdoc />
        public void Sign(byte[] privateKey, int privateKeyOffset, byte[] message, int messageOffset, int messageLength, byte[] random, int randomOffset, byte[] signature, int signatureOffset)
        {
            XEdDsa.Sign(privateKey, privateKeyOffset, message, messageOffset, messageLength, random, randomOffset, signature, signatureOffset);
        }

        /// <inheritdoc />
        public bool Verify(byte[] publicKey, int publicKeyOffset, byte[] message, int messageOffset, int messageLength, byte[] signature, int signatureOffset)
        {
            return XEdDsa.Verify(publicKey, publicKeyOffset, message, messageOffset, messageLength, signature, signatureOffset);
        }
    }
}
