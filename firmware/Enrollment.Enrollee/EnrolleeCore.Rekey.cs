using Enrollment.Enrollee.Channel;
using Enrollment.Enrollee.Enrolling;
using Enrollment.Enrollee.State;
using Enrollment.Protocol.Crypto;
using Enrollment.Protocol.Session;

namespace Enrollment.Enrollee
{
    /// <summary>
    /// The device's rekey handshake (docs/session-protocol.md section 7.4) and identity rotation (section 8).
    /// </summary>
    /// <remarks>
    /// Rekey: at every boot, after N messages or T seconds in an epoch (<see cref="RekeyPolicy"/>), or on
    /// request. e_B comes from the entropy port once it is truly random and lives only inside the
    /// <see cref="RekeyInitiator"/> (zeroed on completion or abandonment). A response that does not verify
    /// is ignored and the device keeps waiting, so an injected response cannot derail the handshake; without a
    /// valid response within the timeout the device starts again with a new e_B, after back-off with jitter.
    /// Rotation: IK_B' is persisted (<see cref="ChannelRecord"/>) before the request leaves; "accepted" makes
    /// it IK_B in the device record (the old key overwritten), then a rekey authenticates the next epoch with
    /// it. After a power loss the request is sent again after the next handshake; a handshake that gets no
    /// valid answer with IK_B is retried with IK_B' (the service may already hold it), and completing one
    /// with IK_B' proves the service accepted the rotation.
    /// </remarks>
    public sealed partial class EnrolleeCore
    {
        private RekeyInitiator? _initiator;
        private bool _initiatorUsesPending;
        private bool _useNewIdentity;
        private RekeyReason _rekeyWanted;
        private long _rekeyDeadline;
        private long _rekeyNextAt;
        private int _rekeyAttempts;
        private bool _rotationResend;
        private readonly byte[] _ephemeral = new byte[ChannelSettings.KeySize];
        private readonly byte[] _rotationRandom1 = new byte[64];
        private readonly byte[] _rotationRandom2 = new byte[64];
        private readonly byte[] _pendingPublic = new byte[ChannelSettings.KeySize];

        /// <summary>True while a rekey handshake waits for the service's response.</summary>
        public bool Rekeying
        {
            get { return _initiator != null; }
        }

        /// <summary>True while a rotation to a new IK_B waits for the service's answer (persisted).</summary>
        public bool RotationPending
        {
            get { return _channelFile.Record.RotationPending; }
        }

        /// <summary>Asks for a rekey (reason 4) at the next loop iteration, e.g. when a command asks for one.</summary>
        public void RequestRekey()
        {
            if (_record.State == EnrolleeState.Enrolled && _channelUsable)
            {
                _rekeyWanted = RekeyReason.Requested;
                _rekeyNextAt = 0;
            }
        }

        /// <summary>
        /// Starts replacing IK_B with a new key pair (docs/session-protocol.md section 8). False if the channel
        /// is not ready, a rotation is already pending, the random source is not ready or IK_B' cannot be
        /// persisted. The outcome arrives later: <see cref="RotationPending"/> turns false.
        /// </summary>
        public bool RotateIdentity()
        {
            ChannelRecord c = _channelFile.Record;
            if (!ChannelReady || _downRevocationOnly || c.RotationPending || !_ports.Entropy.IsTrulyRandom)
            {
                return false;
            }

            _ports.Entropy.Fill(c.PendingIdentity, 0, ChannelSettings.KeySize);
            c.RotationPending = true;

            // Persisted before it is used, so a power loss cannot lose a key the service may come to hold.
            if (!_channelFile.Save())
            {
                c.ClearRotation();
                return false;
            }

            _options.Primitives.PublicKey(c.PendingIdentity, 0, _pendingPublic, 0);
            _useNewIdentity = false;
            _log.Info("channel: identity rotation requested");
            return SendRotationRequest();
        }

        private void StepRekey(long now)
        {
            if (_initiator != null)
            {
                if (now >= _rekeyDeadline)
                {
                    AbandonRekey();
                    _rekeyAttempts++;
                    if (_channelFile.Record.RotationPending)
                    {
                        _useNewIdentity = !_useNewIdentity; // the service may hold IK_B' already (section 8)
                    }

                    long delay = Backoff(_rekeyAttempts);
                    _rekeyNextAt = now + delay;
                    _log.Warn("channel: no rekey response; next try in " + ((delay + 999) / 1000).ToString() + " s");
                }

                return;
            }

            if (now < _rekeyNextAt)
            {
                return;
            }

            RekeyReason reason = _rekeyWanted;
            if (reason == RekeyReason.None)
            {
                reason = _sender == null
                    ? RekeyReason.Boot
                    : _policy!.Evaluate(true, _sender.NextCounter, (now - _epochStartedAt) / 1000);
            }

            if (reason != RekeyReason.None)
            {
                StartRekey(reason, now);
            }
        }

        private void StartRekey(RekeyReason reason, long now)
        {
            if (!_ports.Entropy.IsTrulyRandom)
            {
                _rekeyNextAt = now + DeviceTimings.EntropyRecheckMilliseconds;
                return;
            }

            bool pending = _useNewIdentity && _channelFile.Record.RotationPending;
            byte[] identity = pending ? _channelFile.Record.PendingIdentity : _record.IkPrivate;
            _ports.Entropy.Fill(_ephemeral, 0, _ephemeral.Length);
            try
            {
                _initiator = RekeyInitiator.Start(_options.Primitives, identity, _channel.ServiceIdentity, _channel.DeviceId,
                    _ephemeral, reason);
            }
            finally
            {
                FixedTime.Zero(_ephemeral); // the initiator holds its own copy, erased when it is done
            }

            _initiatorUsesPending = pending;
            _rekeyWanted = reason; // kept until a handshake completes, so a retry gives the same reason
            if (!_ports.Mqtt.Publish(_channel.UpTopic, _initiator.InitMessage, 0, _initiator.InitMessage.Length))
            {
                AbandonRekey();
                _channelSubscribed = false;
                return;
            }

            _rekeyDeadline = _clock.NowMilliseconds + _options.RekeyTimeoutMilliseconds;
            _log.Info("channel: rekey started (reason " + ((int)reason).ToString()
                + (pending ? ", with the new identity key" : string.Empty) + ")");
        }

        private void OnRekeyResponse(int count)
        {
            RekeyInitiator? initiator = _initiator;
            if (initiator == null)
            {
                _channelCounters.Ignored++; // a duplicate, or a response to a handshake already finished
                return;
            }

            uint held = _channelFile.Record.LastEpoch > _epoch ? _channelFile.Record.LastEpoch : _epoch;
            byte[]? confirm;
            EpochKeys? keys;
            RekeyStatus status = initiator.Finish(_work, 0, count, held, out confirm, out keys);
            if (status != RekeyStatus.Completed || confirm == null || keys == null)
            {
                _channelCounters.RekeyResponsesRejected++; // stale, weak or unconfirmed: keep waiting
                return;
            }

            _initiator = null;

            // If the confirm is lost, the service commits on our first frame of the epoch (section 7.5, step 4).
            _ports.Mqtt.Publish(_channel.UpTopic, confirm, 0, confirm.Length);
            uint epoch = keys.Epoch;
            bool withNewIdentity = _initiatorUsesPending;
            InstallEpoch(keys, 0, _ramCounters, false);
            _rekeyWanted = RekeyReason.None;
            _rekeyAttempts = 0;
            _rekeyNextAt = 0;
            _channelCounters.Rekeys++;
            _log.Info("channel: epoch " + epoch.ToString() + " established");

            // Persisted so that a replayed older response can never roll the device back (section 7.6).
            _channelFile.Record.LastEpoch = epoch;
            _channelFile.Save();
            if (ChannelSettings.HasEpochZeroKeys(_record))
            {
                EraseEpochZeroKeys(); // forward secrecy: the enrollment's keys go once replaced
            }

            if (withNewIdentity)
            {
                CommitRotation(false);
            }
            else if (_channelFile.Record.RotationPending)
            {
                SendRotationRequest();
            }
        }

        private bool SendRotationRequest()
        {
            ChannelRecord c = _channelFile.Record;
            _ports.Entropy.Fill(_rotationRandom1, 0, _rotationRandom1.Length);
            _ports.Entropy.Fill(_rotationRandom2, 0, _rotationRandom2.Length);
            byte[] request;
            try
            {
                request = IdentityRotation.CreateRequest(_options.Primitives, _channel.ServiceIdentity, _record.IkPrivate,
                    c.PendingIdentity, _channel.DeviceId, _rotationRandom1, _rotationRandom2);
            }
            finally
            {
                FixedTime.Zero(_rotationRandom1);
                FixedTime.Zero(_rotationRandom2);
            }

            _rotationResend = !SealAndPublish(ChannelMessageType.RotationRequest, request, 0, request.Length);
            return !_rotationResend;
        }

        private void OnRotationResult(int length)
        {
            int keyOffset;
            bool accepted;
            ChannelRecord c = _channelFile.Record;
            if (!ChannelPayloads.TryReadRotationResult(_plain, 0, length, out keyOffset, out accepted))
            {
                _channelCounters.Malformed++;
                return;
            }

            if (!c.RotationPending || !FixedTime.Equals(_plain, keyOffset, _pendingPublic, 0, ChannelSettings.KeySize))
            {
                _channelCounters.Ignored++; // an answer to another (earlier) request
                return;
            }

            if (accepted)
            {
                CommitRotation(true);
                return;
            }

            _log.Warn("channel: the service rejected the identity rotation; keeping the current key");
            c.ClearRotation();
            _channelFile.Save();
            _rotationResend = false;
        }

        /// <summary>IK_B' becomes IK_B in the device record (overwriting, so erasing, the old key).</summary>
        private void CommitRotation(bool rekeyAfter)
        {
            ChannelRecord c = _channelFile.Record;
            if (!c.RotationPending)
            {
                // Already committed (a rotation result and a rekey with the new key can both finish it):
                // the cleared pending key is zeros and must never overwrite IK_B.
                return;
            }

            System.Array.Copy(c.PendingIdentity, 0, _record.IkPrivate, 0, ChannelSettings.KeySize);
            System.Array.Copy(_pendingPublic, 0, _record.IkPublic, 0, ChannelSettings.KeySize);
            _record.Code = StatusCode.Enrolled;
            if (!Save())
            {
                return; // memory is back to flash (the old IK_B, rotation still pending); tried again later
            }

            c.ClearRotation();
            _channelFile.Save();
            _rotationResend = false;
            _useNewIdentity = false;
            _log.Info("channel: identity key rotated");
            if (rekeyAfter)
            {
                RequestRekey(); // the next epoch is authenticated by the new key (section 8)
            }
        }

        /// <summary>At boot: finish or resume a rotation a power loss interrupted.</summary>
        private void RecoverRotation(ChannelRecord c)
        {
            if (!c.RotationPending)
            {
                return;
            }

            _options.Primitives.PublicKey(c.PendingIdentity, 0, _pendingPublic, 0);
            if (FixedTime.Equals(_pendingPublic, 0, _record.IkPublic, 0, ChannelSettings.KeySize))
            {
                // Committed to the device record, but the power went before the pending key was cleared.
                c.ClearRotation();
                _channelFile.Save();
                return;
            }

            _rotationResend = true;
            _log.Info("channel: an identity rotation is pending; it is sent again after the next handshake");
        }

        private void AbandonRekey()
        {
            if (_initiator != null)
            {
                _initiator.Clear();
                _initiator = null;
            }
        }
    }
}
