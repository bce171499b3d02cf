using Enrollment.Enrollee.Channel;
using Enrollment.Enrollee.Enrolling;
using Enrollment.Enrollee.Ports;
using Enrollment.Enrollee.State;
using Enrollment.Protocol.Crypto;
using Enrollment.Protocol.Session;

namespace Enrollment.Enrollee
{
    /// <summary>
    /// The enrolled state: the secure channel of docs/session-protocol.md over the broker, with the identity
    /// the enrollment gave (client id = device id, the outcome's broker credentials), frames up on
    /// <c>&lt;prefix&gt;up</c> and down on <c>&lt;prefix&gt;down</c> (section 10).
    /// </summary>
    /// <remarks>
    /// Keys. Epoch 0 is the enrollment's K_up/K_down, on flash in the device record; its up counter is
    /// reserved in blocks on flash (<see cref="FlashCounterStore"/>) so that a device resuming it after a
    /// power loss never repeats a nonce. Every boot starts a rekey (section 7.1); later epochs live in RAM
    /// only, and the first completed rekey zeroes epoch 0's keys on flash. After a reboot the resumed epoch 0
    /// accepts only a revocation down (its replay window was lost with the RAM, so a replayed command would
    /// look fresh; a replayed revocation can only revoke a device that was revoked). Allocation: sending and
    /// receiving frames reuse the buffers below; only a rekey or a rotation allocates (they are rare).
    /// Threads: <see cref="SendTelemetry"/> and the other channel calls run on the main loop's thread.
    /// </remarks>
    public sealed partial class EnrolleeCore
    {
        private readonly ChannelSettings _channel = new ChannelSettings();
        private readonly ChannelRecordFile _channelFile;
        private readonly FlashCounterStore _flashCounters;
        private readonly VolatileCounterStore _ramCounters = new VolatileCounterStore();
        private readonly ChannelCounters _channelCounters = new ChannelCounters();
        private readonly byte[] _frame = new byte[SessionConstants.MaxFrameSize];
        private readonly byte[] _plain = new byte[SessionConstants.MaxPayloadSize];
        private readonly byte[] _detail = new byte[SessionConstants.MaxPayloadSize - ChannelPayloads.AcknowledgementHeaderSize];
        private ICommandHandler? _commandHandler;
        private RekeyPolicy? _policy;
        private bool _channelUsable;
        private bool _channelSubscribed;
        private long _channelRetryAt;
        private ChannelSender? _sender;
        private ChannelReceiver? _receiver;
        private bool _downRevocationOnly;
        private uint _epoch;
        private long _epochStartedAt;

        /// <summary>Where commands from the service go; without one, every command is acknowledged "unsupported".</summary>
        public void SetCommandHandler(ICommandHandler handler)
        {
            _commandHandler = handler;
        }

        /// <summary>True while frames can go up: enrolled, connected, subscribed, with keys for the current epoch.</summary>
        public bool ChannelReady
        {
            get { return _record.State == EnrolleeState.Enrolled && _sender != null && _channelSubscribed && _ports.Mqtt.IsConnected; }
        }

        /// <summary>The epoch whose keys the device sends with (0 = the enrollment's session).</summary>
        public uint Epoch
        {
            get { return _epoch; }
        }

        /// <summary>The device id the service assigned, once enrolled (empty before).</summary>
        public string DeviceId
        {
            get { return _channel.DeviceId; }
        }

        public ChannelCounters ChannelCounters
        {
            get { return _channelCounters; }
        }

        /// <summary>
        /// Seals <paramref name="count"/> bytes (at most 1024) as a telemetry frame (0x10) and publishes it on
        /// the up topic (QoS 1). False, and nothing sent, when the channel is not ready (not enrolled, revoked,
        /// offline, before the first keys), when the counter reservation cannot be written, or when the epoch
        /// is used up (a rekey is then started). Allocates nothing. Call from the main loop's thread.
        /// </summary>
        public bool SendTelemetry(byte[] buffer, int offset, int count)
        {
            if (buffer == null)
            {
                throw new System.ArgumentNullException("buffer");
            }

            if (offset < 0 || count < 0 || count > SessionConstants.MaxPayloadSize || offset > buffer.Length - count)
            {
                throw new System.ArgumentOutOfRangeException("count");
            }

            return SealAndPublish(ChannelMessageType.Telemetry, buffer, offset, count);
        }

        /// <summary>Enters the channel: after the enrollment's result (fresh keys) or at boot (a rekey is due).</summary>
        private void EnterChannel(bool afterReboot)
        {
            ClearChannel();
            _channelUsable = _bundleInfoValid && _channel.Load(_record, _bundleInfo.Mqtt);
            if (!_channelUsable)
            {
                _log.Warn("channel: the record holds no usable session; the secure channel is off");
                return;
            }

            _policy = new RekeyPolicy(_channel.RekeyAfterMessages, _channel.RekeyAfterSeconds);
            bool readable = _channelFile.Load();
            ChannelRecord c = _channelFile.Record;
            RecoverRotation(c);

            // Epoch 0 may be resumed only while no later epoch was completed and its reservation is known.
            bool hasZero = ChannelSettings.HasEpochZeroKeys(_record);
            if (hasZero && (!readable || c.LastEpoch != 0 || c.ReservedEpoch != 0))
            {
                EraseEpochZeroKeys();
                hasZero = false;
            }

            if (hasZero)
            {
                byte[] up = new byte[ChannelSettings.KeySize];
                byte[] down = new byte[ChannelSettings.KeySize];
                System.Array.Copy(_record.Session, 0, up, 0, up.Length);
                System.Array.Copy(_record.Session, up.Length, down, 0, down.Length);
                EpochKeys keys = EpochKeys.FromEnrollment(up, down);
                FixedTime.Zero(up);
                FixedTime.Zero(down);
                InstallEpoch(keys, _channelFile.Exists ? c.Reserved : 0, _flashCounters, afterReboot);
            }

            _rekeyWanted = afterReboot ? RekeyReason.Boot : RekeyReason.None;
            _log.Info("channel: device " + _channel.DeviceId + ", topics " + _channel.UpTopic + " / " + _channel.DownTopic
                + (hasZero ? ", enrollment session resumed at counter " + _sender!.NextCounter.ToString() : ", no session yet")
                + (afterReboot ? ", rekey at boot" : string.Empty));
        }

        private void StepChannel()
        {
            if (!_channelUsable || !EnsureChannelNetwork())
            {
                return;
            }

            StepRekey(_clock.NowMilliseconds);
            if (_rotationResend && _sender != null && !_downRevocationOnly && _initiator == null)
            {
                SendRotationRequest();
            }
        }

        private bool EnsureChannelNetwork()
        {
            if (_channelSubscribed && _ports.Mqtt.IsConnected && _ports.Wifi.IsConnected)
            {
                return true;
            }

            _channelSubscribed = false;
            long now = _clock.NowMilliseconds;
            if (now < _channelRetryAt)
            {
                return false;
            }

            _channelRetryAt = now + _options.NetworkRetryMilliseconds;
            if (!ConnectNetwork(_channel.Mqtt, "channel"))
            {
                return false;
            }

            if (!_ports.Mqtt.Subscribe(_channel.DownTopic))
            {
                SetCode(StatusCode.BrokerFailed);
                return false;
            }

            _channelSubscribed = true;
            _channelRetryAt = 0;
            SetCode(StatusCode.Enrolled);
            return true;
        }

        /// <summary>One message from the down topic (rekey response or channel frame), already in <see cref="_work"/>.</summary>
        private void OnChannelMessage(string? topic, int count)
        {
            if (!_channelUsable || topic != _channel.DownTopic || count < 1)
            {
                _channelCounters.Ignored++;
                return;
            }

            if (_work[0] == (byte)ChannelMessageType.RekeyResponse)
            {
                OnRekeyResponse(count);
                return;
            }

            if (_receiver == null)
            {
                _channelCounters.Ignored++;
                return;
            }

            ChannelMessageType type;
            int length;
            ulong counter;
            ChannelOpenStatus status = _receiver.Open(_work, 0, count, _plain, 0, out type, out length, out counter);
            if (status != ChannelOpenStatus.Accepted)
            {
                // Counted, not logged: a flood of junk must neither fill the log nor allocate.
                _channelCounters.CountDrop(status);
                return;
            }

            _channelCounters.Received++;
            if (_downRevocationOnly && type != ChannelMessageType.Revocation)
            {
                _channelCounters.Ignored++;
            }
            else if (type == ChannelMessageType.Command)
            {
                OnCommand(length);
            }
            else if (type == ChannelMessageType.Revocation)
            {
                OnRevocation(length);
            }
            else if (type == ChannelMessageType.RotationResult)
            {
                OnRotationResult(length);
            }

            System.Array.Clear(_plain, 0, length);
        }

        private void OnCommand(int length)
        {
            uint id;
            int bodyOffset;
            int bodyLength;
            if (!ChannelPayloads.TryReadCommand(_plain, 0, length, out id, out bodyOffset, out bodyLength))
            {
                _channelCounters.Malformed++;
                return;
            }

            byte status;
            int detailLength = 0;
            ChannelRecord record = _channelFile.Record;
            int known = record.FindCommand(id);
            if (known >= 0)
            {
                status = record.CommandStatus(known); // sent again (our acknowledgement was lost): acknowledge, do not redo
            }
            else
            {
                // At most once, across power loss too (docs/session-protocol.md section 6.2): the id goes to flash
                // as "failed" before the handler runs, so a command whose acknowledgement a reboot cut off, and
                // which the service therefore resends at the next epoch, is acknowledged again, not carried out
                // again. A power loss during the handler leaves it "failed": whether it finished is unknown.
                int slot = record.RememberCommand(id, CommandStatus.Failed);
                _channelFile.Save();
                status = RunCommand(id, bodyOffset, bodyLength, out detailLength);
                if (status != CommandStatus.Failed)
                {
                    record.SetCommandStatus(slot, status);
                    _channelFile.Save();
                }

                _channelCounters.Commands++;
            }

            // The acknowledgement is built in place, at the payload position of the frame buffer.
            int payload = ChannelPayloads.WriteAcknowledgement(id, (AcknowledgementStatus)status, _detail, 0, detailLength,
                _frame, SessionConstants.FrameHeaderSize);
            System.Array.Clear(_detail, 0, detailLength);
            SealAndPublish(ChannelMessageType.Acknowledgement, _frame, SessionConstants.FrameHeaderSize, payload);
        }

        private byte RunCommand(uint id, int bodyOffset, int bodyLength, out int detailLength)
        {
            detailLength = 0;
            ICommandHandler? handler = _commandHandler;
            if (handler == null)
            {
                return CommandStatus.Unsupported;
            }

            byte status;
            try
            {
                status = handler.Handle(id, _plain, bodyOffset, bodyLength, _detail, out detailLength);
            }
            catch (System.Exception e)
            {
                _log.Warn("channel: command " + id.ToString() + " threw " + e.GetType().Name);
                detailLength = 0;
                return CommandStatus.Failed;
            }

            if (status > CommandStatus.Unsupported || detailLength < 0 || detailLength > _detail.Length)
            {
                detailLength = 0;
                return CommandStatus.Failed;
            }

            return status;
        }

        private void OnRevocation(int length)
        {
            long revokedAt;
            RevocationReason reason;
            if (!ChannelPayloads.TryReadRevocation(_plain, 0, length, out revokedAt, out reason))
            {
                _channelCounters.Malformed++;
                return;
            }

            _log.Warn("channel: the service revoked this device (reason " + ((int)reason).ToString() + ", at "
                + revokedAt.ToString() + ")");
            Revoke();
        }

        private bool SealAndPublish(ChannelMessageType type, byte[] payload, int offset, int count)
        {
            if (!ChannelReady)
            {
                return false;
            }

            ChannelSender sender = _sender!;

            int frameLength;
            ChannelSealStatus status = sender.Seal(type, payload, offset, count, _frame, 0, out frameLength);
            if (status == ChannelSealStatus.RekeyRequired)
            {
                _rekeyWanted = RekeyReason.Messages;
                return false;
            }

            if (status != ChannelSealStatus.Sealed)
            {
                _channelCounters.SendFailures++;
                return false;
            }

            if (!_ports.Mqtt.Publish(_channel.UpTopic, _frame, 0, frameLength))
            {
                _channelSubscribed = false;
                _channelCounters.SendFailures++;
                return false;
            }

            _channelCounters.Sent++;
            return true;
        }

        /// <summary>Switches to an epoch's keys; the previous epoch's keys are zeroed, then the given ones.</summary>
        private void InstallEpoch(EpochKeys keys, ulong firstCounter, ICounterStore store, bool revocationOnly)
        {
            ClearEpoch();
            _sender = new ChannelSender(keys.Up, keys.Epoch, firstCounter, _channel.DeviceId, ChannelDirection.Up, store,
                SessionConstants.DefaultReservationBlock);
            _receiver = new ChannelReceiver(keys.Down, keys.Epoch, _channel.DeviceId, ChannelDirection.Down);
            _epoch = keys.Epoch;
            keys.Clear();
            _epochStartedAt = _clock.NowMilliseconds;
            _downRevocationOnly = revocationOnly;
            // The command log (ChannelRecord) outlives epochs: the service resends unacknowledged commands at a
            // new epoch, and those the device already carried out must be recognised then.
        }

        private void ClearEpoch()
        {
            if (_sender != null)
            {
                _sender.Clear();
                _sender = null;
            }

            if (_receiver != null)
            {
                _receiver.Clear();
                _receiver = null;
            }

            _epoch = 0;
            _downRevocationOnly = false;
        }

        /// <summary>Forgets every channel key and setting held in RAM (revocation, factory reset, re-entry).</summary>
        private void ClearChannel()
        {
            ClearEpoch();
            AbandonRekey();
            _channel.Clear();
            _channelUsable = false;
            _channelSubscribed = false;
            _channelRetryAt = 0;
            _rotationResend = false;
            _useNewIdentity = false;
            _rekeyWanted = RekeyReason.None;
            _rekeyAttempts = 0;
            _rekeyNextAt = 0;
            _policy = null;
        }

        /// <summary>Zeroes epoch 0's keys in the record (kept: the outcome after them).</summary>
        private void EraseEpochZeroKeys()
        {
            System.Array.Clear(_record.Session, 0, ChannelSettings.EpochZeroKeysSize);
            _record.Code = StatusCode.Enrolled;
            Save();
        }
    }

    /// <summary>What the channel did, for the log, the tests and the simulator (no secret in here).</summary>
    public sealed class ChannelCounters
    {
        public int Sent;
        public int SendFailures;
        public int Received;
        public int Commands;
        public int Rekeys;
        public int RekeyResponsesRejected;
        public int Malformed;
        public int StaleEpoch;
        public int UnknownEpoch;
        public int Replayed;
        public int Tampered;
        public int Ignored;

        internal void CountDrop(ChannelOpenStatus status)
        {
            switch (status)
            {
                case ChannelOpenStatus.StaleEpoch: StaleEpoch++; break;
                case ChannelOpenStatus.UnknownEpoch: UnknownEpoch++; break;
                case ChannelOpenStatus.TooOld:
                case ChannelOpenStatus.Replayed: Replayed++; break;
                case ChannelOpenStatus.Tampered: Tampered++; break;
                default: Malformed++; break;
            }
        }
    }
}
