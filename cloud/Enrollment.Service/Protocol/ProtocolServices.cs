using Enrollment.Service.Domain;
using Enrollment.Service.Host;

namespace Enrollment.Service.Protocol;

/// <summary>Registers the protocol adapters: bundle codec, SPK signer, MQTT ingress.</summary>
internal static class ProtocolServices
{
    public static void Add(IServiceCollection services)
    {
        services.AddSingleton<IBundleEncoder, ProtocolBundleEncoder>();
        services.AddSingleton<ISignedPrekeySigner, ProtocolSpkSigner>();
        services.AddSingleton<IEnrollmentMessageHandler, EnrollmentIngress>();
    }
}
