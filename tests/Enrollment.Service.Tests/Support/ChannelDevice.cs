using System.Buffers;
using System.Security.Cryptography;
using System.Threading.Channels;
using Enrollment.Protocol.Messages;
using Enrollment.Protocol.Session;
using Enrollment.Protocol.X3dh;
using Enrollment.Service.Host;
using Enrollment.Service.Protocol;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Enrollment.Service.Tests.Support;

/// <summary>
/// The device side of the secure channel for tests, built from the shared classes directly (not the
/// simulator): it enrolls through the real service, then talks on its up/down topics with the broker
/// credentials of its result, sealing with <see cref="ChannelSender"/>, opening with
/// <see cref="ChannelReceiver"/> and rekeying with <see cref="RekeyInitiator"/>.
/// </summary>
internal sealed class ChannelDevice : IAsyncDisposable
{
    private readonly TestService _service;
    private readonly Channel<byte[]> _down = Channel.CreateUnbounded<byte[]>();
    private IMqttClient? _client;

    private ChannelDevice(TestService service, EnrollmentOutcome outcome, byte[] identityPrivate, byte[] serviceIdentity, SessionKeys keys)
    {
        _service = service;
        Outcome = outcome;
        IdentityPrivate = identityPrivate;
        ServiceIdentity = serviceIdentity;
        Secrets = [(byte[])keys.Up.Clone(), (byte[])keys.Down.Clone(), (byte[])outcome.BrokerPassword!.Clone(), (byte[])identityPrivate.Clone()];
        Install(EpochKeys.FromEnrollment(keys));
    }

    public EnrollmentOutcome Outcome { get; }

    /// <summary>K_up, K_down of epoch 0, the broker password and IK_B private: none may appear in the service's database.</summary>
    public IReadOnlyList<byte[]> Secrets { get; }

    public string DeviceId => Outcome.DeviceId!;

    public string UpTopic => Outcome.DeviceTopicPrefix + "up";

    public string DownTopic => Outcome.DeviceTopicPrefix + "down";

    public byte[] IdentityPrivate { get; private set; }

    public byte[] ServiceIdentity { get; }

    public ChannelSender Sender { get; private set; } = null!;

    public ChannelReceiver Receiver { get; private set; } = null!;

    public uint Epoch => Sender.Epoch;

    /// <summary>Approves, enrolls over MQTT and connects with the result's broker credentials.</summary>
    public static async Task<ChannelDevice> EnrollAsync(TestService service, EnrollerClient enroller, bool connect = true)
    {
        var enrollee = new TestEnrollee();
        var (bundle, _) = await enroller.ApproveAsync(enrollee);
        var identity = RandomNumberGenerator.GetBytes(32);
        Assert.Equal(EnrolleeStatus.Created, EnrolleeHandshake.CreateMessage(bundle, enrollee.EikPrivate, RandomNumberGenerator.GetBytes(32), identity,
            RandomNumberGenerator.GetBytes(64), DateTimeOffset.UtcNow.ToUnixTimeSeconds(), null, LibsodiumX3dhPrimitives.Instance, out var attempt));
        await using var link = await DeviceLink.ConnectAsync(service, enrollee.IdText);
        await link.PublishAsync(attempt!.Message);
        var answer = await link.NextAnswerAsync();
        Assert.Equal(ResultStatus.Opened, EnrolleeHandshake.OpenResult(attempt.SharedSecret, attempt.EphemeralPublicKey, answer, 0, answer.Length, out var outcome));
        Assert.True(outcome!.IsAccepted);
        var device = new ChannelDevice(service, outcome, identity, bundle.IdentityKey, SessionKeys.Derive(attempt.SharedSecret));
        if (connect)
        {
            Assert.Equal(MqttClientConnectResultCode.Success, await device.ConnectAsync());
        }

        return device;
    }

    /// <summary>The channel of an enrollment a test made itself; its IK_B is unknown here, so it cannot rekey or rotate.</summary>
    public static ChannelDevice FromEnrollment(TestService service, EnrollmentOutcome outcome, EnrollmentAttempt attempt, EnrollmentBundle bundle) =>
        new(service, outcome, RandomNumberGenerator.GetBytes(32), bundle.IdentityKey, SessionKeys.Derive(attempt.SharedSecret));

    /// <summary>Connects as the device (user and client id = device id) and subscribes to its down topic.</summary>
    public async Task<MqttClientConnectResultCode> ConnectAsync(byte[]? password = null)
    {
        await DisconnectAsync();
        var client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += e =>
        {
            _down.Writer.TryWrite(e.ApplicationMessage.Payload.ToArray());
            return Task.CompletedTask;
        };
        var options = new MqttClientOptionsBuilder().WithTcpServer(_service.BrokerHost, _service.BrokerPort).WithClientId(DeviceId)
            .WithProtocolVersion(MqttProtocolVersion.V311).WithCleanSession(true)
            .WithCredentials(Outcome.BrokerUsername, password ?? Outcome.BrokerPassword);
        if (_service.CaFile is { } caFile)
        {
            var ca = BrokerTls.LoadCa(caFile);
            options.WithTlsOptions(t => t.UseTls(true).WithTargetHost(_service.BrokerHost)
                .WithCertificateValidationHandler(a => BrokerTls.Validate(a.Certificate, a.SslPolicyErrors, ca)));
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        MqttClientConnectResult result;
        try
        {
            result = await client.ConnectAsync(options.Build(), cts.Token);
        }
        catch (MQTTnet.Exceptions.MqttCommunicationException)
        {
            // A refused CONNECT (bad credentials, revoked) surfaces as an exception in MQTTnet 5.
            client.Dispose();
            return MqttClientConnectResultCode.NotAuthorized;
        }

        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            client.Dispose();
            return result.ResultCode;
        }

        var granted = await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(DownTopic, MqttQualityOfServiceLevel.AtLeastOnce).Build(), cts.Token);
        Assert.True(granted.Items.Single().ResultCode <= MqttClientSubscribeResultCode.GrantedQoS2, "down topic subscription refused");
        _client = client;
        return result.ResultCode;
    }

    public bool IsConnected => _client?.IsConnected == true;

    /// <summary>Completes when the broker has dropped the device's connection.</summary>
    public async Task WaitDisconnectedAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (IsConnected)
        {
            await Task.Delay(20, cts.Token);
        }
    }

    public byte[] Seal(ChannelMessageType type, byte[] payload)
    {
        var frame = new byte[SessionConstants.MinFrameSize + payload.Length];
        Assert.Equal(ChannelSealStatus.Sealed, Sender.Seal(type, payload, 0, payload.Length, frame, 0, out _));
        return frame;
    }

    public async Task PublishAsync(byte[] message, string? topic = null)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await _client!.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic ?? UpTopic).WithPayload(message)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), cts.Token);
    }

    public async Task<byte[]> NextDownAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        return await _down.Reader.ReadAsync(cts.Token);
    }

    /// <summary>Opens the next down frame, asserting it is authentic and of <paramref name="expected"/> type; returns its payload.</summary>
    public async Task<byte[]> ReceiveAsync(ChannelMessageType expected)
    {
        var frame = await NextDownAsync();
        var plaintext = new byte[SessionConstants.MaxPayloadSize];
        Assert.Equal(ChannelOpenStatus.Accepted, Receiver.Open(frame, 0, frame.Length, plaintext, 0, out var type, out var length, out _));
        Assert.Equal(expected, type);
        return plaintext[..length];
    }

    /// <summary>
    /// A rekey handshake (docs/session-protocol.md section 7): init, response, confirm (unless
    /// <paramref name="sendConfirm"/> is false, to exercise implicit confirmation); switches to the new epoch.
    /// </summary>
    public async Task RekeyAsync(RekeyReason reason = RekeyReason.Boot, bool sendConfirm = true)
    {
        var ephemeral = RandomNumberGenerator.GetBytes(32);
        var initiator = RekeyInitiator.Start(LibsodiumX3dhPrimitives.Instance, IdentityPrivate, ServiceIdentity, DeviceId, ephemeral, reason);
        await PublishAsync(initiator.InitMessage);
        var response = await NextDownAsync();
        Assert.Equal((byte)ChannelMessageType.RekeyResponse, response[0]);
        Assert.Equal(RekeyStatus.Completed, initiator.Finish(response, 0, response.Length, Epoch, out var confirm, out var keys));
        if (sendConfirm)
        {
            await PublishAsync(confirm!);
        }

        Install(keys!);
    }

    /// <summary>A rekey init alone, nothing awaited (the rate-limit tests expect no answer to it).</summary>
    public byte[] StartRekey(RekeyReason reason = RekeyReason.Requested) =>
        RekeyInitiator.Start(LibsodiumX3dhPrimitives.Instance, IdentityPrivate, ServiceIdentity, DeviceId, RandomNumberGenerator.GetBytes(32), reason).InitMessage;

    /// <summary>Section 8: asks the service to replace IK_B; returns the new private key and the request sent.</summary>
    public byte[] CreateRotation(out byte[] newPrivate)
    {
        newPrivate = RandomNumberGenerator.GetBytes(32);
        return IdentityRotation.CreateRequest(LibsodiumX3dhPrimitives.Instance, ServiceIdentity, IdentityPrivate, newPrivate, DeviceId,
            RandomNumberGenerator.GetBytes(64), RandomNumberGenerator.GetBytes(64));
    }

    public void AdoptIdentity(byte[] newPrivate) => IdentityPrivate = newPrivate;

    private void Install(EpochKeys keys)
    {
        Sender = new ChannelSender(keys.Up, keys.Epoch, 0, DeviceId, ChannelDirection.Up, new VolatileCounters(), SessionConstants.DefaultReservationBlock);
        Receiver = new ChannelReceiver(keys.Down, keys.Epoch, DeviceId, ChannelDirection.Down);
        keys.Clear();
    }

    public async Task DisconnectAsync()
    {
        if (_client is { } c)
        {
            _client = null;
            if (c.IsConnected)
            {
                await c.DisconnectAsync(new MqttClientDisconnectOptions(), CancellationToken.None);
            }

            c.Dispose();
        }
    }

    public ValueTask DisposeAsync() => new(DisconnectAsync());

    /// <summary>The test device rekeys instead of resuming after a "reboot", so its counters need no storage.</summary>
    private sealed class VolatileCounters : ICounterStore
    {
        public bool Reserve(uint epoch, ulong reservedLimit) => true;
    }
}
