using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Enrollment.Service.Host;

/// <summary>
/// Validates the broker's TLS certificate against the configured CA only (a private CA, not the system
/// store): the chain must end at that CA and the name must match the host we dialled.
/// </summary>
internal static class BrokerTls
{
    public static X509Certificate2 LoadCa(string path) => X509CertificateLoader.LoadCertificateFromFile(path);

    public static bool Validate(X509Certificate? presented, SslPolicyErrors errors, X509Certificate2 ca)
    {
        if (presented is null || (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
        {
            return false;
        }

        using var leaf = X509CertificateLoader.LoadCertificate(presented.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(leaf);
    }
}
