using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Enrollment.Protocol.Messages;
using Enrollment.Protocol.X3dh;
using Enrollment.Service.Domain;
using Enrollment.Service.Protocol;

namespace Enrollment.Service.LoadBench;

/// <summary>
/// Issue 4 item 9. Phases, each with enrollees prepared (bundle fetched, registered, message built) before
/// its clock starts: (1) peak: every message published at once; enrollments/s and the service process's
/// CPU per enrollment; (2) half: half the peak rate, paced; p50/p99 latency; (3) flood: half the peak rate
/// again, plus ten times as many well-formed messages for unknown enrollees; the crypto floor is measured in
/// the same run. Prints one JSON object on stdout (progress goes to stderr).
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var n = IntArg(args, "--enrollees", 3000);
        var database = StringArg(args, "--database", "sqlite");
        var pg = StringArg(args, "--pg-connection", "");
        // A warm-up run before the clock: the service's hot paths are otherwise still being compiled (tier 0,
        // then PGO-instrumented, then tier 1) during the peak phase; in one profile the JIT took 18% of the
        // service's CPU there. The targets are about a service that has been running. Half as many as a phase
        // still left the JIT at 6.7% of the peak's CPU (perf); with twice as many, the peak phase ran at
        // 416-438 us per enrollment instead of 487-547.
        var warm = IntArg(args, "--warmup", Math.Max(1000, 2 * n));
        var rounds = IntArg(args, "--rounds", 3);
        // --request-topics: per-enrollee (the service's default: each enrollee publishes on its own topic, the service
        // listens on all of them until a rejection flood, then only on approved enrollees' topics), approved-only
        // (Mqtt:FloodRejectionsPerSecond=0: junk for unknown enrollees never has a subscriber; the older
        // --request-topic-per-enrollee), or shared (Mqtt:RequestTopicPerEnrollee=false: one topic, all junk forwarded).
        var requestTopics = StringArg(args, "--request-topics", args.Contains("--request-topic-per-enrollee") ? "approved-only" : "per-enrollee");
        if (requestTopics is not ("per-enrollee" or "approved-only" or "shared"))
        {
            throw new ArgumentException("--request-topics is per-enrollee (the default), approved-only or shared");
        }

        var perEnrollee = requestTopics != "shared";
        // One more half-peak round and flood round, not measured, between the peak and the measured rounds: the
        // first flood a process sees runs the junk path's code cold (tier 0) and finds Mosquitto's queues and the
        // service's buffers at their idle sizes; without it the first measured round pair was the worst of every
        // run (flood p99 +47% to +157% there, -10% to +19% in the later rounds of the same runs).
        var warmRound = Math.Max(1, n / rounds);
        var dir = Directory.CreateTempSubdirectory("enroll-bench-").FullName;
        try
        {
            var brokerPort = ChildProcess.FreePort();
            await using var mosquitto = await StartMosquittoAsync(dir, brokerPort);
            var env = ServiceEnvironment(dir, brokerPort, warm + 2 * warmRound + 3 * n + 10 * n + 100, database, pg, StringArg(args, "--log-level", "Warning"));
            env["Enrollment__Mqtt__RequestTopicPerEnrollee"] = perEnrollee ? "true" : "false";
            // --service-env NAME=VALUE (repeatable): for A/B trials of runtime knobs on the service process alone
            // (an exported variable would reach the load generator too).
            var serviceEnv = ServiceEnvArgs(args).ToList();
            foreach (var (name, value) in serviceEnv)
            {
                env[name] = value;
            }

            if (requestTopics == "approved-only")
            {
                env["Enrollment__Mqtt__FloodRejectionsPerSecond"] = "0";
            }

            var token = (await RunToEndAsync(ServiceDll, ["enrollers", "add", "--name", "bench"], env)).Trim();
            var httpPort = int.Parse(env["Enrollment__Http__Port"], CultureInfo.InvariantCulture);
            await using var service = await ChildProcess.StartAsync("dotnet", [ServiceDll], env, "Application started", TimeSpan.FromSeconds(120));
            using var http = new HttpClient { BaseAddress = new Uri("http://127.0.0.1:" + httpPort), Timeout = TimeSpan.FromMinutes(2) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

            Progress("preparing " + (warm + 2 * warmRound + 3 * n) + " enrollees");
            var warmSet = await PrepareAsync(http, warm);
            var warmHalfSet = await PrepareAsync(http, warmRound);
            var warmFloodSet = await PrepareAsync(http, warmRound);
            var peakSet = await PrepareAsync(http, n);
            var halfSet = await PrepareAsync(http, n);
            var floodSet = await PrepareAsync(http, n);
            // --junk unknown (the default): well-formed messages for made-up enrollees; --junk replay: copies of the
            // peak phase's accepted messages (a captured-traffic replay: seen EK_B, the same bytes).
            // --junk none: the control (an A/A run). The "flood" rounds carry no junk, so their slowdown is what this
            // machine's noise alone reports: the yardstick for the figures of the runs with junk.
            var junkKind = StringArg(args, "--junk", "unknown");
            if (junkKind is not ("unknown" or "replay" or "none"))
            {
                throw new ArgumentException("--junk is unknown (messages for made-up enrollees), replay (copies of accepted messages) " +
                    "or none (the control: flood rounds without junk)");
            }

            List<byte[]> Flood(int count) => junkKind == "none" ? []
                : junkKind == "replay"
                ? Enumerable.Range(0, count).Select(i => peakSet[i % peakSet.Count].Message).ToList()
                : Junk(floodSet[0].Message, count);
            var junk = Flood(10 * n);
            List<byte[]>? SentJunk(List<byte[]> j) => junkKind == "none" ? null : j;
            var warmJunk = Flood(10 * warmRound);
            var attacker = StringArg(args, "--attacker", "raw");
            if (attacker is not ("raw" or "mqttnet"))
            {
                throw new ArgumentException("--attacker is raw (pre-encoded packets, one write per millisecond, the default) or mqttnet (a publish call per junk message)");
            }

            await using var load = await LoadClient.ConnectAsync(brokerPort, env["Enrollment__Mqtt__EnrollmentTopic"], env["Enrollment__Mqtt__ResultTopicPrefix"], attacker == "raw");
            if (perEnrollee)
            {
                load.UseRequestTopicPerEnrollee();
            }

            var junkTo = StringArg(args, "--junk-to", "service");
            if (junkTo == "sink")
            {
                await load.RouteJunkToSinkAsync(brokerPort);
            }
            else if (junkTo == "nowhere")
            {
                load.RouteJunkNowhere();
            }
            else if (junkTo != "service")
            {
                throw new ArgumentException("--junk-to is service (the enrollment topic, the default), sink (a bench subscriber that " +
                    "drops it) or nowhere (a topic without subscribers)");
            }

            Progress("warm-up, " + warm + " enrollments (not measured)");
            await load.RunAsync(warmSet, ratePerSecond: 0, junk: null);
            // The crypto floor is sampled right before and right after the peak phase, whose CPU it is set against:
            // this VM has spells, seconds to tens of seconds long, in which the same code runs up to half again as
            // slow (floor samples of one run moved between 220 and 358 us). Sampled at the end of the run instead (its
            // first way), the floor often came from another spell than the peak: ratios of 1.08 and 2.36 in one hour.
            Progress("crypto floor, then phase peak, then the floor again");
            var floorSamples = Enumerable.Range(0, 3).Select(_ => CryptoFloor.Measure(2000)).ToList();
            var peakCpu = CpuMeter.Start(service.Process, mosquitto.Process);
            var peak = await load.RunAsync(peakSet, ratePerSecond: 0, junk: null);
            var (peakSteal, peakBusy) = (peakCpu.MachineSteal(), peakCpu.MachineBusy());
            var peakSwitches = peakCpu.ServiceContextSwitches();
            var cpuPerEnrollmentUs = peakCpu.Stop().Service / n;
            floorSamples.AddRange(Enumerable.Range(0, 3).Select(_ => CryptoFloor.Measure(2000)));

            // Half-peak and flood alternate in rounds (half, flood, half, flood, ...) so that both see the same
            // spells of this shared machine's noise. The slowdown reported compares the p99 (p50) of every
            // half-peak round's latencies pooled with that of every flood round's: a round of 1,500 enrollments
            // has only 15 above its p99, so one pause moves a round's p99 by half. Per round too, for the spread.
            var half = peak.Throughput / 2;
            Progress("warm-up round: half rate " + half.ToString("F0", CultureInfo.InvariantCulture) + "/s, then the same with the flood (not measured)");
            var firstHalf = await load.RunAsync(warmHalfSet, half, junk: null);
            var firstFlood = await load.RunAsync(warmFloodSet, half, SentJunk(warmJunk));
            // With per-enrollee request topics the service switches its flood filter on within this round's first
            // second (a Warning line in its log) and keeps it for Mqtt:FloodHold (10 min), longer than the rounds below.
            var floodFilterOn = service.Log.Contains("listening only on approved enrollees' request topics", StringComparison.Ordinal);
            var floodFilterInPlace = service.Log.Split('\n').FirstOrDefault(l => l.Contains("Flood filter in place", StringComparison.Ordinal))?.Trim();
            var halfRounds = new List<PhaseResult>();
            var floodRounds = new List<PhaseResult>();
            var halfCpuUs = (Service: 0.0, Broker: 0.0, LoadGenerator: 0.0);
            var floodCpuUs = (Service: 0.0, Broker: 0.0, LoadGenerator: 0.0);
            double halfBusy = 0, floodBusy = 0;
            for (var r = 0; r < rounds; r++)
            {
                Progress("round " + (r + 1) + "/" + rounds + ": half rate " + half.ToString("F0", CultureInfo.InvariantCulture) + "/s, then the same with the flood");
                var halfCpu = CpuMeter.Start(service.Process, mosquitto.Process);
                halfRounds.Add(await load.RunAsync(Chunk(halfSet, r, rounds), half, junk: null));
                halfCpuUs = Add(halfCpuUs, halfCpu.Stop());
                halfBusy += halfCpu.MachineBusy() / rounds;
                var floodCpu = CpuMeter.Start(service.Process, mosquitto.Process);
                floodRounds.Add(await load.RunAsync(Chunk(floodSet, r, rounds), half, SentJunk(Chunk(junk, r, rounds))));
                floodCpuUs = Add(floodCpuUs, floodCpu.Stop());
                floodBusy += floodCpu.MachineBusy() / rounds;
            }

            var p99Slowdowns = halfRounds.Zip(floodRounds, (h, f) => Round(100 * (f.P99 - h.P99) / h.P99)).ToArray();
            var p50Slowdowns = halfRounds.Zip(floodRounds, (h, f) => Round(100 * (f.P50 - h.P50) / h.P50)).ToArray();
            var halfAll = halfRounds.SelectMany(h => h.Latencies).Order().ToArray();
            var floodAll = floodRounds.SelectMany(f => f.Latencies).Order().ToArray();
            var (halfP50, halfP99) = (LoadClient.Percentile(halfAll, 0.50), LoadClient.Percentile(halfAll, 0.99));
            var (floodP50, floodP99) = (LoadClient.Percentile(floodAll, 0.50), LoadClient.Percentile(floodAll, 0.99));

            // The median of the six samples around the peak: single samples of 2,000 moved between 242 and 331 us
            // from run to run, and the CPU ratio with them.
            var floorWallUs = Median(floorSamples.Select(f => f.WallUs));
            var floorUs = Median(floorSamples.Select(f => f.CpuUs));
            var result = new
            {
                benchmark = "enrollment-service",
                database,
                broker = "mosquitto (plain TCP, loopback)",
                cores = Environment.ProcessorCount,
                enrolleesPerPhase = n,
                warmupEnrollees = warm,
                serviceEnvironment = serviceEnv.Select(e => e.Name + "=" + e.Value).ToArray(),
                peak = new
                {
                    enrollmentsPerSecond = Round(peak.Throughput), p50Ms = Round(peak.P50), p99Ms = Round(peak.P99), accepted = peak.Accepted,
                    machineBusyPercent = Round(100 * peakBusy), machineStealPercent = Round(100 * peakSteal),
                    // Hand-offs between the service's threads show here (see CpuMeter.ServiceContextSwitches).
                    serviceVoluntarySwitchesPerEnrollment = Math.Round((double)peakSwitches.Voluntary / n, 2),
                    serviceInvoluntarySwitchesPerEnrollment = Math.Round((double)peakSwitches.Involuntary / n, 2),
                },
                halfPeak = new
                {
                    offeredPerSecond = Round(half), rounds, enrollmentsPerSecond = Round(Median(halfRounds.Select(h => h.Throughput))),
                    p50Ms = Round(halfP50), p99Ms = Round(halfP99),
                    p99MsPerRound = halfRounds.Select(h => Round(h.P99)), accepted = halfRounds.Sum(h => h.Accepted),
                },
                flood = new
                {
                    junkKind, junkTo, attacker, requestTopics, floodFilterOnAfterFirstFloodRound = floodFilterOn, floodFilterInPlace,
                    // The unmeasured round in which the service first met the flood (cold junk path; with per-enrollee
                    // topics, the round in which the filter went on), against the half-rate round just before it.
                    firstFloodRound = new
                    {
                        p50Ms = Round(firstFlood.P50), p99Ms = Round(firstFlood.P99),
                        p50SlowdownPercent = Round(100 * (firstFlood.P50 - firstHalf.P50) / firstHalf.P50),
                        p99SlowdownPercent = Round(100 * (firstFlood.P99 - firstHalf.P99) / firstHalf.P99),
                    },
                    junkMessages = junk.Count, junkPerSecond = Round(Median(floodRounds.Select(f => f.JunkRate))),
                    enrollmentsPerSecond = Round(Median(floodRounds.Select(f => f.Throughput))),
                    p50Ms = Round(floodP50), p99Ms = Round(floodP99),
                    p99MsPerRound = floodRounds.Select(f => Round(f.P99)), accepted = floodRounds.Sum(f => f.Accepted),
                    // Every round's latencies pooled: flood against half-peak.
                    p99SlowdownPercent = Round(100 * (floodP99 - halfP99) / halfP99),
                    p50SlowdownPercent = Round(100 * (floodP50 - halfP50) / halfP50),
                    // Per round: the flood round's p99 (p50) against the half-peak round just before it.
                    p99SlowdownPercentPerRound = p99Slowdowns, p50SlowdownPercentPerRound = p50Slowdowns,
                    // Share of the machine's cores busy in the half-peak rounds and in the flood rounds.
                    machineBusyPercent = new { halfPeak = Round(100 * halfBusy), flood = Round(100 * floodBusy) },
                    // What the junk cost each process (flood rounds minus the half-peak rounds, which carried the same
                    // real enrollments at the same rate), per junk message: where the flood's CPU goes on the shared cores.
                    serviceCpuMicrosecondsPerJunk = PerJunk(floodCpuUs.Service - halfCpuUs.Service, junk.Count),
                    brokerCpuMicrosecondsPerJunk = PerJunk(floodCpuUs.Broker - halfCpuUs.Broker, junk.Count),
                    loadGeneratorCpuMicrosecondsPerJunk = PerJunk(floodCpuUs.LoadGenerator - halfCpuUs.LoadGenerator, junk.Count),
                },
                serviceCpuMicrosecondsPerEnrollment = Round(cpuPerEnrollmentUs),
                cryptoFloorMicroseconds = Round(floorUs),
                cryptoFloorSamplesMicroseconds = floorSamples.Select(f => Round(f.CpuUs)),
                cryptoFloorWallMicroseconds = Round(floorWallUs),
                cpuToFloorRatio = Round(cpuPerEnrollmentUs / floorUs),
                loadAverage = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "",
            };
            Console.WriteLine(JsonSerializer.Serialize(result));
            return 0;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string ServiceDll => Path.Combine(AppContext.BaseDirectory, "Enrollment.Service.dll");

    private static double Round(double v) => Math.Round(v, 1);

    // Null for the control (--junk none), which sends no junk to divide by.
    private static double? PerJunk(double cpuUs, int junkCount) => junkCount == 0 ? null : Round(cpuUs / junkCount);

    private static double Median(IEnumerable<double> values)
    {
        var v = values.Order().ToArray();
        return v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }

    private static List<T> Chunk<T>(List<T> all, int round, int rounds)
    {
        var from = all.Count * round / rounds;
        return all.GetRange(from, all.Count * (round + 1) / rounds - from);
    }

    private static (double Service, double Broker, double LoadGenerator) Add(
        (double Service, double Broker, double LoadGenerator) a, (double Service, double Broker, double LoadGenerator) b) =>
        (a.Service + b.Service, a.Broker + b.Broker, a.LoadGenerator + b.LoadGenerator);

    private static void Progress(string s) => Console.Error.WriteLine("[bench] " + s);

    private static int IntArg(string[] args, string name, int fallback) =>
        Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;

    private static IEnumerable<(string Name, string Value)> ServiceEnvArgs(string[] args)
    {
        for (var i = 0; i + 1 < args.Length; i++)
        {
            if (args[i] == "--service-env")
            {
                var eq = args[i + 1].IndexOf('=', StringComparison.Ordinal);
                yield return eq > 0 ? (args[i + 1][..eq], args[i + 1][(eq + 1)..])
                    : throw new ArgumentException("--service-env takes NAME=VALUE, not " + args[i + 1]);
            }
        }
    }

    private static string StringArg(string[] args, string name, string fallback) =>
        Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;

    private static async Task<ChildProcess> StartMosquittoAsync(string dir, int port)
    {
        var conf = Path.Combine(dir, port + ".conf");
        await File.WriteAllTextAsync(conf, string.Join('\n', "allow_anonymous true", "persistence false", "user root", "log_dest stderr",
            "log_type error", "log_type warning", "log_type notice", "log_type information", "max_inflight_messages 0", "max_queued_messages 0", "set_tcp_nodelay true",
            "listener " + port + " 127.0.0.1", ""));
        return await ChildProcess.StartAsync("/usr/sbin/mosquitto", ["-c", conf], new Dictionary<string, string>(), " running", TimeSpan.FromSeconds(15));
    }

    private static Dictionary<string, string> ServiceEnvironment(string dir, int brokerPort, int pool, string database, string pg, string logLevel)
    {
        var env = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Enrollment__DataDirectory"] = Path.Combine(dir, "data"),
            ["Enrollment__Http__Port"] = ChildProcess.FreePort().ToString(CultureInfo.InvariantCulture),
            ["Enrollment__Mqtt__Host"] = "127.0.0.1",
            ["Enrollment__Mqtt__Port"] = brokerPort.ToString(CultureInfo.InvariantCulture),
            ["Enrollment__Mqtt__ClientId"] = "bench-service",
            ["Enrollment__Mqtt__EnrollmentTopic"] = "bench/request",
            ["Enrollment__Mqtt__ResultTopicPrefix"] = "bench/result/",
            ["Enrollment__Keys__KeyEncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Enrollment__Keys__OneTimePrekeyPool"] = pool.ToString(CultureInfo.InvariantCulture),
            ["Enrollment__Lifetimes__MaxBundlesPerRequest"] = "1000",
            // Warning by default; `--log-level Information` (the service's own default) measures with its logging on.
            ["Logging__LogLevel__Default"] = logLevel,
            ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information",
        };
        if (database == "postgresql")
        {
            env["Enrollment__Storage__Provider"] = "PostgreSql";
            env["Enrollment__Storage__ConnectionString"] = pg;
        }

        return env;
    }

    private static async Task<string> RunToEndAsync(string dll, string[] args, Dictionary<string, string> env)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var (k, v) in env)
        {
            psi.Environment[k] = v;
        }

        using var p = Process.Start(psi)!;
        var output = await p.StandardOutput.ReadToEndAsync();
        var error = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return p.ExitCode == 0 ? output : throw new InvalidOperationException("admin command failed: " + error);
    }

    /// <summary>Fetches bundles, registers one enrollee per bundle and builds its message (off the clock).</summary>
    private static async Task<List<PreparedEnrollee>> PrepareAsync(HttpClient http, int n)
    {
        var prepared = new List<PreparedEnrollee>(n);
        while (prepared.Count < n)
        {
            var count = Math.Min(1000, n - prepared.Count);
            using var response = await http.PostAsync("/v1/bundles?count=" + count, null);
            response.EnsureSuccessStatusCode();
            var doc = await response.Content.ReadFromJsonAsync<JsonElement>();
            var bundles = doc.GetProperty("bundles").EnumerateArray().Select(b => (b.GetProperty("bundleId").GetString()!, Convert.FromBase64String(b.GetProperty("bundle").GetString()!))).ToList();
            var made = new PreparedEnrollee[bundles.Count];
            await Parallel.ForEachAsync(Enumerable.Range(0, bundles.Count), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
            {
                var (bundleId, bytes) = bundles[i];
                EnrollmentBundle.TryDecode(bytes, 0, bytes.Length, out var bundle);
                var eik = RandomNumberGenerator.GetBytes(32);
                var eikPublic = Sodium.PublicKey(eik);
                using var r = await http.PostAsJsonAsync("/v1/enrollees", new { eikPublicKey = Convert.ToBase64String(eikPublic), bundleId }, ct);
                r.EnsureSuccessStatusCode();
                EnrolleeHandshake.CreateMessage(bundle!, eik, RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(64),
                    DateTimeOffset.UtcNow.ToUnixTimeSeconds(), null, LibsodiumX3dhPrimitives.Instance, out var attempt);
                made[i] = new PreparedEnrollee(EnrolleeId.ToText(attempt!.EnrolleeId), attempt.Message);
            });
            prepared.AddRange(made);
        }

        return prepared;
    }

    /// <summary>Well-formed enrollment messages for enrollees nobody registered, each with a fresh EK_B.</summary>
    private static List<byte[]> Junk(byte[] template, int count)
    {
        EnrollmentMessage.TryDecode(template, 0, template.Length, out var m);
        var junk = new List<byte[]>(count);
        for (var i = 0; i < count; i++)
        {
            junk.Add(new EnrollmentMessage(RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32), m!.SignedPreKeyId, m.OneTimePreKeyId, m.Ciphertext).Encode());
        }

        return junk;
    }
}

internal sealed record PreparedEnrollee(string IdText, byte[] Message);

/// <summary>CPU time of the service, the broker and this process (the load generator) over one phase, in microseconds.</summary>
internal sealed class CpuMeter
{
    private readonly Process _service;
    private readonly Process _broker;
    private readonly (double Service, double Broker, double LoadGenerator) _start;
    private readonly (long Busy, long Steal, long Total) _machineStart = MachineTicks();
    private readonly (long Voluntary, long Involuntary) _switchesStart;

    private CpuMeter(Process service, Process broker)
    {
        _service = service;
        _broker = broker;
        _switchesStart = ContextSwitches(service.Id);
        _start = Read();
    }

    public static CpuMeter Start(Process service, Process broker) => new(service, broker);

    /// <summary>The share of all cores busy (0-1) since <see cref="Start"/>, from /proc/stat (NaN elsewhere).</summary>
    public double MachineBusy()
    {
        var (busy, _, total) = MachineTicks();
        return total == _machineStart.Total ? double.NaN : (double)(busy - _machineStart.Busy) / (total - _machineStart.Total);
    }

    /// <summary>
    /// The share of the cores' time the hypervisor gave to other guests (0-1) since <see cref="Start"/>: a virtual CPU
    /// descheduled while a process runs may be charged to that process, so CPU per enrollment measured in a phase with
    /// steal is not the service's alone.
    /// </summary>
    public double MachineSteal()
    {
        var (_, steal, total) = MachineTicks();
        return total == _machineStart.Total ? double.NaN : (double)(steal - _machineStart.Steal) / (total - _machineStart.Total);
    }

    private static (long Busy, long Steal, long Total) MachineTicks()
    {
        if (!File.Exists("/proc/stat"))
        {
            return (0, 0, 0);
        }

        // "cpu  user nice system idle iowait irq softirq steal ...": idle and iowait are not busy.
        var f = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8).Select(long.Parse).ToArray();
        var total = f.Sum();
        return (total - f[3] - f[4], f[7], total);
    }

    /// <summary>
    /// The service's context switches since <see cref="Start"/> (summed over its threads, /proc/PID/task/*/status):
    /// voluntary ones are a thread going to sleep (a hand-off to another thread, a wait for I/O), involuntary ones
    /// the scheduler taking the core away. A count, so steadier than CPU time on a noisy VM. Threads that ended
    /// within the phase drop out of the sum (the thread pool keeps its threads under load).
    /// </summary>
    public (long Voluntary, long Involuntary) ServiceContextSwitches()
    {
        var (v, i) = ContextSwitches(_service.Id);
        return (v - _switchesStart.Voluntary, i - _switchesStart.Involuntary);
    }

    private static (long Voluntary, long Involuntary) ContextSwitches(int pid)
    {
        long voluntary = 0, involuntary = 0;
        var tasks = "/proc/" + pid + "/task";
        if (!Directory.Exists(tasks))
        {
            return (0, 0);
        }

        foreach (var task in Directory.EnumerateDirectories(tasks))
        {
            try
            {
                foreach (var line in File.ReadLines(Path.Combine(task, "status")))
                {
                    if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal))
                    {
                        voluntary += long.Parse(line.AsSpan(line.IndexOf(':') + 1).Trim());
                    }
                    else if (line.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal))
                    {
                        involuntary += long.Parse(line.AsSpan(line.IndexOf(':') + 1).Trim());
                    }
                }
            }
            catch (IOException)
            {
                // The thread ended while we read.
            }
        }

        return (voluntary, involuntary);
    }

    public (double Service, double Broker, double LoadGenerator) Stop()
    {
        var end = Read();
        return (end.Service - _start.Service, end.Broker - _start.Broker, end.LoadGenerator - _start.LoadGenerator);
    }

    private (double Service, double Broker, double LoadGenerator) Read()
    {
        _service.Refresh();
        _broker.Refresh();
        using var self = Process.GetCurrentProcess();
        return (_service.TotalProcessorTime.TotalMicroseconds, _broker.TotalProcessorTime.TotalMicroseconds, self.TotalProcessorTime.TotalMicroseconds);
    }
}
