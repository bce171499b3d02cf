using System.Security.Cryptography;
using System.Text;
using Enrollment.Protocol.Messages;
using Enrollment.Protocol.X3dh;

namespace Enrollment.Protocol.Tests.X3dh;

/// <summary>
/// A complete set of keys and random inputs for one enrollment, derived deterministically from a seed
/// (SHA-256 of "seed/name"), so tests and the golden vector are reproducible. The service half signs SPK_A
/// with our XEdDSA and issues a bundle exactly as the cloud would.
/// </summary>
internal sealed class Scenario
{
    public const long BundleExpiresAt = 1_800_000_000;   // 2027-01-15T08:00:00Z
    public const long SpkExpiresAt = 1_800_600_000;
    public const long Now = 1_799_990_000;
    public const uint SpkId = 0x00000102;
    public const uint OpkId = 0x0A0B0C0D;

    public Scenario(string seed)
    {
        Seed = seed;
        IkAPrivate = Derive("IK_A");
        SpkAPrivate = Derive("SPK_A");
        OpkAPrivate = Derive("OPK_A");
        EikBPrivate = Derive("EIK_B");
        EkBPrivate = Derive("EK_B");
        IkBPrivate = Derive("IK_B");
        SpkSignatureRandom = Derive("SPK signature Z", 64);
        IkBSignatureRandom = Derive("IK_B signature Z", 64);
        ResultNonce = Derive("result nonce", 12);
        BundleId = Derive("bundle id", 16);
        CaHash = Derive("CA certificate", 32);
        Address = new ServiceAddress("broker.example.com", 8883, true, CaKind.Sha256, CaHash, ServiceAddress.DefaultRequestTopic, ServiceAddress.DefaultResultTopicPrefix);
        var p = DefaultX3dhPrimitives.Instance;
        IkAPublic = Public(IkAPrivate);
        SpkAPublic = Public(SpkAPrivate);
        OpkAPublic = Public(OpkAPrivate);
        EikBPublic = Public(EikBPrivate);
        SpkSigningInput = EnrollmentBundle.BuildSpkSigningInput(SpkId, SpkAPublic, SpkExpiresAt);
        SpkSignature = new byte[64];
        p.Sign(IkAPrivate, 0, SpkSigningInput, 0, SpkSigningInput.Length, SpkSignatureRandom, 0, SpkSignature, 0);
        Bundle = new EnrollmentBundle(BundleId, BundleExpiresAt, IkAPublic, SpkId, SpkExpiresAt, SpkAPublic, SpkSignature, OpkId, OpkAPublic, Address);
    }

    public string Seed { get; }
    public byte[] IkAPrivate { get; }
    public byte[] SpkAPrivate { get; }
    public byte[] OpkAPrivate { get; }
    public byte[] EikBPrivate { get; }
    public byte[] EkBPrivate { get; }
    public byte[] IkBPrivate { get; }
    public byte[] SpkSignatureRandom { get; }
    public byte[] IkBSignatureRandom { get; }
    public byte[] ResultNonce { get; }
    public byte[] BundleId { get; }
    public byte[] CaHash { get; }
    public byte[] IkAPublic { get; }
    public byte[] SpkAPublic { get; }
    public byte[] OpkAPublic { get; }
    public byte[] EikBPublic { get; }
    public byte[] SpkSigningInput { get; }
    public byte[] SpkSignature { get; }
    public ServiceAddress Address { get; }
    public EnrollmentBundle Bundle { get; }

    public static EnrollmentOutcome AcceptedOutcome() =>
        EnrollmentOutcome.Accepted("d-3f9a2c", "dev/v1/d-3f9a2c/", Encoding.UTF8.GetBytes("d-3f9a2c"), Encoding.ASCII.GetBytes("broker-token-0123456789abcdef"), 100_000, 86_400);

    /// <summary>Runs the enrollee side with the default primitives; asserts it succeeded.</summary>
    public EnrollmentAttempt Enroll(EnrollmentBundle? bundle = null, IX3dhPrimitives? primitives = null)
    {
        var status = EnrolleeHandshake.CreateMessage(bundle ?? Bundle, EikBPrivate, EkBPrivate, IkBPrivate, IkBSignatureRandom, Now, null, primitives ?? DefaultX3dhPrimitives.Instance, out var attempt);
        Assert.Equal(EnrolleeStatus.Created, status);
        return attempt!;
    }

    /// <summary>Runs the service side on encoded message bytes.</summary>
    public OpenStatus Open(byte[] messageBytes, out EnrolledIdentity? identity, IX3dhPrimitives? primitives = null, byte[]? opkPrivate = null, byte[]? address = null)
    {
        Assert.True(EnrollmentMessage.TryDecode(messageBytes, 0, messageBytes.Length, out var message));
        return ServiceHandshake.Open(message, IkAPrivate, SpkAPrivate, opkPrivate ?? OpkAPrivate, EikBPublic, address ?? Address.Encode(), primitives ?? DefaultX3dhPrimitives.Instance, out identity);
    }

    /// <summary>The first <paramref name="length"/> bytes of SHA-256 (up to 32) or SHA-512 (up to 64) of "seed/name".</summary>
    private byte[] Derive(string name, int length = 32)
    {
        var input = Encoding.UTF8.GetBytes(Seed + "/" + name);
        var digest = length <= 32 ? SHA256.HashData(input) : SHA512.HashData(input);
        return digest.AsSpan(0, length).ToArray();
    }

    private static byte[] Public(byte[] privateKey)
    {
        var pub = new byte[32];
        DefaultX3dhPrimitives.Instance.PublicKey(privateKey, 0, pub, 0);
        return pub;
    }
}
