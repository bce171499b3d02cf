using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Enrollment.Tool.Tests;

/// <summary>
/// An in-test stand-in for the enroller API (HttpListener on loopback), for the fault paths: it can
/// answer 401, be down, or refuse; it records pending enrollees so tests can assert none is left behind.
/// </summary>
internal sealed class FakeService : IDisposable
{
    private readonly ConcurrentDictionary<string, JsonObject> _pending = new();
    private readonly ConcurrentDictionary<string, bool> _issued = new();
    private HttpListener? _listener;
    private Task? _loop;

    public FakeService()
    {
        Port = FreePort();
        Start();
    }

    public int Port { get; }

    public string Url => "http://127.0.0.1:" + Port + "/";

    public const string Token = "enr_test_token_0123456789";

    /// <summary>When set, every request is answered 401 (a revoked token).</summary>
    public bool RejectToken { get; set; }

    public IReadOnlyCollection<JsonObject> Pending => _pending.Values.ToList();

    public int BundlesIssued => _issued.Count;

    public int Deletes;

    public void Start()
    {
        _listener = new HttpListener();
        _listener.Prefixes.Add(Url);
        _listener.Start();
        var listener = _listener;
        _loop = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                Handle(context);
            }
        });
    }

    /// <summary>The service goes down: connections are refused.</summary>
    public void Stop()
    {
        _listener?.Stop();
        _listener?.Close();
        _loop?.Wait(TimeSpan.FromSeconds(5));
        _listener = null;
    }

    public void Dispose() => Stop();

    public static byte[] MakeBundle() => [.. FakeProtocol.Magic, .. RandomNumberGenerator.GetBytes(200)];

    private void Handle(HttpListenerContext c)
    {
        var request = c.Request;
        var path = request.Url!.AbsolutePath;
        if (RejectToken || request.Headers["Authorization"] != "Bearer " + Token)
        {
            Reply(c, 401, new JsonObject { ["title"] = "unauthorized", ["code"] = "unauthorized", ["status"] = 401 });
            return;
        }

        if (request.HttpMethod == "POST" && path == "/v1/bundles")
        {
            int count = int.Parse(request.QueryString["count"] ?? "1");
            var bundles = new JsonArray();
            for (int i = 0; i < count; i++)
            {
                string id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
                _issued[id] = true;
                bundles.Add(new JsonObject
                {
                    ["bundleId"] = id, ["expiresAt"] = DateTimeOffset.UtcNow.AddDays(7).ToString("o"), ["bundle"] = Convert.ToBase64String(MakeBundle()),
                });
            }

            Reply(c, 200, new JsonObject { ["bundles"] = bundles });
            return;
        }

        if (request.HttpMethod == "POST" && path == "/v1/enrollees")
        {
            using var reader = new StreamReader(request.InputStream, Encoding.UTF8);
            var body = JsonNode.Parse(reader.ReadToEnd())!.AsObject();
            string bundleId = (string)body["bundleId"]!;
            if (!_issued.ContainsKey(bundleId))
            {
                Reply(c, 404, new JsonObject { ["title"] = "bundle unknown", ["code"] = "bundle_unknown", ["status"] = 404 });
                return;
            }

            string id = Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(bundleId)))[..16];
            var row = new JsonObject
            {
                ["id"] = id, ["deviceId"] = Convert.ToHexStringLower(SHA256.HashData(Convert.FromBase64String((string)body["eikPublicKey"]!))),
                ["petName"] = (string?)body["petName"], ["bundleId"] = bundleId, ["state"] = "pending", ["enroller"] = "test",
                ["createdAt"] = DateTimeOffset.UtcNow.ToString("o"), ["expiresAt"] = DateTimeOffset.UtcNow.AddDays(1).ToString("o"),
            };
            _pending[id] = row;
            Reply(c, 201, row.DeepClone());
            return;
        }

        if (request.HttpMethod == "DELETE" && path.StartsWith("/v1/enrollees/", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref Deletes);
            bool removed = _pending.TryRemove(path["/v1/enrollees/".Length..], out _);
            Reply(c, removed ? 204 : 404, removed ? null : new JsonObject { ["code"] = "enrollee_unknown", ["status"] = 404 });
            return;
        }

        Reply(c, 404, new JsonObject { ["code"] = "not_found", ["status"] = 404 });
    }

    private static void Reply(HttpListenerContext c, int status, JsonNode? body)
    {
        c.Response.StatusCode = status;
        if (body != null)
        {
            var bytes = Encoding.UTF8.GetBytes(body.ToJsonString());
            c.Response.ContentType = status >= 400 ? "application/problem+json" : "application/json";
            c.Response.OutputStream.Write(bytes);
        }

        c.Response.Close();
    }

    public static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
