using System.Buffers.Binary;

namespace Enrollment.Service.Domain;

/// <summary>What the index can say about a message before the database is asked.</summary>
internal enum PrecheckVerdict
{
    /// <summary>Nothing in memory rules it out: the database read decides (it remains the authority).</summary>
    Pass,

    /// <summary>EK_B was accepted before with a message of the same hash prefix: the database holds the answer to resend.</summary>
    Seen,

    /// <summary>EK_B was accepted before with a different message: a replay attempt.</summary>
    Replayed,

    UnknownEnrollee,
    Expired,
    OneTimePrekeyMismatch,
}

/// <summary>
/// The in-memory pre-check index in front of the database (issue 4: junk is rejected before any public-key
/// work and without slowing real enrollments). It holds the pending enrollees (Hash(EIK_B) -> expiry and
/// bound OPK id) and the accepted EK_B values (-> first 8 bytes of the accepted message's hash), so the
/// first checks of OP-0006's order (EK_B seen? enrollee pending? expired? OPK bound to it?) cost two hash
/// lookups and no database round trip. The same pending entries tell the MQTT link whether a request topic it
/// is about to give up is awaited again (<see cref="IsAwaited"/>).
/// <para>
/// For the enrollee and OPK it is a filter, not the authority: the store loads it at start and updates it after
/// each commit that changes these facts, and a message the index passes is checked again against the database
/// and committed conditionally (OPK still reserved, enrollee still pending), so a stale entry can only send a
/// message on to the database, never accept one. For EK_B it is the record the commit consults: EK_B is no key
/// of the database (migration 4: a random key cost a random B-tree page per enrollment), the index holds every
/// accepted one (loaded at start), and the store's single writer adds each before its next group transaction
/// (SqlEnrollmentStore.IsEphemeralKeyRecordedAsync). This is why one database serves one service process. The one direction that would wrongly reject
/// (a pending enrollee missing here) cannot arise: an enrollee is added before its registration is
/// answered, and the enroller hands the device its bundle only after that answer.
/// </para>
/// Until <see cref="Load"/> runs (the admin commands never load it) every check passes to the database.
/// Memory: about 60 bytes per accepted EK_B and per pending enrollee (1 M enrollments: about 60 MB), plus about
/// 500 bytes of enrollee and bundle rows per enrollee registered since start.
/// </summary>
internal sealed class IngressIndex
{
    private readonly Lock _lock = new();
    private readonly Dictionary<Key32, PendingEntry> _pending = [];
    private readonly Dictionary<Key32, ulong> _seen = [];
    private bool _loaded;

    public bool IsLoaded
    {
        get
        {
            lock (_lock)
            {
                return _loaded;
            }
        }
    }

    /// <summary>Replaces the contents with what the database holds (at start, before messages or writes arrive).</summary>
    public void Load(IEnumerable<(byte[] EikHash, long ExpiresAt, uint OpkId)> pending, IEnumerable<(byte[] EphemeralKey, byte[] MessageHash)> seen)
    {
        lock (_lock)
        {
            _pending.Clear();
            _seen.Clear();
            foreach (var (hash, expiresAt, opkId) in pending)
            {
                _pending[Key32.From(hash)] = new PendingEntry(expiresAt, opkId, null);
            }

            foreach (var (ek, messageHash) in seen)
            {
                _seen[Key32.From(ek)] = Prefix(messageHash);
            }

            _loaded = true;
        }
    }

    /// <summary>The cheap checks of docs/protocol.md section 11, in its order, from memory only.</summary>
    public PrecheckVerdict Check(byte[] ephemeralKey, byte[] messageHash, byte[] enrolleeId, uint opkId, long now) =>
        Check(ephemeralKey, messageHash, enrolleeId, opkId, now, out _);

    /// <summary>
    /// As above; on <see cref="PrecheckVerdict.Pass"/> also the enrollee and bundle rows registration left here
    /// (null for enrollees loaded at start: the ingress then reads them from the database).
    /// </summary>
    public PrecheckVerdict Check(byte[] ephemeralKey, byte[] messageHash, byte[] enrolleeId, uint opkId, long now, out VettedEnrollee? vetted)
    {
        vetted = null;
        var ek = Key32.From(ephemeralKey);
        var id = Key32.From(enrolleeId);
        lock (_lock)
        {
            if (!_loaded)
            {
                return PrecheckVerdict.Pass;
            }

            if (_seen.TryGetValue(ek, out var accepted))
            {
                // The hash prefix is public data (the hash of a message sent in the clear); the database
                // compares the full hash in fixed time before resending the stored answer.
                return accepted == Prefix(messageHash) ? PrecheckVerdict.Seen : PrecheckVerdict.Replayed;
            }

            if (!_pending.TryGetValue(id, out var entry))
            {
                return PrecheckVerdict.UnknownEnrollee;
            }

            if (entry.ExpiresAt <= now)
            {
                return PrecheckVerdict.Expired;
            }

            if (entry.OpkId != opkId)
            {
                return PrecheckVerdict.OneTimePrekeyMismatch;
            }

            vetted = entry.Vetted;
            return PrecheckVerdict.Pass;
        }
    }

    /// <summary>A registration committed: the enrollee is pending until <paramref name="expiresAt"/>, bound to <paramref name="opkId"/>.</summary>
    public void AddPending(byte[] eikHash, long expiresAt, uint opkId, VettedEnrollee? vetted = null)
    {
        lock (_lock)
        {
            _pending[Key32.From(eikHash)] = new PendingEntry(expiresAt, opkId, vetted);
        }
    }

    /// <summary>
    /// The enrollee bound to <paramref name="opkId"/> left the pending state (deleted, revoked, expired). Keyed by
    /// the OPK too, so that retiring an old record never removes a newer registration of the same EIK_B.
    /// </summary>
    public void RemovePending(byte[] eikHash, uint opkId)
    {
        lock (_lock)
        {
            RemovePendingLocked(eikHash, opkId);
        }
    }

    /// <summary>Removes the entry only if it is still bound to this OPK (a newer registration keeps its own).</summary>
    private void RemovePendingLocked(byte[] eikHash, uint opkId)
    {
        var key = Key32.From(eikHash);
        if (_pending.TryGetValue(key, out var entry) && entry.OpkId == opkId)
        {
            _pending.Remove(key);
        }
    }

    /// <summary>An enrollment committed: EK_B is spent, and the enrollee is no longer pending.</summary>
    public void Enrolled(byte[] eikHash, uint opkId, byte[] ephemeralKey, byte[] messageHash)
    {
        lock (_lock)
        {
            RemovePendingLocked(eikHash, opkId);
            _seen[Key32.From(ephemeralKey)] = Prefix(messageHash);
        }
    }

    /// <summary>
    /// Whether an enrollee with this Hash(EIK_B) is pending and unexpired (an approval awaits its message); false until
    /// <see cref="Load"/> ran.
    /// </summary>
    public bool IsAwaited(byte[] eikHash, long now)
    {
        var key = Key32.From(eikHash);
        lock (_lock)
        {
            return _loaded && _pending.TryGetValue(key, out var entry) && entry.ExpiresAt > now;
        }
    }

    /// <summary>Whether <paramref name="ephemeralKey"/> was accepted; null until <see cref="Load"/> ran.</summary>
    public bool? IsEphemeralKeySeen(byte[] ephemeralKey)
    {
        var ek = Key32.From(ephemeralKey);
        lock (_lock)
        {
            return _loaded ? _seen.ContainsKey(ek) : null;
        }
    }

    /// <summary>The contents in a canonical text form (tests compare it with a fresh load from the database).</summary>
    internal IReadOnlyList<string> Describe()
    {
        lock (_lock)
        {
            var lines = new List<string>(_pending.Count + _seen.Count);
            lines.AddRange(_pending.Select(p => "pending " + p.Key + " " + p.Value.ExpiresAt + " " + p.Value.OpkId));
            lines.AddRange(_seen.Select(s => "seen " + s.Key + " " + s.Value.ToString("x16", System.Globalization.CultureInfo.InvariantCulture)));
            lines.Sort(StringComparer.Ordinal);
            return lines;
        }
    }

    private static ulong Prefix(byte[] hash) => BinaryPrimitives.ReadUInt64LittleEndian(hash);

    /// <summary>
    /// Vetted holds only public data (EIK_B public, Addr, the enroller's name) and is dropped with the entry, so it
    /// can never outlive the pending state; the OPK's state is not cached (it is read per message).
    /// </summary>
    private readonly record struct PendingEntry(long ExpiresAt, uint OpkId, VettedEnrollee? Vetted);

    /// <summary>
    /// A 32-byte key (Hash(EIK_B) or EK_B) by value. HashCode.Combine is seeded per process, so keys an
    /// attacker chooses cannot be aimed at one bucket.
    /// </summary>
    private readonly record struct Key32(ulong A, ulong B, ulong C, ulong D)
    {
        public static Key32 From(byte[] b)
        {
            var s = b.AsSpan(0, 32);
            return new Key32(BinaryPrimitives.ReadUInt64LittleEndian(s), BinaryPrimitives.ReadUInt64LittleEndian(s[8..]),
                BinaryPrimitives.ReadUInt64LittleEndian(s[16..]), BinaryPrimitives.ReadUInt64LittleEndian(s[24..]));
        }

        public bool Equals(Key32 other) => A == other.A && B == other.B && C == other.C && D == other.D;

        public override int GetHashCode() => HashCode.Combine(A, B, C, D);

        public override string ToString() => A.ToString("x16", System.Globalization.CultureInfo.InvariantCulture) +
            B.ToString("x16", System.Globalization.CultureInfo.InvariantCulture) + C.ToString("x16", System.Globalization.CultureInfo.InvariantCulture) +
            D.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
    }
}
