using System.CommandLine;
using System.Globalization;
using Enrollment.Tool.Cache;
using Enrollment.Tool.Config;
using Enrollment.Tool.Service;

namespace Enrollment.Tool.Commands;

/// <summary><c>enroll bundles fetch|list</c> and <c>enroll queue list|flush</c>.</summary>
internal static class CacheCommands
{
    public static Command Bundles()
    {
        var count = new Option<int>("--count", "-n") { Description = "How many bundles to fetch (each reserves a one-time prekey)", DefaultValueFactory = _ => 10 };
        var service = new ServiceOptions();
        var fetch = new Command("fetch", "Fetch bundles from the service into the local encrypted cache.") { count };
        service.AddTo(fetch);
        fetch.SetAction((parse, ct) => Run.GuardedAsync(async () =>
        {
            var config = ToolConfig.Load();
            using var client = new ServiceClient(service.Resolve(parse, config));
            int n = parse.GetValue(count);
            if (n < 1)
            {
                throw new ToolFailure(ExitCode.Usage, "--count must be at least 1.");
            }

            var cache = new BundleCache(config.Directory);
            try
            {
                int got = await cache.FetchAsync(client, n, ct).ConfigureAwait(false);
                Console.Out.WriteLine("fetched " + got + " bundle(s); " + cache.Usable(client.Settings.Key) + " usable in the cache for " + client.Settings);
            }
            catch (ServiceException e)
            {
                throw e.ToFailure("issuing bundles");
            }

            return ExitCode.Ok;
        }, Console.Error));

        var list = new Command("list", "List the cached bundles (id, service, expiry); never their content.");
        list.SetAction((_, _) => Run.GuardedAsync(() =>
        {
            var config = ToolConfig.Load();
            var bundles = new BundleCache(config.Directory).List();
            foreach (var b in bundles.OrderBy(b => b.Service, StringComparer.Ordinal).ThenBy(b => b.ExpiresAt))
            {
                Console.Out.WriteLine(b.BundleId + "  " + b.Service + "  expires " + b.ExpiresAt.UtcDateTime.ToString("u", CultureInfo.InvariantCulture)
                    + (b.ExpiresAt <= DateTimeOffset.UtcNow + BundleCache.MinRemainingLife ? "  (too close to expiry: not used)" : ""));
            }

            Console.Out.WriteLine(bundles.Count + " bundle(s) cached");
            return Task.FromResult(ExitCode.Ok);
        }, Console.Error));

        return new Command("bundles", "The local bundle cache (encrypted at rest with AES-256-GCM; see docs/enroll-tool.md).") { fetch, list };
    }

    public static Command Queue()
    {
        var list = new Command("list", "Show the service calls waiting for the service to come back.");
        list.SetAction((_, _) => Run.GuardedAsync(() =>
        {
            var items = new WorkQueue(ToolConfig.Load().Directory).List();
            foreach (var w in items)
            {
                Console.Out.WriteLine(w.Kind + "  device " + w.Device + "  " + w.Service + "  queued " + w.QueuedAt.UtcDateTime.ToString("u", CultureInfo.InvariantCulture)
                    + "  attempts " + w.Attempts + (w.LastError != null ? "  last error: " + w.LastError : ""));
            }

            Console.Out.WriteLine(items.Count == 0 ? "nothing queued" : items.Count + " item(s) queued");
            return Task.FromResult(ExitCode.Ok);
        }, Console.Error));

        var service = new ServiceOptions();
        var flush = new Command("flush", "Send the queued registrations and deletions now.");
        service.AddTo(flush);
        flush.SetAction((parse, ct) => Run.GuardedAsync(async () =>
        {
            var config = ToolConfig.Load();
            using var client = new ServiceClient(service.Resolve(parse, config));
            var result = await Run.FlushQueueAsync(new WorkQueue(config.Directory), client, Console.Out, ct).ConfigureAwait(false);
            if (result == null)
            {
                Console.Out.WriteLine("nothing queued for " + client.Settings);
                return ExitCode.Ok;
            }

            Console.Out.WriteLine(result.Done + " sent, " + result.Dropped + " dropped, " + result.Remaining + " still queued");
            return result.StoppedBy?.ToFailure("flushing the queue").Code ?? ExitCode.Ok;
        }, Console.Error));

        return new Command("queue", "Service calls queued while the service was unreachable.") { list, flush };
    }
}
