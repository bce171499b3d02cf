using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Enrollment.Service.Host;

/// <summary>
/// Validates the whole option tree at bind time (ValidateOnStart): data annotations on every nested object
/// plus the rules that span fields. Each failure names the configuration key an operator must fix.
/// </summary>
internal sealed class ServiceOptionsValidator : IValidateOptions<ServiceOptions>
{
    private readonly IHostEnvironment _env;
    private readonly bool _storageOnly;

    /// <param name="env">The hosting environment (Development relaxes the KEK and HTTPS rules).</param>
    /// <param name="storageOnly">The admin commands touch only the database: skip the broker, key and HTTP rules.</param>
    public ServiceOptionsValidator(IHostEnvironment env, bool storageOnly = false)
    {
        _env = env;
        _storageOnly = storageOnly;
    }

    public ValidateOptionsResult Validate(string? name, ServiceOptions o)
    {
        var errors = new List<string>();
        Annotations(o, "Enrollment", errors);
        Annotations(o.Storage, "Enrollment:Storage", errors);
        Annotations(o.Mqtt, "Enrollment:Mqtt", errors);
        Annotations(o.Keys, "Enrollment:Keys", errors);
        Annotations(o.Lifetimes, "Enrollment:Lifetimes", errors);
        Annotations(o.Http, "Enrollment:Http", errors);
        Annotations(o.Events, "Enrollment:Events", errors);
        Annotations(o.Channel, "Enrollment:Channel", errors);

        if (o.Storage.Provider == StorageProvider.PostgreSql && string.IsNullOrWhiteSpace(o.Storage.ConnectionString))
        {
            errors.Add("Enrollment:Storage:ConnectionString is required when Enrollment:Storage:Provider is PostgreSql.");
        }

        if (_storageOnly)
        {
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }

        if (!o.Mqtt.IsEmbedded && o.Mqtt.UseTls && !string.IsNullOrEmpty(o.Mqtt.CaFile) && !File.Exists(o.Mqtt.CaFile))
        {
            errors.Add("Enrollment:Mqtt:CaFile '" + o.Mqtt.CaFile + "' does not exist.");
        }

        if (!o.Mqtt.DeviceTopicPrefix.EndsWith('/') || o.Mqtt.DeviceTopicPrefix.IndexOfAny(['+', '#']) >= 0)
        {
            errors.Add("Enrollment:Mqtt:DeviceTopicPrefix must end with '/' and hold no MQTT wildcard (e.g. dev/v1/).");
        }

        if (o.Mqtt.DynamicSecurity && (o.Mqtt.IsEmbedded || string.IsNullOrEmpty(o.Mqtt.Username)))
        {
            errors.Add("Enrollment:Mqtt:DynamicSecurity needs an external Mosquitto (Enrollment:Mqtt:Host) and a dynamic-security admin (Enrollment:Mqtt:Username/Password).");
        }

        if (o.Mqtt.IsEmbedded && o.Mqtt.UseTls)
        {
            errors.Add("Enrollment:Mqtt:UseTls needs an external broker (Enrollment:Mqtt:Host); the embedded broker is plain TCP on loopback.");
        }

        if (!string.IsNullOrEmpty(o.Keys.KeyEncryptionKey) && !IsKek(o.Keys.KeyEncryptionKey))
        {
            errors.Add("Enrollment:Keys:KeyEncryptionKey must be base64 of exactly 32 bytes.");
        }

        if (string.IsNullOrEmpty(o.Keys.KeyEncryptionKey) && !_env.IsDevelopment())
        {
            errors.Add("Enrollment:Keys:KeyEncryptionKey is required outside Development (base64 of 32 random bytes, e.g. `openssl rand -base64 32`).");
        }

        if (o.Events.Sink == EventSinkKind.EventHubs && string.IsNullOrWhiteSpace(o.Events.EventHubsConnectionString))
        {
            errors.Add("Enrollment:Events:EventHubsConnectionString is required when Enrollment:Events:Sink is EventHubs.");
        }

        if (!System.Net.IPAddress.TryParse(o.Http.Address, out var address))
        {
            errors.Add("Enrollment:Http:Address must be an IP address.");
        }
        else if (string.IsNullOrEmpty(o.Http.CertificatePath) && !(_env.IsDevelopment() && System.Net.IPAddress.IsLoopback(address)))
        {
            errors.Add("HTTPS needs Enrollment:Http:CertificatePath; plain HTTP is allowed only in Development on a loopback address.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static bool IsKek(string s)
    {
        var buffer = new byte[48];
        return Convert.TryFromBase64String(s, buffer, out var n) && n == 32;
    }

    private static void Annotations(object o, string prefix, List<string> errors)
    {
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(o, new ValidationContext(o), results, validateAllProperties: true))
        {
            foreach (var r in results)
            {
                errors.Add(prefix + ":" + string.Join(",", r.MemberNames) + ": " + r.ErrorMessage);
            }
        }
    }
}
