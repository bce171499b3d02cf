using System.Security.Cryptography;
using Enrollment.Protocol.Messages;
using Enrollment.Protocol.X3dh;
using Enrollment.Service.Domain;
using Enrollment.Service.Protocol;

namespace Enrollment.Service.Tests.Support;

/// <summary>An enrollee for tests: EIK_B, and enrollment messages built with the shared enrollee handshake.</summary>
internal sealed class TestEnrollee
{
    public TestEnrollee()
    {
        EikPrivate = RandomNumberGenerator.GetBytes(32);
        EikPublic = Sodium.PublicKey(EikPrivate);
        Id = EnrolleeIdentity.Hash(EikPublic);
        IdText = EnrolleeIdentity.Text(Id);
    }

    public byte[] EikPrivate { get; }

    public byte[] EikPublic { get; }

    public byte[] Id { get; }

    public string IdText { get; }

    public EnrollmentAttempt CreateAttempt(EnrollmentBundle bundle, IX3dhPrimitives? primitives = null, long? nowSeconds = null)
    {
        var status = EnrolleeHandshake.CreateMessage(bundle, EikPrivate, RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32),
            RandomNumberGenerator.GetBytes(64), nowSeconds ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds(), null,
            primitives ?? LibsodiumX3dhPrimitives.Instance, out var attempt);
        Assert.Equal(EnrolleeStatus.Created, status);
        return attempt!;
    }
}

/// <summary>Primitives whose signatures are corrupted: builds a message whose body opens but whose IK_B signature fails.</summary>
internal sealed class CorruptSigningPrimitives : IX3dhPrimitives
{
    private readonly IX3dhPrimitives _inner = LibsodiumX3dhPrimitives.Instance;

    public void Dh(byte[] privateKey, int privateKeyOffset, byte[] publicKey, int publicKeyOffset, byte[] output, int outputOffset) =>
        _inner.Dh(privateKey, privateKeyOffset, publicKey, publicKeyOffset, output, outputOffset);

    public void PublicKey(byte[] privateKey, int privateKeyOffset, byte[] output, int outputOffset) =>
        _inner.PublicKey(privateKey, privateKeyOffset, output, outputOffset);

    public void Sign(byte[] privateKey, int privateKeyOffset, byte[] message, int messageOffset, int messageLength, byte[] random, int randomOffset, byte[] signature, int signatureOffset)
    {
        _inner.Sign(privateKey, privateKeyOffset, message, messageOffset, messageLength, random, randomOffset, signature, signatureOffset);
        signature[signatureOffset + 5] ^= 0x01;
    }

    public bool Verify(byte[] publicKey, int publicKeyOffset, byte[] message, int messageOffset, int messageLength, byte[] signature, int signatureOffset) =>
        _inner.Verify(publicKey, publicKeyOffset, message, messageOffset, messageLength, signature, signatureOffset);
}
