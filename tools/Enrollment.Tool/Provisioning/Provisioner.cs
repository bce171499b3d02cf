using System.Diagnostics;
using Enrollment.Enrollee.Messages;
using Enrollment.Enrollee.State;
using Enrollment.Tool.Cache;
using Enrollment.Tool.Serial;
using Enrollment.Tool.Service;

namespace Enrollment.Tool.Provisioning;

/// <summary>
/// Provisions one device (docs/architecture.md "one enrollment, walked", steps 2-5, and with --wait the
/// device's report of 6-8): hello, a bundle from the cache, registration with the service, the bundle and
/// Wi-Fi settings over serial, then optionally the device's progress.
/// </summary>
/// <remarks>
/// The rule that no failure leaves the service holding a pending enrollee whose device never got its
/// bundle: the registration happens before the transfer (so a device never holds a bundle the service
/// would not accept), and a failed transfer deletes that registration again, or queues the deletion when
/// the service cannot be reached, or withdraws the queued registration.
/// </remarks>
internal sealed class Provisioner
{
    private static readonly TimeSpan HelloTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan TransferTimeout = TimeSpan.FromSeconds(30);
    private static readonly SemaphoreSlim Refill = new(1, 1);
    private readonly ServiceClient _client;
    private readonly BundleCache _cache;
    private readonly WorkQueue _queue;
    private readonly Queue<CachedBundle> _reserved = new();
    private int _expected;

    /// <param name="expectedDevices">
    /// How many devices this provisioner serves (a batch): the first device to need a bundle takes that many
    /// from the cache in one rewrite; <see cref="ReturnUnused"/> puts back what was not used.
    /// </param>
    public Provisioner(ServiceClient client, BundleCache cache, WorkQueue queue, int expectedDevices = 1)
    {
        _client = client;
        _cache = cache;
        _queue = queue;
        _expected = Math.Max(1, expectedDevices);
    }

    /// <summary>Returns bundles reserved for the batch but not used (devices that failed before the bundle step).</summary>
    public void ReturnUnused()
    {
        List<CachedBundle> unused;
        lock (_reserved)
        {
            unused = [.. _reserved];
            _reserved.Clear();
        }

        _cache.ReturnManyAsync(unused, CancellationToken.None).GetAwaiter().GetResult();
    }

    public ProvisionReport Run(ProvisionRequest request, Action<Stage, string> progress, CancellationToken ct)
    {
        var report = new ProvisionReport { Port = request.Port };
        var total = Stopwatch.StartNew();
        try
        {
            RunCore(request, report, progress, total, ct);
            progress(Stage.Done, report.Message ?? "done");
        }
        catch (ToolFailure f)
        {
            report.ExitCode = (int)f.Code;
            report.Outcome = f.Code.ToString();
            report.Message = f.Message;
            progress(Stage.Failed, f.Message);
        }

        report.TotalMilliseconds = total.ElapsedMilliseconds;
        return report;
    }

    private void RunCore(ProvisionRequest request, ProvisionReport report, Action<Stage, string> progress, Stopwatch total, CancellationToken ct)
    {
        progress(Stage.Opening, "opening " + request.Port + " at " + request.Baud + " baud");
        using var session = new DeviceSession(PortLink.Open(request.Port, request.Baud));
        report.OpenMilliseconds = total.ElapsedMilliseconds;
        progress(Stage.Hello, "hello");
        var info = session.Hello(HelloTimeout, ct);
        report.EnrolleeId = info.EnrolleeId;
        report.PetName = request.PetName ?? info.PetName;
        report.Firmware = info.FirmwareVersion;
        report.State = info.StateName;
        progress(Stage.Hello, "device " + Short(info.EnrolleeId) + (info.PetName != null ? " \"" + info.PetName + "\"" : "")
            + ", firmware " + info.FirmwareVersion + ", " + info.StateName);
        if (info.State is EnrolleeState.Enrolled or EnrolleeState.Revoked or EnrolleeState.Enrolling)
        {
            throw new ToolFailure(ExitCode.DeviceRefused, "The device is " + info.StateName + (info.State == EnrolleeState.Enrolling
                ? ": an enrollment attempt is in progress; let it finish or factory-reset the device."
                : ": factory-reset it (`enroll reset --port ... --yes`) before provisioning it again."));
        }

        report.HelloMilliseconds = total.ElapsedMilliseconds - report.OpenMilliseconds;
        var service = Stopwatch.StartNew();
        progress(Stage.Bundle, "taking a bundle");
        var (bundle, registered, queued) = Register(info, report, progress, ct);
        report.ServiceMilliseconds = service.ElapsedMilliseconds;

        progress(Stage.Transferring, "sending the bundle and Wi-Fi settings");
        DeviceStatus status;
        var message = BuildMessage(request, bundle);
        try
        {
            status = session.SendBundle(message, TransferTimeout, ct);
        }
        catch (ToolFailure f)
        {
            throw new ToolFailure(f.Code, f.Message + " " + Undo(registered, queued, ct), f);
        }
        finally
        {
            message.Clear();
        }

        report.ToolMilliseconds = total.ElapsedMilliseconds;
        report.TransferMilliseconds = report.ToolMilliseconds - report.OpenMilliseconds - report.HelloMilliseconds - report.ServiceMilliseconds;
        report.State = status.StateName;
        report.Status = status.CodeName;
        if (queued != null)
        {
            report.RegistrationQueued = true;
            throw new ToolFailure(ExitCode.RegistrationQueued, "The device has its bundle, but the service was unreachable: its registration is "
                + "queued. Run `enroll queue flush` once the service is back; until then the service rejects the device.");
        }

        report.Message = "bundle stored on the device";
        if (!request.Wait)
        {
            return;
        }

        progress(Stage.Enrolling, status.StateName + " / " + status.CodeName);
        var final = session.WaitForOutcome(status, request.WaitTimeout, s => progress(Stage.Enrolling, Describe(s)), ct);
        report.State = final.StateName;
        report.Status = final.CodeName;
        report.DeviceId = final.DeviceId;
        report.Message = "enrolled" + (final.DeviceId != null ? " as " + final.DeviceId : "");
    }

    private (CachedBundle Bundle, EnrolleeResponse? Registered, QueuedWork? Queued) Register(Serial.DeviceInfo info, ProvisionReport report,
        Action<Stage, string> progress, CancellationToken ct)
    {
        for (int tries = 0; ; tries++)
        {
            var bundle = TakeBundle(ct);
            report.BundleId = bundle.BundleId;
            progress(Stage.Registering, "registering with the service (bundle " + bundle.BundleId[..8] + ")");
            var request = new RegisterRequest(Convert.ToBase64String(info.EikPublic), report.PetName, bundle.BundleId);
            try
            {
                var registered = _client.RegisterAsync(request, ct).GetAwaiter().GetResult();
                report.ServiceEnrolleeId = registered.Id;
                return (bundle, registered, null);
            }
            catch (ServiceException e) when (e.Kind == ServiceFailureKind.Unreachable)
            {
                var work = new QueuedWork
                {
                    Id = Guid.NewGuid().ToString("n"), Kind = WorkKind.Register, Service = _client.Settings.Key, Device = info.EnrolleeId,
                    EikPublicKey = request.EikPublicKey, PetName = request.PetName, BundleId = request.BundleId, QueuedAt = DateTimeOffset.UtcNow,
                    LastError = e.Message,
                };
                _queue.AddAsync(work, ct).GetAwaiter().GetResult();
                progress(Stage.Registering, "service unreachable: registration queued");
                return (bundle, null, work);
            }
            catch (ServiceException e) when (e.Kind == ServiceFailureKind.Unauthorized)
            {
                // Nothing left the enroller: the bundle goes back to the cache.
                _cache.ReturnAsync(bundle, ct).GetAwaiter().GetResult();
                throw e.ToFailure("registering the device");
            }
            catch (ServiceException e) when (e.Code is "bundle_expired" or "bundle_unknown" && tries < 2)
            {
                // The service withdrew that bundle (expired, or reissued after a restore): drop it, take the next.
                progress(Stage.Bundle, "bundle " + bundle.BundleId[..8] + " refused (" + e.Code + "); taking another");
            }
            catch (ServiceException e)
            {
                throw e.ToFailure("registering the device");
            }
        }
    }

    private CachedBundle TakeBundle(CancellationToken ct)
    {
        string key = _client.Settings.Key;
        Refill.Wait(ct);
        try
        {
            lock (_reserved)
            {
                if (_reserved.TryDequeue(out var reserved))
                {
                    _expected = Math.Max(1, _expected - 1);
                    return reserved;
                }
            }

            int want = _expected;
            if (_cache.Usable(key) < Math.Max(BundleCache.LowWater, want))
            {
                try
                {
                    _cache.FetchAsync(_client, Math.Max(BundleCache.RefillCount, want), ct).GetAwaiter().GetResult();
                }
                catch (ServiceException e) when (e.Kind != ServiceFailureKind.Unauthorized && _cache.Usable(key) > 0)
                {
                    // Low but not empty: go on with what is cached; the next run refills.
                }
                catch (ServiceException e)
                {
                    throw e.ToFailure("fetching bundles (the cache has none left)");
                }
            }

            var taken = _cache.TakeManyAsync(key, want, ct).GetAwaiter().GetResult();
            if (taken.Count == 0)
            {
                throw new ToolFailure(ExitCode.ServiceError, "No usable bundle: the service issued none (run `enroll bundles fetch`).");
            }

            lock (_reserved)
            {
                foreach (var b in taken.Skip(1))
                {
                    _reserved.Enqueue(b);
                }

                _expected = Math.Max(1, _expected - 1);
            }

            return taken[0];
        }
        finally
        {
            Refill.Release();
        }
    }

    /// <summary>Undoes the registration of a device that did not get its bundle; says what was done.</summary>
    private string Undo(EnrolleeResponse? registered, QueuedWork? queued, CancellationToken ct)
    {
        if (queued != null)
        {
            _queue.RemoveAsync(queued.Id, ct).GetAwaiter().GetResult();
            return "Its queued registration was withdrawn.";
        }

        if (registered == null)
        {
            return "";
        }

        try
        {
            _client.DeleteEnrolleeAsync(registered.Id, CancellationToken.None).GetAwaiter().GetResult();
            return "Its pending registration (" + registered.Id + ") was deleted from the service.";
        }
        catch (ServiceException e)
        {
            _queue.AddAsync(new QueuedWork
            {
                Id = Guid.NewGuid().ToString("n"), Kind = WorkKind.Delete, Service = _client.Settings.Key, Device = registered.DeviceId,
                EnrolleeId = registered.Id, QueuedAt = DateTimeOffset.UtcNow, LastError = e.Message,
            }, CancellationToken.None).GetAwaiter().GetResult();
            return "Deleting its pending registration (" + registered.Id + ") failed (" + e.Message + "): the deletion is queued; run `enroll queue flush`.";
        }
    }

    private static BundleMessage BuildMessage(ProvisionRequest request, CachedBundle bundle)
    {
        var m = new BundleMessage();
        request.Ssid.CopyTo(m.Ssid, 0);
        m.SsidLength = request.Ssid.Length;
        request.WifiPassword.CopyTo(m.Password, 0);
        m.PasswordLength = request.WifiPassword.Length;
        if (request.PetName != null)
        {
            int n = System.Text.Encoding.UTF8.GetBytes(request.PetName, m.PetName);
            m.PetNameLength = n;
        }

        // The enroller's clock lets a device without SNTP check the bundle's expiry (docs/serial-protocol.md,
        // Bundle; docs/protocol.md section 10 step 3).
        m.EnrollerTime = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        byte[] raw = Convert.FromBase64String(bundle.Bundle);
        if (raw.Length > Limits.MaxBundle)
        {
            throw new ToolFailure(ExitCode.ServiceError, "The service's bundle is " + raw.Length + " bytes; devices take at most " + Limits.MaxBundle + ".");
        }

        raw.CopyTo(m.Bundle, 0);
        m.BundleLength = raw.Length;
        return m;
    }

    internal static string Describe(DeviceStatus s) =>
        s.StateName + " / " + s.CodeName + (s.Attempt > 0 ? ", attempt " + s.Attempt : "") + (s.WaitSeconds > 0 ? ", up to " + s.WaitSeconds + " s" : "");

    internal static string Short(string id) => id.Length > 12 ? id[..12] : id;
}
