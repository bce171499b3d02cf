using System.Security.Cryptography;
using Enrollment.Service.Host;
using Enrollment.Service.Storage;
using Microsoft.Extensions.Options;

namespace Enrollment.Service.Domain;

/// <summary>Signs SPK_A with IK_A as docs/protocol.md states (XEdDSA over the SPK signing input).</summary>
internal interface ISignedPrekeySigner
{
    byte[] Sign(byte[] identityPrivateKey, uint signedPrekeyId, byte[] signedPrekeyPublic, long expiresAtUnixSeconds);
}

/// <summary>A signed prekey as held in memory: private key opened only while the key is accepted.</summary>
internal sealed record SignedPrekey(uint Id, byte[] PublicKey, byte[] Signature, long ReplaceAtMs, long RetireAtMs, byte[] PrivateKey);

/// <summary>
/// The service's X3DH keys (OP-0006 / X3DH section 2): IK_A made once, SPK_A rotated on a schedule with an
/// overlap window in which the previous SPK still accepts enrollments, and a pool of OPK_A refilled in the
/// background. Private keys live in the store sealed by <see cref="KeyVault"/>; IK_A and the accepted SPKs
/// are held open in memory (the ingress needs them for every message), OPKs are opened per message.
/// </summary>
internal sealed class ServiceKeys : IDisposable
{
    private const int InsertBatch = 100;
    private readonly IEnrollmentStore _store;
    private readonly KeyVault _vault;
    private readonly ISignedPrekeySigner _signer;
    private readonly KeyOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ServiceKeys> _log;
    private readonly SemaphoreSlim _maintain = new(1, 1);
    private byte[]? _identityPrivate;
    private volatile SignedPrekey[] _signedPrekeys = [];

    public ServiceKeys(IEnrollmentStore store, KeyVault vault, ISignedPrekeySigner signer, IOptions<ServiceOptions> options,
        TimeProvider time, ILogger<ServiceKeys> log)
    {
        _store = store;
        _vault = vault;
        _signer = signer;
        _options = options.Value.Keys;
        _time = time;
        _log = log;
    }

    public byte[] IdentityPublicKey { get; private set; } = [];

    /// <summary>Below this many free OPKs the pool is refilled (to the full pool size): half the pool.</summary>
    public int RefillThreshold => Math.Max(1, _options.OneTimePrekeyPool / 2);

    public bool IsReady => _identityPrivate is not null && _signedPrekeys.Length > 0;

    internal byte[] IdentityPrivateKey => _identityPrivate ?? throw new InvalidOperationException("Service keys are not loaded.");

    /// <summary>The SPK new bundles carry: the newest one.</summary>
    public SignedPrekey Current
    {
        get
        {
            var all = _signedPrekeys;
            return all.Length > 0 ? all[^1] : throw new InvalidOperationException("Service keys are not loaded.");
        }
    }

    /// <summary>An SPK still accepting enrollments (not past its retire time).</summary>
    public SignedPrekey? FindAccepted(uint id, long nowMs)
    {
        foreach (var k in _signedPrekeys)
        {
            if (k.Id == id && k.RetireAtMs > nowMs)
            {
                return k;
            }
        }

        return null;
    }

    public byte[]? OpenOneTimePrekey(OneTimePrekeyRow row) =>
        row.SealedPrivateKey is null ? null : _vault.Open(row.SealedPrivateKey, "opk:" + row.Id);

    /// <summary>Loads IK_A (making it on first start), then rotates and refills as <see cref="MaintainAsync"/>.</summary>
    public async Task InitializeAsync(CancellationToken ct)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var stored = await _store.GetIdentityKeyAsync(ct).ConfigureAwait(false);
        if (stored is null)
        {
            var priv = RandomNumberGenerator.GetBytes(Sodium.KeySize);
            var candidate = new IdentityKeyRow(Sodium.PublicKey(priv), _vault.Seal(priv, "ik"), now);
            CryptographicOperations.ZeroMemory(priv);
            stored = await _store.EnsureIdentityKeyAsync(candidate, ct).ConfigureAwait(false);
            _log.LogInformation("Created the service identity key IK_A {IdentityKey}", Convert.ToHexStringLower(stored.PublicKey));
        }

        _identityPrivate = _vault.Open(stored.SealedPrivateKey, "ik")
            ?? throw new StartupException("The key-encryption key does not open the stored service identity key (wrong Enrollment:Keys:KeyEncryptionKey?).");
        IdentityPublicKey = stored.PublicKey;
        await MaintainAsync(ct).ConfigureAwait(false);
    }

    /// <summary>SPK rotation and retirement, then OPK refill; safe to call at any time (serialised).</summary>
    public async Task MaintainAsync(CancellationToken ct)
    {
        await _maintain.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            var retired = await _store.RetireSignedPrekeysAsync(now, ct).ConfigureAwait(false);
            if (retired > 0)
            {
                _log.LogInformation("Retired {Count} signed prekey(s) past their overlap window", retired);
            }

            await ReloadSignedPrekeysAsync(ct).ConfigureAwait(false);
            if (_signedPrekeys.Length == 0 || _signedPrekeys[^1].ReplaceAtMs <= now)
            {
                await CreateSignedPrekeyAsync(now, ct).ConfigureAwait(false);
                await ReloadSignedPrekeysAsync(ct).ConfigureAwait(false);
            }

            await RefillOneTimePrekeysAsync(now, ct).ConfigureAwait(false);
        }
        finally
        {
            _maintain.Release();
        }
    }

    private async Task CreateSignedPrekeyAsync(long now, CancellationToken ct)
    {
        var id = await _store.MaxKeyIdAsync(ct).ConfigureAwait(false) + 1;
        var replaceAt = now + (long)_options.SignedPrekeyLifetime.TotalMilliseconds;
        var retireAt = replaceAt + (long)_options.SignedPrekeyOverlap.TotalMilliseconds;
        var priv = RandomNumberGenerator.GetBytes(Sodium.KeySize);
        try
        {
            var pub = Sodium.PublicKey(priv);
            // The wire carries the SPK's expiry in seconds: the end of the window in which it is accepted.
            var signature = _signer.Sign(IdentityPrivateKey, id, pub, retireAt / 1000);
            await _store.InsertSignedPrekeyAsync(
                new SignedPrekeyRow(id, pub, _vault.Seal(priv, "spk:" + id), signature, now, replaceAt, retireAt), ct).ConfigureAwait(false);
            _log.LogInformation("Created signed prekey {SpkId}, used in new bundles until {ReplaceAt:o}", id, DateTimeOffset.FromUnixTimeMilliseconds(replaceAt));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(priv);
        }
    }

    private async Task ReloadSignedPrekeysAsync(CancellationToken ct)
    {
        var rows = await _store.ListSignedPrekeysAsync(ct).ConfigureAwait(false);
        var open = new List<SignedPrekey>();
        foreach (var r in rows)
        {
            if (r.SealedPrivateKey is null)
            {
                continue;
            }

            var priv = _vault.Open(r.SealedPrivateKey, "spk:" + r.Id)
                ?? throw new StartupException("The key-encryption key does not open signed prekey " + r.Id + ".");
            open.Add(new SignedPrekey(r.Id, r.PublicKey, r.Signature, r.ReplaceAt, r.RetireAt, priv));
        }

        var old = _signedPrekeys;
        _signedPrekeys = [.. open];
        foreach (var k in old)
        {
            // Old copies may still be in use by an ingress call that read them; they are zeroed only when
            // their key left the accepted set (retired), which no caller can still be asked for.
            if (!open.Exists(n => n.Id == k.Id))
            {
                CryptographicOperations.ZeroMemory(k.PrivateKey);
            }
        }
    }

    private async Task RefillOneTimePrekeysAsync(long now, CancellationToken ct)
    {
        var free = await _store.CountFreeOneTimePrekeysAsync(ct).ConfigureAwait(false);
        var missing = _options.OneTimePrekeyPool - free;
        if (free >= RefillThreshold || missing <= 0)
        {
            return;
        }

        var next = await _store.MaxKeyIdAsync(ct).ConfigureAwait(false) + 1;
        var made = 0;
        while (made < missing)
        {
            var batch = new List<OneTimePrekeyRow>(Math.Min(InsertBatch, missing - made));
            for (var i = 0; i < batch.Capacity; i++, next++)
            {
                var priv = RandomNumberGenerator.GetBytes(Sodium.KeySize);
                batch.Add(new OneTimePrekeyRow(next, Sodium.PublicKey(priv), _vault.Seal(priv, "opk:" + next), OpkState.Free));
                CryptographicOperations.ZeroMemory(priv);
            }

            await _store.InsertOneTimePrekeysAsync(batch, now, ct).ConfigureAwait(false);
            made += batch.Count;
        }

        _log.LogInformation("Refilled the one-time prekey pool with {Count} keys", made);
    }

    public void Dispose()
    {
        if (_identityPrivate is not null)
        {
            CryptographicOperations.ZeroMemory(_identityPrivate);
        }

        foreach (var k in _signedPrekeys)
        {
            CryptographicOperations.ZeroMemory(k.PrivateKey);
        }

        _maintain.Dispose();
    }
}
