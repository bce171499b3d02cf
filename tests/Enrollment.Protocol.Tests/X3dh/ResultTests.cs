using Enrollment.Protocol.Messages;
using Enrollment.Protocol.Tests.Messages;
using Enrollment.Protocol.X3dh;

namespace Enrollment.Protocol.Tests.X3dh;

/// <summary>
/// The sealed result: only the holder of SK for the right EK_B reads it; every single-bit flip, truncation or
/// extension is refused (EK_B bits as another attempt, type/version/length as a format error, everything
/// else as an authentication failure); an outcome is never returned for a refused message.
/// </summary>
public class ResultTests
{
    private readonly Scenario _s = new("result");

    private (EnrollmentAttempt Attempt, byte[] Sealed) Sealed(EnrollmentOutcome outcome)
    {
        var attempt = _s.Enroll();
        Assert.Equal(OpenStatus.Opened, _s.Open(attempt.Message, out var identity));
        return (attempt, ServiceHandshake.SealResult(identity!.SharedSecret, attempt.EphemeralPublicKey, outcome, _s.ResultNonce));
    }

    private static ResultStatus Read(EnrollmentAttempt a, byte[] b, out EnrollmentOutcome? outcome) =>
        EnrolleeHandshake.OpenResult(a.SharedSecret, a.EphemeralPublicKey, b, 0, b.Length, out outcome);

    [Fact]
    public void Every_single_bit_flip_is_refused()
    {
        foreach (var outcome in new[] { Scenario.AcceptedOutcome(), EnrollmentOutcome.Rejection(EnrollmentStatus.Expired, 0) })
        {
            var (attempt, sealedResult) = Sealed(outcome);
            for (var bit = 0; bit < sealedResult.Length * 8; bit++)
            {
                var tampered = (byte[])sealedResult.Clone();
                tampered[bit / 8] ^= (byte)(1 << (bit % 8));
                var status = Read(attempt, tampered, out var read);
                Assert.Null(read);
                var at = bit / 8;
                var expected = at < 2 ? ResultStatus.Malformed : at < 34 ? ResultStatus.OtherAttempt : ResultStatus.AuthenticationFailed;
                Assert.Equal(expected, status);
            }
        }
    }

    [Fact]
    public void Every_truncation_and_extension_is_refused()
    {
        var (attempt, sealedResult) = Sealed(Scenario.AcceptedOutcome());
        for (var length = 0; length < sealedResult.Length; length++)
        {
            var status = EnrolleeHandshake.OpenResult(attempt.SharedSecret, attempt.EphemeralPublicKey, sealedResult, 0, length, out var read);
            Assert.Null(read);
            Assert.Equal(length < EnrollmentResult.MinSize ? ResultStatus.Malformed : ResultStatus.AuthenticationFailed, status);
        }

        Assert.Equal(ResultStatus.AuthenticationFailed, Read(attempt, sealedResult.Concat(new byte[] { 0 }).ToArray(), out _));
    }

    [Fact]
    public void A_result_for_another_key_or_attempt_is_refused()
    {
        var (attempt, sealedResult) = Sealed(Scenario.AcceptedOutcome());
        var wrongKey = (byte[])attempt.SharedSecret.Clone();
        wrongKey[0] ^= 1;
        Assert.Equal(ResultStatus.AuthenticationFailed, EnrolleeHandshake.OpenResult(wrongKey, attempt.EphemeralPublicKey, sealedResult, 0, sealedResult.Length, out _));
        var otherEk = new Scenario("x").OpkAPublic;
        Assert.Equal(ResultStatus.OtherAttempt, EnrolleeHandshake.OpenResult(attempt.SharedSecret, otherEk, sealedResult, 0, sealedResult.Length, out _));
    }

    [Fact]
    public void Two_sealings_of_one_outcome_under_fresh_nonces_differ_and_both_open()
    {
        var attempt = _s.Enroll();
        Assert.Equal(OpenStatus.Opened, _s.Open(attempt.Message, out var identity));
        var a = ServiceHandshake.SealResult(identity!.SharedSecret, attempt.EphemeralPublicKey, Scenario.AcceptedOutcome(), new byte[12]);
        var nonce = new byte[12];
        nonce[11] = 1;
        var b = ServiceHandshake.SealResult(identity.SharedSecret, attempt.EphemeralPublicKey, Scenario.AcceptedOutcome(), nonce);
        Assert.NotEqual(a.AsSpan(46).ToArray(), b.AsSpan(46).ToArray());
        Assert.Equal(ResultStatus.Opened, Read(attempt, a, out _));
        Assert.Equal(ResultStatus.Opened, Read(attempt, b, out _));
    }

    [Fact]
    public void A_notice_is_not_a_result()
    {
        var attempt = _s.Enroll();
        var notice = new EnrollmentNotice(attempt.EphemeralPublicKey, EnrollmentStatus.Busy, 10).Encode();
        Assert.Equal(ResultStatus.Malformed, Read(attempt, notice, out _));
    }

    [Fact]
    public void Random_and_mutated_results_never_escape_nor_open()
    {
        var (attempt, sealedResult) = Sealed(Scenario.AcceptedOutcome());
        var rng = new Random(77);
        for (var n = 0; n < 20_000; n++)
        {
            var input = Mutator.Mutate(rng, sealedResult);
            var status = Read(attempt, input, out var read);
            if (status == ResultStatus.Opened)
                Assert.Equal(sealedResult, input);   // only the untouched message may open
            else
                Assert.Null(read);
        }
    }
}
