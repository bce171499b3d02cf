using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Enrollment.Protocol.Messages;
using Enrollment.Protocol.X3dh;

namespace Enrollment.Protocol.Tests.X3dh;

/// <summary>
/// The golden vector (tests/vectors/protocol/enrollment-v1.json) is reproduced byte for byte from both sides,
/// and recomputed independently from docs/protocol.md with libsodium (X25519, Ed25519) and the .NET
/// runtime's HKDF, SHA-256 and ChaCha20-Poly1305, so it checks the specification, not only our code.
/// </summary>
public class GoldenVectorTests
{
    private static readonly JsonElement V = Load();

    private static JsonElement Load()
    {
        if (Environment.GetEnvironmentVariable("ENROLLMENT_WRITE_VECTORS") == "1")
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir != null && !File.Exists(Path.Combine(dir.FullName, "Enrollment.sln")))
                dir = dir.Parent;
            var target = Path.Combine(dir!.FullName, "tests", GoldenVector.RelativePath);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.WriteAllText(target, GoldenVector.Generate());
            var copy = Path.Combine(AppContext.BaseDirectory, GoldenVector.RelativePath);
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.WriteAllText(copy, GoldenVector.Generate());
        }

        return JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, GoldenVector.RelativePath))).RootElement;
    }

    private static byte[] B(string section, string name) => Convert.FromHexString(V.GetProperty(section).GetProperty(name).GetString()!);

    private static byte[] In(string name) => B("inputs", name);

    private static long N(string name) => V.GetProperty("inputs").GetProperty(name).GetInt64();

    [Fact]
    public void The_generator_reproduces_the_file_exactly()
    {
        var file = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, GoldenVector.RelativePath));
        Assert.Equal(file, GoldenVector.Generate());
    }

    [Fact]
    public void The_enrollee_side_builds_the_vector_message_from_the_vector_inputs()
    {
        var bundleBytes = B("bundle", "bytes");
        Assert.True(EnrollmentBundle.TryDecode(bundleBytes, 0, bundleBytes.Length, out var bundle));
        var t = new X3dhTranscript { KeepSecretsForVectors = true };
        var status = EnrolleeHandshake.CreateMessage(bundle, In("eik_b_private"), In("ek_b_private"), In("ik_b_private"), In("ik_b_signature_random"), N("now"), null, DefaultX3dhPrimitives.Instance, t, out var attempt);
        Assert.Equal(EnrolleeStatus.Created, status);
        AssertTranscript(t);
        Assert.Equal(B("enrollment", "message"), attempt!.Message);
        Assert.Equal(B("enrollment", "sk"), attempt.SharedSecret);
        Assert.Equal(B("public_keys", "ek_b"), attempt.EphemeralPublicKey);
        Assert.Equal(B("public_keys", "ik_b"), attempt.IdentityPublicKey);
        Assert.Equal(B("enrollment", "enrollee_id"), attempt.EnrolleeId);
    }

    [Fact]
    public void The_service_side_opens_the_vector_message_and_seals_the_vector_result()
    {
        var messageBytes = B("enrollment", "message");
        Assert.True(EnrollmentMessage.TryDecode(messageBytes, 0, messageBytes.Length, out var message));
        Assert.Equal((uint)N("spk_id"), message.SignedPreKeyId);
        Assert.Equal((uint)N("opk_id"), message.OneTimePreKeyId);
        var t = new X3dhTranscript { KeepSecretsForVectors = true };
        var status = ServiceHandshake.Open(message, In("ik_a_private"), In("spk_a_private"), In("opk_a_private"), B("public_keys", "eik_b"), B("bundle", "addr"), DefaultX3dhPrimitives.Instance, t, out var identity);
        Assert.Equal(OpenStatus.Opened, status);
        AssertTranscript(t);
        Assert.Equal(B("public_keys", "ik_b"), identity!.IdentityKey);
        Assert.Equal(B("enrollment", "sk"), identity.SharedSecret);

        var plaintext = B("result", "outcome_plaintext");
        Assert.True(EnrollmentOutcome.TryDecode(plaintext, 0, plaintext.Length, out var outcome));
        Assert.Equal(B("result", "bytes"), ServiceHandshake.SealResult(identity.SharedSecret, message.EphemeralKey, outcome, In("result_nonce")));
    }

    [Fact]
    public void The_enrollee_reads_the_vector_result_and_derives_the_vector_session_keys()
    {
        var result = B("result", "bytes");
        var status = EnrolleeHandshake.OpenResult(B("enrollment", "sk"), B("public_keys", "ek_b"), result, 0, result.Length, out var outcome);
        Assert.Equal(ResultStatus.Opened, status);
        Assert.Equal(B("result", "outcome_plaintext"), outcome!.Encode());
        Assert.Equal(V.GetProperty("inputs").GetProperty("outcome").GetProperty("device_id").GetString(), outcome.DeviceId);
        var keys = SessionKeys.Derive(B("enrollment", "sk"));
        Assert.Equal(B("session", "k_up"), keys.Up);
        Assert.Equal(B("session", "k_down"), keys.Down);
    }

    [Fact]
    public void The_vector_bundle_is_made_of_the_vector_inputs()
    {
        var a = V.GetProperty("inputs").GetProperty("address");
        var address = new ServiceAddress(a.GetProperty("host").GetString()!, a.GetProperty("port").GetInt32(), a.GetProperty("tls").GetBoolean(),
            (CaKind)a.GetProperty("ca_kind").GetInt32(), Convert.FromHexString(a.GetProperty("ca_sha256").GetString()!),
            a.GetProperty("request_topic").GetString()!, a.GetProperty("result_topic_prefix").GetString()!);
        Assert.Equal(B("bundle", "addr"), address.Encode());
        var bundle = new EnrollmentBundle(In("bundle_id"), N("bundle_expires_at"), B("public_keys", "ik_a"), (uint)N("spk_id"), N("spk_expires_at"),
            B("public_keys", "spk_a"), B("bundle", "spk_signature"), (uint)N("opk_id"), B("public_keys", "opk_a"), address);
        Assert.Equal(B("bundle", "bytes"), bundle.Encode());
        var z = In("spk_signature_random");
        Assert.Equal(B("bundle", "spk_signature"), XEdDsaSign(In("ik_a_private"), B("bundle", "spk_signing_input"), z));
        Assert.Equal(B("bundle", "spk_signature"), ServiceHandshake.SignPreKey(In("ik_a_private"), (uint)N("spk_id"), B("public_keys", "spk_a"), N("spk_expires_at"), z));
    }

    /// <summary>Every value recomputed from docs/protocol.md with other implementations (libsodium, the .NET runtime).</summary>
    [Fact]
    public void An_independent_implementation_of_the_spec_agrees_with_every_value()
    {
        var sodium = LibsodiumPrimitives.Instance;
        byte[] Pub(string name)
        {
            var o = new byte[32];
            sodium.PublicKey(In(name), 0, o, 0);
            return o;
        }

        byte[] Dh(byte[] k, byte[] u)
        {
            var o = new byte[32];
            sodium.Dh(k, 0, u, 0, o, 0);
            return o;
        }

        Assert.Equal(B("public_keys", "ik_a"), Pub("ik_a_private"));
        Assert.Equal(B("public_keys", "spk_a"), Pub("spk_a_private"));
        Assert.Equal(B("public_keys", "opk_a"), Pub("opk_a_private"));
        Assert.Equal(B("public_keys", "eik_b"), Pub("eik_b_private"));
        Assert.Equal(B("public_keys", "ek_b"), Pub("ek_b_private"));
        Assert.Equal(B("public_keys", "ik_b"), Pub("ik_b_private"));
        Assert.Equal(B("enrollment", "enrollee_id"), SHA256.HashData(B("public_keys", "eik_b")));
        Assert.Equal(Convert.ToHexStringLower(B("enrollment", "enrollee_id"))[..20], V.GetProperty("enrollment").GetProperty("enrollee_id_text").GetString());

        // Section 6: the SPK signature over L_SPK || id || SPK_A || expiry, verified as Ed25519.
        var spkInput = Encoding.ASCII.GetBytes("OCKAM-ENROLL-SPK-v1").Concat(BigEndian((uint)N("spk_id"))).Concat(B("public_keys", "spk_a")).Concat(BigEndian((ulong)N("spk_expires_at"))).ToArray();
        Assert.Equal(B("bundle", "spk_signing_input"), spkInput);
        Assert.True(sodium.Verify(B("public_keys", "ik_a"), 0, spkInput, 0, spkInput.Length, B("bundle", "spk_signature"), 0));

        // Section 9, both roles.
        var dh1 = Dh(In("eik_b_private"), B("public_keys", "spk_a"));
        Assert.Equal(dh1, Dh(In("spk_a_private"), B("public_keys", "eik_b")));
        var dh2 = Dh(In("ek_b_private"), B("public_keys", "ik_a"));
        Assert.Equal(dh2, Dh(In("ik_a_private"), B("public_keys", "ek_b")));
        var dh3 = Dh(In("ek_b_private"), B("public_keys", "spk_a"));
        var dh4 = Dh(In("ek_b_private"), B("public_keys", "opk_a"));
        Assert.Equal(B("enrollment", "dh1"), dh1);
        Assert.Equal(B("enrollment", "dh2"), dh2);
        Assert.Equal(B("enrollment", "dh3"), dh3);
        Assert.Equal(B("enrollment", "dh4"), dh4);
        var info = Encoding.ASCII.GetBytes("Ockam Enrollment v1 SK");
        var ikm = Enumerable.Repeat((byte)0xFF, 32).Concat(dh1).Concat(dh2).Concat(dh3).Concat(dh4).ToArray();
        Assert.Equal(B("enrollment", "ikm"), ikm);
        var sk = HKDF.DeriveKey(HashAlgorithmName.SHA256, ikm, 32, new byte[32], info);
        Assert.Equal(B("enrollment", "sk"), sk);
        var h = SHA256.HashData(info.Concat(ikm).ToArray());
        Assert.Equal(B("enrollment", "h"), h);

        // Section 8: header, AAD, nonce, body, ciphertext.
        var header = new byte[] { 0x02, 0x01 }.Concat(B("public_keys", "ek_b")).Concat(B("enrollment", "enrollee_id"))
            .Concat(BigEndian((uint)N("spk_id"))).Concat(BigEndian((uint)N("opk_id"))).ToArray();
        Assert.Equal(B("enrollment", "header"), header);
        var aad = header.Concat(info).Concat(B("bundle", "addr")).Concat(h).ToArray();
        Assert.Equal(B("enrollment", "aad"), aad);
        var kmsg = HKDF.Expand(HashAlgorithmName.SHA256, sk, 32, Encoding.ASCII.GetBytes("Ockam Enrollment v1 message key"));
        Assert.Equal(B("enrollment", "message_key"), kmsg);
        var nonce = SHA256.HashData(Encoding.ASCII.GetBytes("Ockam Enrollment v1 message nonce").Concat(B("public_keys", "ek_b")).ToArray())[..12];
        Assert.Equal(B("enrollment", "nonce"), nonce);
        var ikbInput = Encoding.ASCII.GetBytes("OCKAM-ENROLL-IKB-v1").Concat(B("public_keys", "eik_b")).Concat(h).ToArray();
        Assert.Equal(B("enrollment", "ik_b_signing_input"), ikbInput);
        Assert.True(sodium.Verify(B("public_keys", "ik_b"), 0, ikbInput, 0, ikbInput.Length, B("enrollment", "ik_b_signature"), 0));
        var body = B("public_keys", "ik_b").Concat(B("enrollment", "ik_b_signature")).ToArray();
        Assert.Equal(B("enrollment", "body"), body);
        var ct = new byte[96];
        var tag = new byte[16];
        using (var aead = new ChaCha20Poly1305(kmsg))
            aead.Encrypt(nonce, body, ct, tag, aad);
        Assert.Equal(B("enrollment", "message"), header.Concat(ct).Concat(tag).ToArray());

        // Section 12: the sealed result.
        var kresult = HKDF.Expand(HashAlgorithmName.SHA256, sk, 32, Encoding.ASCII.GetBytes("Ockam Enrollment v1 result key"));
        Assert.Equal(B("result", "result_key"), kresult);
        var result = B("result", "bytes");
        Assert.Equal(new byte[] { 0x03, 0x01 }.Concat(B("public_keys", "ek_b")).Concat(In("result_nonce")).ToArray(), result[..46]);
        var plaintext = new byte[result.Length - 46 - 16];
        using (var aead = new ChaCha20Poly1305(kresult))
            aead.Decrypt(In("result_nonce"), result.AsSpan(46, plaintext.Length), result.AsSpan(result.Length - 16), plaintext, result.AsSpan(0, 46));
        Assert.Equal(B("result", "outcome_plaintext"), plaintext);

        // Section 13.
        Assert.Equal(B("session", "k_up"), HKDF.Expand(HashAlgorithmName.SHA256, sk, 32, Encoding.ASCII.GetBytes("Ockam Enrollment v1 session up")));
        Assert.Equal(B("session", "k_down"), HKDF.Expand(HashAlgorithmName.SHA256, sk, 32, Encoding.ASCII.GetBytes("Ockam Enrollment v1 session down")));
        Assert.Equal(Convert.FromHexString("000000000000000000000001"), B("session", "nonce_counter_1"));
    }

    private static void AssertTranscript(X3dhTranscript t)
    {
        Assert.Equal(B("enrollment", "dh1"), t.Dh(1));
        Assert.Equal(B("enrollment", "dh2"), t.Dh(2));
        Assert.Equal(B("enrollment", "dh3"), t.Dh(3));
        Assert.Equal(B("enrollment", "dh4"), t.Dh(4));
        Assert.Equal(B("enrollment", "ikm"), t.Ikm);
        Assert.Equal(B("enrollment", "sk"), t.Sk);
        Assert.Equal(B("enrollment", "h"), t.H);
        Assert.Equal(B("enrollment", "header"), t.Header);
        Assert.Equal(B("enrollment", "aad"), t.Aad);
        Assert.Equal(B("enrollment", "message_key"), t.MessageKey);
        Assert.Equal(B("enrollment", "nonce"), t.Nonce);
    }

    private static byte[] XEdDsaSign(byte[] k, byte[] m, byte[] z)
    {
        var sig = new byte[64];
        DefaultX3dhPrimitives.Instance.Sign(k, 0, m, 0, m.Length, z, 0, sig, 0);
        return sig;
    }

    private static byte[] BigEndian(uint v) => [(byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v];

    private static byte[] BigEndian(ulong v) => BigEndian((uint)(v >> 32)).Concat(BigEndian((uint)v)).ToArray();
}
