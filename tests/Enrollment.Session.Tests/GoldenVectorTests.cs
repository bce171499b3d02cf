using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Enrollment.Protocol.Session;

namespace Enrollment.Session.Tests;

/// <summary>
/// tests/vectors/session/session-v1.json reproduced byte for byte from the device side and the service side,
/// and recomputed independently from docs/session-protocol.md with libsodium (X25519, Ed25519) and the .NET
/// runtime's SHA-256, HKDF and ChaCha20-Poly1305, so the vector checks the specification, not only our code.
/// </summary>
public class GoldenVectorTests
{
    private static readonly JsonElement V = Load();

    private static JsonElement Load()
    {
        if (Environment.GetEnvironmentVariable("SESSION_WRITE_VECTORS") == "1")
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir != null && !File.Exists(Path.Combine(dir.FullName, "Enrollment.sln")))
                dir = dir.Parent;
            foreach (var target in new[] { Path.Combine(dir!.FullName, "tests", GoldenVector.RelativePath), Path.Combine(AppContext.BaseDirectory, GoldenVector.RelativePath) })
            {
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.WriteAllText(target, GoldenVector.Generate());
            }
        }

        return JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, GoldenVector.RelativePath))).RootElement;
    }

    private static byte[] B(string section, string name) => Convert.FromHexString(V.GetProperty(section).GetProperty(name).GetString()!);

    private static byte[] In(string name) => B("inputs", name);

    private static string DeviceId => V.GetProperty("inputs").GetProperty("device_id").GetString()!;

    private static uint U(string name) => V.GetProperty("inputs").GetProperty(name).GetUInt32();

    [Fact]
    public void The_generator_reproduces_the_file_exactly()
    {
        Assert.Equal(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, GoldenVector.RelativePath)), GoldenVector.Generate());
    }

    /// <summary>Our primitives, the production DefaultX3dhPrimitives, and libsodium (what the cloud may plug in).</summary>
    private static Enrollment.Protocol.X3dh.IX3dhPrimitives Primitives(string name) => name switch
    {
        "default" => Enrollment.Protocol.X3dh.DefaultX3dhPrimitives.Instance,
        "libsodium" => SodiumPrimitives.Instance,
        _ => OwnPrimitives.Instance,
    };

    [Theory]
    [InlineData("own")]
    [InlineData("default")]
    [InlineData("libsodium")]
    public void The_device_side_reproduces_init_confirm_and_keys(string primitives)
    {
        var t = new RekeyTranscript { KeepSecretsForVectors = true };
        var initiator = RekeyInitiator.Start(Primitives(primitives), In("ik_b_private"), B("public_keys", "ik_a"), DeviceId, In("e_b_private"), (RekeyReason)U("reason"), t);
        Assert.Equal(B("rekey", "init"), initiator.InitMessage);
        Assert.Equal(B("rekey", "h1"), t.H1);
        var response = B("rekey", "response");
        Assert.Equal(RekeyStatus.Completed, initiator.Finish(response, 0, response.Length, U("last_epoch"), out var confirm, out var keys));
        AssertSecrets(t);
        Assert.Equal(B("rekey", "confirm"), confirm);
        Assert.Equal(U("new_epoch"), keys!.Epoch);
        Assert.Equal(B("rekey", "k_up"), keys.Up);
        Assert.Equal(B("rekey", "k_down"), keys.Down);
    }

    [Theory]
    [InlineData("own")]
    [InlineData("default")]
    [InlineData("libsodium")]
    public void The_service_side_reproduces_response_and_keys(string primitives)
    {
        var t = new RekeyTranscript { KeepSecretsForVectors = true };
        var init = B("rekey", "init");
        Assert.Equal(RekeyStatus.Completed, RekeyResponder.Respond(Primitives(primitives), In("ik_a_private"), B("public_keys", "ik_b"), DeviceId, init, 0, init.Length, In("e_a_private"), U("new_epoch"), t, out var responder));
        Assert.Equal(B("rekey", "response"), responder!.ResponseMessage);
        AssertSecrets(t);
        Assert.Equal(B("rekey", "h1"), t.H1);
        var confirm = B("rekey", "confirm");
        Assert.Equal(RekeyStatus.Completed, responder.Confirm(confirm, 0, confirm.Length, out var keys));
        Assert.Equal(B("rekey", "k_up"), keys!.Up);
        Assert.Equal(B("rekey", "k_down"), keys.Down);
        Assert.Equal((RekeyReason)U("reason"), responder.Reason);
    }

    [Fact]
    public void Every_frame_is_reproduced_by_its_sender_and_opened_by_its_receiver()
    {
        var frames = V.GetProperty("frames").EnumerateArray().ToArray();
        Assert.Equal(6, frames.Length);
        var expectedFrames = GoldenVector.Frames(B("rotation", "payload")).ToArray();
        for (int i = 0; i < frames.Length; i++)
        {
            var f = frames[i];
            var direction = f.GetProperty("direction").GetString() == "up" ? ChannelDirection.Up : ChannelDirection.Down;
            var key = direction == ChannelDirection.Up ? B("rekey", "k_up") : B("rekey", "k_down");
            var type = (ChannelMessageType)f.GetProperty("type").GetInt32();
            var counter = f.GetProperty("counter").GetUInt64();
            var plaintext = Convert.FromHexString(f.GetProperty("plaintext").GetString()!);
            var bytes = Convert.FromHexString(f.GetProperty("frame").GetString()!);
            Assert.Equal(expectedFrames[i].Plaintext, plaintext);

            var sender = new ChannelSender(key, U("new_epoch"), counter, DeviceId, direction, new FlashCounterStore(), 1);
            Assert.Equal(bytes, ChannelPair.Seal(sender, type, plaintext));

            var receiver = new ChannelReceiver(key, U("new_epoch"), DeviceId, direction);
            Assert.Equal(ChannelOpenStatus.Accepted, ChannelPair.Open(receiver, bytes, out var opened, out var openedType));
            Assert.Equal(plaintext, opened);
            Assert.Equal(type, openedType);
        }
    }

    /// <summary>
    /// The cloud hands its native primitives to the rekey flows (through IX3dhPrimitives) and to channel senders
    /// and receivers: with the runtime's SHA-256, HKDF and ChaCha20-Poly1305 in their place both sides still
    /// reproduce the vector, and every symmetric step went through the seam, not the shared managed code.
    /// </summary>
    [Fact]
    public void A_hosts_symmetric_primitives_carry_the_whole_rekey_and_reproduce_it()
    {
        var device = new RuntimeSymmetricPrimitives();
        var initiator = RekeyInitiator.Start(device, In("ik_b_private"), B("public_keys", "ik_a"), DeviceId, In("e_b_private"), (RekeyReason)U("reason"));
        var response = B("rekey", "response");
        Assert.Equal(RekeyStatus.Completed, initiator.Finish(response, 0, response.Length, U("last_epoch"), out var confirm, out var deviceKeys));
        Assert.Equal(B("rekey", "confirm"), confirm);
        Assert.Equal(B("rekey", "k_up"), deviceKeys!.Up);
        // h1, h2; HKDF for RK (one extract, one expand), then four expands (up, down, two confirmation keys);
        // tag_s to check, tag_d to send.
        Assert.Equal((2, 1, 5, 2), (device.Hashes, device.Extracts, device.Expands, device.Seals));

        var service = new RuntimeSymmetricPrimitives();
        var init = B("rekey", "init");
        Assert.Equal(RekeyStatus.Completed, RekeyResponder.Respond(service, In("ik_a_private"), B("public_keys", "ik_b"), DeviceId, init, 0, init.Length, In("e_a_private"), U("new_epoch"), out var responder));
        Assert.Equal(response, responder!.ResponseMessage);
        var frame = Convert.FromHexString(V.GetProperty("frames")[0].GetProperty("frame").GetString()!);
        Assert.Equal(RekeyStatus.Completed, responder.ConfirmWithFrame(frame, 0, frame.Length, out var serviceKeys));
        Assert.Equal(B("rekey", "k_down"), serviceKeys!.Down);
        // The implicit confirmation's probe receiver opened the up frame on the seam too.
        Assert.Equal((2, 1, 5, 1, 1), (service.Hashes, service.Extracts, service.Expands, service.Seals, service.Opens));
    }

    [Fact]
    public void Frames_sealed_and_opened_on_a_hosts_primitives_are_the_vectors_bytes()
    {
        var host = new RuntimeSymmetricPrimitives();
        var frames = V.GetProperty("frames").EnumerateArray().ToArray();
        foreach (var f in frames)
        {
            var direction = f.GetProperty("direction").GetString() == "up" ? ChannelDirection.Up : ChannelDirection.Down;
            var key = direction == ChannelDirection.Up ? B("rekey", "k_up") : B("rekey", "k_down");
            var type = (ChannelMessageType)f.GetProperty("type").GetInt32();
            var plaintext = Convert.FromHexString(f.GetProperty("plaintext").GetString()!);
            var bytes = Convert.FromHexString(f.GetProperty("frame").GetString()!);
            var sender = new ChannelSender(key, U("new_epoch"), f.GetProperty("counter").GetUInt64(), DeviceId, direction, new FlashCounterStore(), 1, host);
            Assert.Equal(bytes, ChannelPair.Seal(sender, type, plaintext));

            var receiver = new ChannelReceiver(key, U("new_epoch"), DeviceId, direction, host);
            var tampered = (byte[])bytes.Clone();
            tampered[^1] ^= 0x01;
            var buffer = Enumerable.Repeat((byte)0xAA, plaintext.Length).ToArray();
            Assert.Equal(ChannelOpenStatus.Tampered, receiver.Open(tampered, 0, tampered.Length, buffer, 0, out _, out _, out _));
            Assert.All(buffer, b => Assert.Equal(0, b));
            // The tampered copy did not move the window: the genuine frame with the same counter still opens.
            Assert.Equal(ChannelOpenStatus.Accepted, ChannelPair.Open(receiver, bytes, out var opened, out var openedType));
            Assert.Equal(plaintext, opened);
            Assert.Equal(type, openedType);
        }

        Assert.Equal((frames.Length, 2 * frames.Length), (host.Seals, host.Opens));
    }

    [Theory]
    [InlineData("own")]
    [InlineData("default")]
    public void The_rotation_request_is_reproduced_and_verifies(string primitives)
    {
        var request = IdentityRotation.CreateRequest(Primitives(primitives), B("public_keys", "ik_a"), In("ik_b_private"), In("ik_b_new_private"), DeviceId, In("rotation_old_random"), In("rotation_new_random"));
        Assert.Equal(B("rotation", "payload"), request);
        Assert.Equal(RotationStatus.Valid, IdentityRotation.Verify(SodiumPrimitives.Instance, B("public_keys", "ik_a"), B("public_keys", "ik_b"), DeviceId, request, 0, request.Length, out _));
        Assert.Equal(RotationStatus.Valid, IdentityRotation.Verify(Primitives(primitives), B("public_keys", "ik_a"), B("public_keys", "ik_b"), DeviceId, request, 0, request.Length, out var next));
        Assert.Equal(B("public_keys", "ik_b_new"), next);
    }

    /// <summary>Everything recomputed from the specification's formulas with other libraries, not our code.</summary>
    [Fact]
    public void An_independent_implementation_of_the_specification_agrees()
    {
        foreach (var name in new[] { "ik_a", "ik_b", "e_b", "e_a", "ik_b_new" })
            Assert.Equal(B("public_keys", name), Libsodium.Public(In(name + "_private")));

        var init = new byte[] { 0x20, 0x01 }.Concat(B("public_keys", "e_b")).Append((byte)U("reason")).ToArray();
        Assert.Equal(B("rekey", "init"), init);
        var idField = new[] { (byte)DeviceId.Length }.Concat(Encoding.ASCII.GetBytes(DeviceId)).ToArray();
        var h1 = SHA256.HashData(Encoding.ASCII.GetBytes("Ockam Session v1 rekey").Concat(B("public_keys", "ik_a")).Concat(B("public_keys", "ik_b")).Concat(idField).Concat(init).ToArray());
        Assert.Equal(B("rekey", "h1"), h1);

        var epoch = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(epoch, U("new_epoch"));
        var responseHead = new byte[] { 0x21, 0x01 }.Concat(B("public_keys", "e_a")).Concat(epoch).ToArray();
        var h2 = SHA256.HashData(h1.Concat(responseHead).ToArray());
        Assert.Equal(B("rekey", "h2"), h2);

        var dh1 = Libsodium.Dh(In("e_b_private"), B("public_keys", "ik_a"));
        var dh2 = Libsodium.Dh(In("ik_b_private"), B("public_keys", "e_a"));
        var dh3 = Libsodium.Dh(In("e_b_private"), B("public_keys", "e_a"));
        Assert.Equal(dh1, Libsodium.Dh(In("ik_a_private"), B("public_keys", "e_b")));
        Assert.Equal(dh2, Libsodium.Dh(In("e_a_private"), B("public_keys", "ik_b")));
        Assert.Equal(B("rekey", "dh1"), dh1);
        Assert.Equal(B("rekey", "dh2"), dh2);
        Assert.Equal(B("rekey", "dh3"), dh3);
        var ikm = Enumerable.Repeat((byte)0xFF, 32).Concat(dh1).Concat(dh2).Concat(dh3).ToArray();
        Assert.Equal(B("rekey", "ikm"), ikm);
        var rk = HKDF.DeriveKey(HashAlgorithmName.SHA256, ikm, 32, new byte[32], Encoding.ASCII.GetBytes("Ockam Session v1 rekey").Concat(h2).ToArray());
        Assert.Equal(B("rekey", "rk"), rk);
        byte[] Expand(string label) => HKDF.Expand(HashAlgorithmName.SHA256, rk, 32, Encoding.ASCII.GetBytes(label));
        Assert.Equal(B("rekey", "k_up"), Expand("Ockam Session v1 up"));
        Assert.Equal(B("rekey", "k_down"), Expand("Ockam Session v1 down"));
        var kcs = Expand("Ockam Session v1 confirm service");
        var kcd = Expand("Ockam Session v1 confirm device");
        Assert.Equal(B("rekey", "k_confirm_service"), kcs);
        Assert.Equal(B("rekey", "k_confirm_device"), kcd);

        Assert.Equal(B("rekey", "response"), responseHead.Concat(Mac(kcs, h2)).ToArray());
        var confirmHead = new byte[] { 0x22, 0x01 }.Concat(epoch).ToArray();
        Assert.Equal(B("rekey", "confirm"), confirmHead.Concat(Mac(kcd, h2.Concat(confirmHead).ToArray())).ToArray());

        foreach (var f in V.GetProperty("frames").EnumerateArray())
        {
            var up = f.GetProperty("direction").GetString() == "up";
            var counter = f.GetProperty("counter").GetUInt64();
            var plaintext = Convert.FromHexString(f.GetProperty("plaintext").GetString()!);
            var header = new byte[14];
            header[0] = (byte)f.GetProperty("type").GetInt32();
            header[1] = 1;
            epoch.CopyTo(header, 2);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(header.AsSpan(6), counter);
            var nonce = new byte[12];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(nonce.AsSpan(4), counter);
            var aad = header.Concat(idField).ToArray();
            var ct = new byte[plaintext.Length];
            var tag = new byte[16];
            using (var aead = new ChaCha20Poly1305(up ? B("rekey", "k_up") : B("rekey", "k_down")))
                aead.Encrypt(nonce, plaintext, ct, tag, aad);
            Assert.Equal(Convert.FromHexString(f.GetProperty("frame").GetString()!), header.Concat(ct).Concat(tag).ToArray());
            Assert.Equal(Convert.FromHexString(f.GetProperty("aad").GetString()!), aad);
            Assert.Equal(Convert.FromHexString(f.GetProperty("nonce").GetString()!), nonce);
        }

        var body = B("public_keys", "ik_a").Concat(B("public_keys", "ik_b")).Concat(B("public_keys", "ik_b_new")).Concat(idField).ToArray();
        var oldInput = Encoding.ASCII.GetBytes("OCKAM-ROTATE-OLD-v1").Concat(body).ToArray();
        var newInput = Encoding.ASCII.GetBytes("OCKAM-ROTATE-NEW-v1").Concat(body).ToArray();
        Assert.Equal(B("rotation", "signing_input_old"), oldInput);
        Assert.Equal(B("rotation", "signing_input_new"), newInput);
        var payload = B("rotation", "payload");
        Assert.Equal(B("public_keys", "ik_b_new"), payload[..32]);
        Assert.True(Libsodium.XEdDsaVerify(B("public_keys", "ik_b"), oldInput, payload[32..96]));
        Assert.True(Libsodium.XEdDsaVerify(B("public_keys", "ik_b_new"), newInput, payload[96..160]));
        Assert.False(Libsodium.XEdDsaVerify(B("public_keys", "ik_b_new"), oldInput, payload[32..96]));
    }

    private static byte[] Mac(byte[] key, byte[] aad)
    {
        var tag = new byte[16];
        using var aead = new ChaCha20Poly1305(key);
        aead.Encrypt(new byte[12], Array.Empty<byte>(), Array.Empty<byte>(), tag, aad);
        return tag;
    }

    private static void AssertSecrets(RekeyTranscript t)
    {
        Assert.Equal(B("rekey", "h2"), t.H2);
        Assert.Equal(B("rekey", "dh1"), t.Dh1);
        Assert.Equal(B("rekey", "dh2"), t.Dh2);
        Assert.Equal(B("rekey", "dh3"), t.Dh3);
        Assert.Equal(B("rekey", "ikm"), t.Ikm);
        Assert.Equal(B("rekey", "rk"), t.Rk);
        Assert.Equal(B("rekey", "k_confirm_service"), t.ConfirmServiceKey);
        Assert.Equal(B("rekey", "k_confirm_device"), t.ConfirmDeviceKey);
    }
}
