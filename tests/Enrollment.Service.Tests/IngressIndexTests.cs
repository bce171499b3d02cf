using System.Security.Cryptography;
using Enrollment.Service.Domain;

namespace Enrollment.Service.Tests;

/// <summary>The in-memory pre-check index on its own: each verdict, in OP-0006's order, and its updates.</summary>
public sealed class IngressIndexTests
{
    private static byte[] Key() => RandomNumberGenerator.GetBytes(32);

    private static IngressIndex Loaded(params (byte[] Hash, long ExpiresAt, uint Opk)[] pending)
    {
        var index = new IngressIndex();
        index.Load(pending, []);
        return index;
    }

    [Fact]
    public void Before_loading_every_message_passes_to_the_database()
    {
        var index = new IngressIndex();
        Assert.False(index.IsLoaded);
        Assert.Equal(PrecheckVerdict.Pass, index.Check(Key(), Key(), Key(), 1, 0));
    }

    [Fact]
    public void Unknown_expired_and_wrong_opk_are_told_apart_and_a_bound_opk_passes()
    {
        var id = Key();
        var index = Loaded((id, 1000, 7));
        Assert.Equal(PrecheckVerdict.UnknownEnrollee, index.Check(Key(), Key(), Key(), 7, 10));
        Assert.Equal(PrecheckVerdict.Pass, index.Check(Key(), Key(), id, 7, 999));
        Assert.Equal(PrecheckVerdict.Expired, index.Check(Key(), Key(), id, 7, 1000));
        Assert.Equal(PrecheckVerdict.OneTimePrekeyMismatch, index.Check(Key(), Key(), id, 8, 10));
    }

    [Fact]
    public void An_accepted_ephemeral_key_is_seen_for_the_same_message_and_replayed_for_another_before_the_enrollee_check()
    {
        var id = Key();
        var ek = Key();
        var hash = Key();
        var index = Loaded((id, 1000, 7));
        index.Enrolled(id, 7, ek, hash);

        Assert.Equal(PrecheckVerdict.Seen, index.Check(ek, hash, id, 7, 10));
        var other = (byte[])hash.Clone();
        other[0] ^= 1;
        Assert.Equal(PrecheckVerdict.Replayed, index.Check(ek, other, id, 7, 10));
        Assert.Equal(PrecheckVerdict.Replayed, index.Check(ek, other, Key(), 7, 10)); // EK_B first, whatever the id
        Assert.Equal(PrecheckVerdict.UnknownEnrollee, index.Check(Key(), hash, id, 7, 10)); // enrolled: no longer pending
    }

    [Fact]
    public void Removing_an_old_record_keeps_a_newer_registration_of_the_same_identity_key()
    {
        var id = Key();
        var index = Loaded((id, 1000, 7));
        index.AddPending(id, 2000, 9); // re-registered on a new bundle
        index.RemovePending(id, 7);    // the old record is revoked or expired
        Assert.Equal(PrecheckVerdict.Pass, index.Check(Key(), Key(), id, 9, 10));
        index.RemovePending(id, 9);
        Assert.Equal(PrecheckVerdict.UnknownEnrollee, index.Check(Key(), Key(), id, 9, 10));
    }

    [Fact]
    public void Rows_left_by_registration_come_back_only_on_a_pass_and_go_with_the_pending_entry()
    {
        var id = Key();
        var enrollee = new EnrolleeRow("e1", id, Key(), "pet", "b1", 7, 1, "line-1", EnrolleeState.Pending, 0, 1000, null, null, null);
        var vetted = new VettedEnrollee(enrollee, new BundleRow("b1", 7, 1, 1, 0, 1000, BundleState.Bound, [1, 2, 3]),
            new OneTimePrekeyRow(7, new byte[32], new byte[80], OpkState.Reserved));
        var index = Loaded();
        index.AddPending(id, 1000, 7, vetted);
        Assert.Equal(PrecheckVerdict.Pass, index.Check(Key(), Key(), id, 7, 10, out var got));
        Assert.Same(vetted, got);
        Assert.Equal(PrecheckVerdict.OneTimePrekeyMismatch, index.Check(Key(), Key(), id, 8, 10, out got));
        Assert.Null(got);
        Assert.Equal(PrecheckVerdict.Expired, index.Check(Key(), Key(), id, 7, 1000, out got));
        Assert.Null(got);

        index.Enrolled(id, 7, Key(), Key());
        Assert.Equal(PrecheckVerdict.UnknownEnrollee, index.Check(Key(), Key(), id, 7, 10, out got));
        Assert.Null(got);

        // Loaded at start (no rows in memory): a pass without rows, so the ingress reads them.
        var loaded = Loaded((id, 1000, 7));
        Assert.Equal(PrecheckVerdict.Pass, loaded.Check(Key(), Key(), id, 7, 10, out got));
        Assert.Null(got);
    }

    [Fact]
    public void Loading_replaces_the_contents()
    {
        var id = Key();
        var index = Loaded((id, 1000, 7));
        var ek = Key();
        var hash = Key();
        index.Load([], [(ek, hash)]);
        Assert.Equal(PrecheckVerdict.UnknownEnrollee, index.Check(Key(), Key(), id, 7, 10));
        Assert.Equal(PrecheckVerdict.Seen, index.Check(ek, hash, id, 7, 10));
    }
}
