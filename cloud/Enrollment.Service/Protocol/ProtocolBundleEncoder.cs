using System.Security.Cryptography;
using Enrollment.Protocol.Messages;
using Enrollment.Service.Domain;
using Enrollment.Service.Host;
using Microsoft.Extensions.Options;

namespace Enrollment.Service.Protocol;

/// <summary>
/// Encodes bundles with the protocol codec (docs/protocol.md section 6) and the service address from
/// configuration (section 7): the broker devices should dial (advertised host/port, else the broker's own),
/// TLS, the CA (its certificate or hash) and the topics.
/// </summary>
internal sealed class ProtocolBundleEncoder : IBundleEncoder
{
    private readonly ServiceAddress _address;

    public ProtocolBundleEncoder(IOptions<ServiceOptions> options)
    {
        var m = options.Value.Mqtt;
        var host = !string.IsNullOrEmpty(m.AdvertisedHost) ? m.AdvertisedHost : m.IsEmbedded ? m.EmbeddedAddress : m.Host!;
        var port = m.AdvertisedPort != 0 ? m.AdvertisedPort : m.IsEmbedded ? m.EmbeddedPort : m.Port;
        var kind = CaKind.None;
        byte[]? caData = null;
        if (m.UseTls && !string.IsNullOrEmpty(m.CaFile) && m.BundleCa != BundleCaKind.None)
        {
            using var ca = BrokerTls.LoadCa(m.CaFile);
            kind = m.BundleCa == BundleCaKind.Sha256 ? CaKind.Sha256 : CaKind.Certificate;
            caData = kind == CaKind.Sha256 ? SHA256.HashData(ca.RawData) : ca.RawData;
        }

        try
        {
            _address = new ServiceAddress(host, port, m.UseTls, kind, caData, m.EnrollmentTopic, m.ResultTopicPrefix, m.RequestTopicPerEnrollee);
        }
        catch (ArgumentException e)
        {
            throw new StartupException("The MQTT settings do not make a valid bundle service address (" + e.Message + ").", e);
        }

        ServiceAddress = _address.Encode();
    }

    public byte[] ServiceAddress { get; }

    public byte[] Encode(BundleContents c) => new EnrollmentBundle(
        c.BundleId, c.ExpiresAtUnixSeconds, c.IdentityKey, c.SignedPrekey.Id, c.SignedPrekey.RetireAtMs / 1000, c.SignedPrekey.PublicKey,
        c.SignedPrekey.Signature, c.OneTimePrekeyId, c.OneTimePrekey, _address).Encode();
}

/// <summary>SPK signature = XEdDSA-Sign(IK_A, L_SPK || id || SPK_A || expiry, Z) (docs/protocol.md section 6).</summary>
internal sealed class ProtocolSpkSigner : ISignedPrekeySigner
{
    public byte[] Sign(byte[] identityPrivateKey, uint signedPrekeyId, byte[] signedPrekeyPublic, long expiresAtUnixSeconds)
    {
        var input = EnrollmentBundle.BuildSpkSigningInput(signedPrekeyId, signedPrekeyPublic, expiresAtUnixSeconds);
        var z = RandomNumberGenerator.GetBytes(ProtocolConstants.SignatureRandomSize);
        var signature = new byte[ProtocolConstants.SignatureSize];
        LibsodiumX3dhPrimitives.Instance.Sign(identityPrivateKey, 0, input, 0, input.Length, z, 0, signature, 0);
        CryptographicOperations.ZeroMemory(z);
        return signature;
    }
}
