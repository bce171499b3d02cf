using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Enrollment.Tool.Config;

/// <summary>
/// Where the tool keeps its files, and the service settings resolved from (first wins) the command line,
/// the environment (ENROLL_SERVICE, ENROLL_TOKEN, ENROLL_CA_CERT) and the config file
/// (<c>$ENROLL_HOME/config.json</c>, default <c>~/.config/enroll/config.json</c>).
/// </summary>
internal sealed class ToolConfig
{
    public const string HomeVariable = "ENROLL_HOME";
    public const string ServiceVariable = "ENROLL_SERVICE";
    public const string TokenVariable = "ENROLL_TOKEN";
    public const string CaVariable = "ENROLL_CA_CERT";

    private ToolConfig(string directory, FileSettings file)
    {
        Directory = directory;
        File = file;
    }

    /// <summary>The tool's directory: config file, cache key, bundle cache, queue. Mode 0700.</summary>
    public string Directory { get; }

    private FileSettings File { get; }

    public static ToolConfig Load()
    {
        string? home = Environment.GetEnvironmentVariable(HomeVariable);
        if (string.IsNullOrEmpty(home))
        {
            string? xdg = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
            string baseDir = !string.IsNullOrEmpty(xdg) ? xdg
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
            home = Path.Combine(baseDir, "enroll");
        }

        home = Path.GetFullPath(home);
        if (!System.IO.Directory.Exists(home))
        {
            if (OperatingSystem.IsWindows())
            {
                System.IO.Directory.CreateDirectory(home);
            }
            else
            {
                System.IO.Directory.CreateDirectory(home, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        var file = new FileSettings();
        string path = Path.Combine(home, "config.json");
        if (System.IO.File.Exists(path))
        {
            try
            {
                file = JsonSerializer.Deserialize(System.IO.File.ReadAllText(path), ToolJson.Default.FileSettings) ?? file;
            }
            catch (JsonException e)
            {
                throw new ToolFailure(ExitCode.Usage, "The config file " + path + " is not valid JSON: " + e.Message);
            }
        }

        return new ToolConfig(home, file);
    }

    /// <summary>Resolves the service settings; throws <see cref="ToolFailure"/> (usage) when one is missing or unsafe.</summary>
    public ServiceSettings ResolveService(string? service, string? token, string? caCert)
    {
        string? url = First(service, Environment.GetEnvironmentVariable(ServiceVariable), File.Service);
        string? secret = First(token, Environment.GetEnvironmentVariable(TokenVariable), File.Token);
        string? ca = First(caCert, Environment.GetEnvironmentVariable(CaVariable), File.CaCert);
        if (url == null)
        {
            throw new ToolFailure(ExitCode.Usage, "No service URL: pass --service, set " + ServiceVariable + " or put \"service\" in " + ConfigPath + ".");
        }

        if (secret == null)
        {
            throw new ToolFailure(ExitCode.Usage, "No enroller token: set " + TokenVariable + ", pass --token or put \"token\" in " + ConfigPath + ".");
        }

        return new ServiceSettings(ParseServiceUri(url), secret, ca);
    }

    public string ConfigPath => Path.Combine(Directory, "config.json");

    /// <summary>HTTPS always; plain HTTP only to a loopback host, where nothing crosses a network.</summary>
    internal static Uri ParseServiceUri(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw new ToolFailure(ExitCode.Usage, "The service URL '" + url + "' is not an http(s) URL.");
        }

        if (uri.Scheme == Uri.UriSchemeHttp && !IsLoopback(uri))
        {
            throw new ToolFailure(ExitCode.Usage, "Refusing plain HTTP to " + uri.Host + ": the enroller token and the approvals "
                + "would cross the network in clear. Use https:// (with --ca-cert for a private CA); http:// is allowed for loopback only.");
        }

        return new Uri(uri.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/");
    }

    internal static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.DnsSafeHost, out var ip) && IPAddress.IsLoopback(ip));

    private static string? First(params string?[] values) => values.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));

    internal sealed class FileSettings
    {
        public string? Service { get; set; }

        public string? Token { get; set; }

        public string? CaCert { get; set; }
    }
}

/// <summary>The service to talk to. <see cref="ToString"/> never shows the token.</summary>
internal sealed record ServiceSettings(Uri BaseUri, string Token, string? CaCertificatePath)
{
    /// <summary>The key under which bundles and queued work are kept: bundles of one service mean nothing to another.</summary>
    public string Key => BaseUri.AbsoluteUri;

    public override string ToString() => BaseUri.AbsoluteUri;
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = false,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ToolConfig.FileSettings))]
[JsonSerializable(typeof(Cache.CacheContents))]
[JsonSerializable(typeof(Cache.QueueContents))]
[JsonSerializable(typeof(Service.BundlesResponse))]
[JsonSerializable(typeof(Service.RegisterRequest))]
[JsonSerializable(typeof(Service.EnrolleeResponse))]
[JsonSerializable(typeof(Service.EnrolleesResponse))]
[JsonSerializable(typeof(Service.ProblemResponse))]
[JsonSerializable(typeof(Provisioning.ProvisionReport))]
[JsonSerializable(typeof(List<Cache.CachedBundle>))]
[JsonSerializable(typeof(List<Cache.QueuedWork>))]
internal sealed partial class ToolJson : JsonSerializerContext;
