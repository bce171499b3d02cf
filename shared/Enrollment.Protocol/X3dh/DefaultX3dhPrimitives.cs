using System;

namespace Enrollment.Protocol.X3dh
{
    /// <summary>
    /// <see cref="IX3dhPrimitives"/> over this project's own X25519 and XEdDSA (Enrollment.Protocol.Crypto),
    /// the implementation the device uses. Stateless; share <see cref="Instance"/>.
    /// INTERIM: the curve code lands in parallel; until it is merged these bodies refuse to run.
    /// </summary>
    public sealed class DefaultX3dhPrimitives : IX3dhPrimitives
    {
        /// <summary>The shared instance.</summary>
        public static readonly DefaultX3dhPrimitives Instance = new DefaultX3dhPrimitives();

        /// <inheritdoc />
        public void Dh(byte[] privateKey, int privateKeyOffset, byte[] publicKey, int publicKeyOffset, byte[] output, int outputOffset)
        {
            throw new NotSupportedException("awaiting the Enrollment.Protocol.Crypto merge");
        }

        /// <inheritdoc />
        public void PublicKey(byte[] privateKey, int privateKeyOffset, byte[] output, int outputOffset)
        {
            throw new NotSupportedException("awaiting the Enrollment.Protocol.Crypto merge");
        }

        /// <inheritdoc />
        public void Sign(byte[] privateKey, int privateKeyOffset, byte[] message, int messageOffset, int messageLength, byte[] random, int randomOffset, byte[] signature, int signatureOffset)
        {
            throw new NotSupportedException("awaiting the Enrollment.Protocol.Crypto merge");
        }

        /// <inheritdoc />
        public bool Verify(byte[] publicKey, int publicKeyOffset, byte[] message, int messageOffset, int messageLength, byte[] signature, int signatureOffset)
        {
            throw new NotSupportedException("awaiting the Enrollment.Protocol.Crypto merge");
        }
    }
}
