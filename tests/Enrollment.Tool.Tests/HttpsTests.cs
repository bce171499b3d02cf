using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Enrollment.Enrollee.State;
using Enrollment.Tool.Config;
using Enrollment.Tool.Service;
using Xunit.Abstractions;

namespace Enrollment.Tool.Tests;

/// <summary>HTTPS to the real service with a certificate from a private CA: trusted only with --ca-cert.</summary>
public sealed class HttpsTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_private_ca_is_trusted_with_ca_cert_and_refused_without_it()
    {
        using var rig = new Rig(output);
        var (caPath, certPath, keyPath, ca) = MakeCertificates(rig.Root);
        using var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, c, _, _) => c != null && c.Issuer == ca.Subject;
        using var service = await ServiceProcess.StartAsync(Path.Combine(rig.Root, "service"), new()
        {
            ["Enrollment__Http__CertificatePath"] = certPath,
            ["Enrollment__Http__CertificateKeyPath"] = keyPath,
        }, handler);
        Assert.StartsWith("https://", service.Url, StringComparison.Ordinal);
        var device = rig.AddDevice(new FakeProtocol { AcceptAnyBundle = true });

        using (var untrusting = new ServiceClient(new ServiceSettings(ToolConfig.ParseServiceUri(service.Url), service.Token, null)))
        {
            var refused = rig.Provision(untrusting, device.PortPath);
            Assert.Equal((int)ExitCode.ServiceUnreachable, refused.ExitCode);
            Assert.Contains("TLS", refused.Message, StringComparison.Ordinal);
        }

        using var trusting = new ServiceClient(new ServiceSettings(ToolConfig.ParseServiceUri(service.Url), service.Token, caPath));
        var report = rig.Provision(trusting, device.PortPath);

        Assert.True(report.ExitCode == 0, report.Message);
        Rig.Eventually(() => device.State >= EnrolleeState.BundleReceived, TimeSpan.FromSeconds(5), "bundle stored");
    }

    private static (string Ca, string Cert, string Key, X509Certificate2 CaCert) MakeCertificates(string dir)
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Enroll Test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var cert = request.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(29), RandomNumberGenerator.GetBytes(8));

        string caPath = Path.Combine(dir, "ca.pem"), certPath = Path.Combine(dir, "service.pem"), keyPath = Path.Combine(dir, "service.key");
        File.WriteAllText(caPath, ca.ExportCertificatePem());
        File.WriteAllText(certPath, cert.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (caPath, certPath, keyPath, ca);
    }
}
