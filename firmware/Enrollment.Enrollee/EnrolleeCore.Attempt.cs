using Enrollment.Enrollee.Enrolling;
using Enrollment.Enrollee.Messages;
using Enrollment.Enrollee.Ports;
using Enrollment.Enrollee.State;

namespace Enrollment.Enrollee
{
    /// <summary>
    /// The service side of the state machine: network, attempts, results, retries and back-off.
    /// </summary>
    /// <remarks>
    /// Ephemeral keys. The first attempt with a bundle draws EK_B (and IK_B) from the entropy port, builds the
    /// message, and persists the attempt (its publication count and the EK_B-derived state needed to read the
    /// result) BEFORE publishing. Every retry (timeout, busy, lost session, reboot) publishes those same bytes
    /// again: a device that made a second message could miss a late acceptance of the first and be left
    /// half-enrolled (the service enrolled, the device waiting for another answer). EK_B's private key is zeroed right after the message is built and never reaches
    /// flash, so no code path, before or after a reboot, can use it a second time. That matters because the
    /// AEAD nonce is taken from EK_B (docs/protocol.md): a second message under the same EK_B with any other
    /// plaintext (another IK_B, another signature) would repeat a ChaCha20-Poly1305 key and nonce, which
    /// reveals the XOR of the plaintexts and the Poly1305 key (RFC 8439 section 4). After a power loss in
    /// the enrolling state the device republishes the persisted message and reads its result (reading
    /// encrypts nothing). Key generation waits for <see cref="IEntropy.IsTrulyRandom"/>, so the key cannot be
    /// a replay of the RNG's boot state.
    /// </remarks>
    public sealed partial class EnrolleeCore : IMqttReceiver
    {
        /// <summary>Largest answer accepted from the broker: a sealed result is 67..652 bytes (docs/protocol.md 12).</summary>
        public const int MaxResultSize = 652;

        /// <summary>Largest message accepted from the broker at all: a channel frame (docs/session-protocol.md section 2).</summary>
        public const int MaxInboxMessage = Enrollment.Protocol.Session.SessionConstants.MaxFrameSize;

        private readonly BundleInfo _bundleInfo = new BundleInfo();
        private bool _bundleInfoValid;
        private readonly byte[] _message;
        private readonly byte[] _ek = new byte[DeviceRecord.KeySize];
        private readonly byte[] _signatureRandom = new byte[64];
        private readonly byte[] _jitter = new byte[2];
        private readonly EnrollmentResult _result = new EnrollmentResult();

        /// <summary>
        /// Answers that can wait for the main loop. More than one: anyone who can publish on the result topic
        /// could otherwise push a junk message right behind the real result and overwrite it unread.
        /// </summary>
        private const int InboxSlots = 4;

        private readonly object _inboxLock = new object();
        private readonly byte[][] _inbox = NewSlots();
        private readonly int[] _inboxCount = new int[InboxSlots];
        private readonly string?[] _inboxTopic = new string?[InboxSlots];
        private int _inboxHead;
        private int _inboxQueued;
        private readonly byte[] _work = new byte[MaxInboxMessage];

        private bool _awaiting;
        private bool _republish;
        private long _bundleTimeAt = -1;
        private bool _subscribed;
        private long _resultDeadline;
        private long _nextAttemptAt;
        private long _computeNotAfter;
        private long _networkRetryAt;

        void IMqttReceiver.OnMessage(string topic, byte[] payload, int offset, int count)
        {
            lock (_inboxLock)
            {
                if (count < 0 || count > MaxInboxMessage || payload == null)
                {
                    return;
                }

                if (_inboxQueued == InboxSlots)
                {
                    // Full: the oldest goes (a real result is the newest thing the device waits for).
                    _inboxHead = (_inboxHead + 1) % InboxSlots;
                    _inboxQueued--;
                }

                int slot = (_inboxHead + _inboxQueued) % InboxSlots;
                System.Array.Copy(payload, offset, _inbox[slot], 0, count);
                _inboxCount[slot] = count;
                _inboxTopic[slot] = topic;
                _inboxQueued++;
            }
        }

        private static byte[][] NewSlots()
        {
            byte[][] slots = new byte[InboxSlots][];
            for (int i = 0; i < InboxSlots; i++)
            {
                slots[i] = new byte[MaxInboxMessage];
            }

            return slots;
        }

        private void OnBootResume()
        {
            ResetEnrollmentProgress();
            byte state = _record.State;
            if (state == EnrolleeState.BundleReceived || state == EnrolleeState.Enrolling || state == EnrolleeState.Enrolled)
            {
                // Expiry is checked again by every attempt (BuildMessage), with the best time known then.
                _bundleInfoValid = _protocol.ReadBundle(_record.Bundle, _record.BundleLength, 0, _enrolleeId, _enrolleeIdLength, _bundleInfo);
                _bundleInfo.Mqtt.ClientId = Enrollment.Protocol.Messages.EnrolleeId.ToText(_enrolleeId, 0);
                if (!_bundleInfoValid && state != EnrolleeState.Enrolled)
                {
                    GiveUp(StatusCode.BundleUnreadable);
                }
            }
        }

        /// <summary>Forgets in-memory progress; after a reboot an Enrolling device awaits its persisted attempt.</summary>
        private void ResetEnrollmentProgress()
        {
            _awaiting = _record.State == EnrolleeState.Enrolling && _record.AttemptStateLength > 0;

            // After a reboot the persisted message may or may not have left. Publishing the identical bytes
            // again is a redelivery, not a new encryption (no key or nonce is used twice), and the service
            // answers a redelivered message with the same result (docs/protocol.md section 11).
            _republish = _awaiting && _record.MessageLength > 0;
            _resultDeadline = long.MaxValue; // armed once subscribed
            _nextAttemptAt = 0;
            _computeNotAfter = 0;
            _networkRetryAt = 0;
            _subscribed = false;
            _statusWaitSeconds = 0;
            lock (_inboxLock)
            {
                _inboxQueued = 0;
            }
        }

        private void StepEnrollment()
        {
            if (!_bundleInfoValid || !EnsureNetwork())
            {
                return;
            }

            long now = _clock.NowMilliseconds;
            if (_awaiting)
            {
                if (now >= _resultDeadline)
                {
                    OnResultTimeout(now);
                }

                return;
            }

            if (now < _nextAttemptAt)
            {
                return;
            }

            if (_record.MessageLength > 0)
            {
                RepublishAttempt();
                return;
            }

            if (_computeNotAfter == 0)
            {
                AnnounceAttempt(now);
                return;
            }

            // Compute once the enroller has our "computing" status (or it is not listening): the device
            // cannot acknowledge frames for the next 6-12 s (DeviceTimings).
            if ((!_statusDirty && _link.IsIdle) || !_sessionOpen || now >= _computeNotAfter)
            {
                _computeNotAfter = 0;
                StartAttempt();
            }
        }

        /// <summary>First half of an attempt: checks, then tell the enroller how long we will be deaf.</summary>
        private void AnnounceAttempt(long now)
        {
            if (_record.Attempt >= _options.MaxAttempts)
            {
                GiveUp(StatusCode.NoResult);
                return;
            }

            if (!_ports.Entropy.IsTrulyRandom)
            {
                SetCode(StatusCode.WaitingForEntropy);
                _nextAttemptAt = now + DeviceTimings.EntropyRecheckMilliseconds;
                return;
            }

            _statusWaitSeconds = DeviceTimings.ComputeWorstSeconds;
            _record.Code = StatusCode.None; // force the status out even if "computing" was the last code
            SetCode(StatusCode.Computing);
            _computeNotAfter = now + (4 * _options.Link.AckTimeoutMilliseconds);
        }

        private bool EnsureNetwork()
        {
            if (_ports.Wifi.IsConnected && _ports.Mqtt.IsConnected && _subscribed)
            {
                return true;
            }

            long now = _clock.NowMilliseconds;
            if (now < _networkRetryAt)
            {
                return false;
            }

            _networkRetryAt = now + _options.NetworkRetryMilliseconds;
            if (!_ports.Mqtt.IsConnected)
            {
                _subscribed = false;
            }

            if (!ConnectNetwork(_bundleInfo.Mqtt, "network"))
            {
                return false;
            }

            // Subscribe before publishing, so that a result cannot be missed.
            if (!_ports.Mqtt.Subscribe(_bundleInfo.ResultTopic))
            {
                SetCode(StatusCode.BrokerFailed);
                return false;
            }

            _subscribed = true;
            _networkRetryAt = 0;
            if (_awaiting)
            {
                // After a reboot (or a lost session): give the persisted attempt its full time again.
                if (_republish && _ports.Mqtt.Publish(_bundleInfo.RequestTopic, _record.Message, 0, _record.MessageLength))
                {
                    _republish = false;
                    _log.Info("enrolling: attempt " + _record.Attempt.ToString() + " republished unchanged");
                }

                _resultDeadline = _clock.NowMilliseconds + _options.ResultTimeoutMilliseconds;
                SetCode(StatusCode.AwaitingResult);
            }

            return true;
        }

        /// <summary>
        /// Joins Wi-Fi and connects to the broker with <paramref name="settings"/>, each only if it is down; on
        /// failure the status says which and the caller retries after its back-off. Used by the enrolling state
        /// (bundle's broker, anonymous) and the enrolled state (the device's own credentials).
        /// </summary>
        private bool ConnectNetwork(MqttSettings settings, string logPrefix)
        {
            if (!_ports.Wifi.IsConnected)
            {
                SetCode(StatusCode.WifiConnecting);
                if (!_ports.Wifi.Connect(_record.Ssid, _record.SsidLength, _record.Password, _record.PasswordLength,
                        DeviceTimings.WifiConnectTimeoutMilliseconds))
                {
                    SetCode(StatusCode.WifiFailed);
                    return false;
                }

                _log.Info("network: Wi-Fi connected");
            }

            if (!_ports.Mqtt.IsConnected)
            {
                SetCode(StatusCode.BrokerConnecting);
                if (!_ports.Mqtt.Connect(settings))
                {
                    SetCode(StatusCode.BrokerFailed);
                    return false;
                }

                // The user name is not secret (the broker logs it too); the password never appears.
                _log.Info(logPrefix + ": broker " + settings.Host + ":" + settings.Port.ToString() + " connected as "
                    + settings.ClientId + (settings.User == null ? string.Empty : " (user " + settings.User + ")"));
            }

            return true;
        }

        /// <summary>Second half: keys, message, persist, publish.</summary>
        private void StartAttempt()
        {
            _log.Info("enrolling: attempt " + (_record.Attempt + 1).ToString() + ", computing (about "
                + (DeviceTimings.ComputeEstimateMilliseconds / 1000).ToString() + " s, at most "
                + DeviceTimings.ComputeWorstSeconds.ToString() + " s on an ESP32)");

            int messageLength;
            int stateLength;
            try
            {
                _ports.Entropy.Fill(_ek, 0, _ek.Length);
                _ports.Entropy.Fill(_record.IkPrivate, 0, DeviceRecord.KeySize);
                _ports.Entropy.Fill(_signatureRandom, 0, _signatureRandom.Length);
                messageLength = _protocol.BuildMessage(_record.Bundle, _record.BundleLength, UnixTime(),
                    _record.EikPrivate, _ek, _record.IkPrivate, _record.IkPublic, _signatureRandom, _message,
                    _record.AttemptState, out stateLength);
            }
            finally
            {
                // EK_B exists only for the duration of BuildMessage (see the remarks on this class).
                System.Array.Clear(_ek, 0, _ek.Length);
                System.Array.Clear(_signatureRandom, 0, _signatureRandom.Length);
            }

            if (messageLength <= 0)
            {
                _log.Warn("enrolling: the bundle " + (messageLength == BuildFailure.Expired ? "has expired" : "does not verify"));
                GiveUp(messageLength == BuildFailure.Expired ? StatusCode.RejectedExpired : StatusCode.BundleRejected);
                return;
            }

            _record.AttemptStateLength = stateLength;
            System.Array.Copy(_message, 0, _record.Message, 0, messageLength);
            _record.MessageLength = messageLength;
            _record.Attempt++;
            _record.State = EnrolleeState.Enrolling;
            _record.Code = StatusCode.AwaitingResult;
            _statusWaitSeconds = 0;

            // Persist the attempt before the message leaves: never send what a reboot would not know about.
            if (!Save())
            {
                _nextAttemptAt = _clock.NowMilliseconds + _options.NetworkRetryMilliseconds;
                return;
            }

            _awaiting = true;
            LogState();
            _republish = false;
            if (_ports.Mqtt.Publish(_bundleInfo.RequestTopic, _message, 0, messageLength))
            {
                _resultDeadline = _clock.NowMilliseconds + _options.ResultTimeoutMilliseconds;
            }
            else
            {
                // The session dropped: back off, then publish the same message again.
                _log.Warn("enrolling: publish failed");
                _subscribed = false;
                _resultDeadline = _clock.NowMilliseconds;
            }
        }

        /// <summary>
        /// A retry of a persisted message: the same bytes again. One bundle gets one message (one EK_B) for its
        /// whole life on the device, so whichever publication the service accepts, possibly long after the
        /// device stopped waiting for it, answers the message the device holds the attempt state of; the
        /// service answers a message it already accepted from its stored result (docs/protocol.md sections 10
        /// step 9 and 11). Identical bytes are a redelivery, not a new encryption: no key or nonce is used twice.
        /// </summary>
        private void RepublishAttempt()
        {
            if (_record.Attempt >= _options.MaxAttempts)
            {
                GiveUp(StatusCode.NoResult);
                return;
            }

            // Count the publication before it leaves, so that a reboot loop cannot publish without bound.
            _record.Attempt++;
            _record.Code = StatusCode.AwaitingResult;
            if (!Save())
            {
                _nextAttemptAt = _clock.NowMilliseconds + _options.NetworkRetryMilliseconds;
                return;
            }

            _awaiting = true;
            _republish = false;
            _statusWaitSeconds = 0;
            _log.Info("enrolling: publication " + _record.Attempt.ToString() + " of the same message (unchanged)");

            // Subscribe again first: the same filter replaces the subscription and makes the broker resend the
            // topic's retained message (MQTT 3.1.1 section 3.8.4). A service with per-enrollee request topics
            // keeps an accepted result retained and no longer listens on this device's request topic, so a
            // result lost on the way is read from the broker, not answered again (docs/protocol.md section 14).
            if (_ports.Mqtt.Subscribe(_bundleInfo.ResultTopic)
                && _ports.Mqtt.Publish(_bundleInfo.RequestTopic, _record.Message, 0, _record.MessageLength))
            {
                _resultDeadline = _clock.NowMilliseconds + _options.ResultTimeoutMilliseconds;
                SetCode(StatusCode.AwaitingResult);
            }
            else
            {
                _log.Warn("enrolling: subscribe or publish failed");
                _subscribed = false;
                _resultDeadline = _clock.NowMilliseconds;
            }
        }

        private void OnResultTimeout(long now)
        {
            _awaiting = false;
            if (_record.Attempt >= _options.MaxAttempts)
            {
                GiveUp(StatusCode.NoResult);
                return;
            }

            ScheduleRetry(now, Backoff(_record.Attempt));
            _log.Warn("enrolling: no result for attempt " + _record.Attempt.ToString() + "; next in "
                + _statusWaitSeconds.ToString() + " s");
        }

        private void ProcessInbox()
        {
            // Bounded: at most the slots that were full when the loop came round.
            for (int i = 0; i < InboxSlots; i++)
            {
                int count;
                string? topic;
                lock (_inboxLock)
                {
                    if (_inboxQueued == 0)
                    {
                        return;
                    }

                    count = _inboxCount[_inboxHead];
                    topic = _inboxTopic[_inboxHead];
                    System.Array.Copy(_inbox[_inboxHead], 0, _work, 0, count);
                    _inboxHead = (_inboxHead + 1) % InboxSlots;
                    _inboxQueued--;
                }

                ProcessAnswer(topic, count);
            }
        }

        private void ProcessAnswer(string? topic, int count)
        {
            if (_record.State == EnrolleeState.Enrolled)
            {
                OnChannelMessage(topic, count);
                return;
            }

            if (_record.State != EnrolleeState.Enrolling || count > MaxResultSize || _record.AttemptStateLength == 0
                || topic != _bundleInfo.ResultTopic)
            {
                return;
            }

            _result.Clear();
            if (!_protocol.ReadResult(_record.AttemptState, _record.AttemptStateLength, _work, 0, count, _result))
            {
                _log.Warn("enrolling: a result that does not answer attempt " + _record.Attempt.ToString() + " was ignored");
                return;
            }

            OnResult();
            _result.Clear();
        }

        private void OnResult()
        {
            long now = _clock.NowMilliseconds;
            if (_result.IsNotice)
            {
                OnNotice(now);
                return;
            }

            switch (_result.Outcome)
            {
                case EnrollmentResult.Accepted:
                    System.Array.Copy(_result.DeviceId, 0, _record.DeviceId, 0, _result.DeviceIdLength);
                    _record.DeviceIdLength = _result.DeviceIdLength;
                    System.Array.Copy(_result.Session, 0, _record.Session, 0, _result.SessionLength);
                    _record.SessionLength = _result.SessionLength;
                    System.Array.Clear(_record.AttemptState, 0, _record.AttemptState.Length);
                    _record.AttemptStateLength = 0;
                    System.Array.Clear(_record.Message, 0, _record.Message.Length);
                    _record.MessageLength = 0;
                    _record.State = EnrolleeState.Enrolled;
                    _record.Code = StatusCode.Enrolled;
                    if (Save())
                    {
                        _awaiting = false;
                        LogState();

                        // The enrollment's broker session ends; the channel connects as the device id.
                        _ports.Mqtt.Disconnect();
                        _subscribed = false;
                        EnterChannel(false);
                    }

                    break;
                case EnrollmentResult.Busy:
                    _awaiting = false;
                    long asked = (long)_result.RetryAfterSeconds * 1000;
                    if (asked > DeviceTimings.RetryAfterMaxMilliseconds)
                    {
                        asked = DeviceTimings.RetryAfterMaxMilliseconds;
                    }

                    long delay = Backoff(_record.Attempt);
                    ScheduleRetry(now, asked > delay ? asked : delay);
                    _log.Info("enrolling: the service is busy; publishing again in " + _statusWaitSeconds.ToString() + " s");
                    break;
                case EnrollmentResult.Expired:
                    GiveUp(StatusCode.RejectedExpired);
                    break;
                case EnrollmentResult.Unknown:
                    GiveUp(StatusCode.RejectedUnknown);
                    break;
                case EnrollmentResult.Replayed:
                    GiveUp(StatusCode.RejectedReplayed);
                    break;
                default:
                    GiveUp(StatusCode.RejectedMalformed);
                    break;
            }
        }

        /// <summary>An unauthenticated notice: a hint only (docs/protocol.md section 12).</summary>
        private void OnNotice(long now)
        {
            if (_result.Outcome == EnrollmentResult.Busy)
            {
                // The service shed load before reading the message: publish it again later. A forged busy
                // can delay the device by at most the capped retry-after.
                _awaiting = false;
                long asked = (long)_result.RetryAfterSeconds * 1000;
                long delay = Backoff(_record.Attempt);
                ScheduleRetry(now, asked > delay ? asked : delay);
                _log.Info("enrolling: busy notice; publishing again in " + _statusWaitSeconds.ToString() + " s");
                return;
            }

            // "rejected": report it and keep waiting for a sealed result until the timeout.
            SetCode(StatusCode.RejectedNotice);
        }

        /// <summary>Unix time for the expiry checks: SNTP if known, else the enroller's time plus uptime since.</summary>
        private long UnixTime()
        {
            long t = _clock.UnixTimeSeconds;
            if (t > 0)
            {
                return t;
            }

            if (_record.BundleTime > 0 && _bundleTimeAt >= 0)
            {
                return _record.BundleTime + ((_clock.NowMilliseconds - _bundleTimeAt) / 1000);
            }

            // After a reboot without SNTP the delivery time is a lower bound; 0 leaves expiry to the service.
            return _record.BundleTime;
        }

        private void ScheduleRetry(long now, long delay)
        {
            _nextAttemptAt = now + delay;
            _statusWaitSeconds = (int)((delay + 999) / 1000 > 0xFFFF ? 0xFFFF : (delay + 999) / 1000);
            SetCode(StatusCode.RetryScheduled);
        }

        /// <summary>
        /// Exponential back-off with "equal jitter": half the delay fixed, half random, so that devices that
        /// failed together do not retry together.
        /// </summary>
        private long Backoff(int attempt)
        {
            long delay = _options.BackoffBaseMilliseconds;
            for (int i = 1; i < attempt && delay < _options.BackoffMaxMilliseconds; i++)
            {
                delay *= 2;
            }

            if (delay > _options.BackoffMaxMilliseconds)
            {
                delay = _options.BackoffMaxMilliseconds;
            }

            _ports.Entropy.Fill(_jitter, 0, 2);
            long half = delay / 2;
            return half + (((_jitter[0] << 8) | _jitter[1]) * (delay - half) / 65535);
        }

        /// <summary>Final failure with this bundle: drop it and wait for an enroller.</summary>
        private void GiveUp(byte code)
        {
            _record.ClearEnrollment();
            _record.State = EnrolleeState.IdentityReady;
            _record.Code = code;
            Save();
            _bundleInfoValid = false;
            ResetEnrollmentProgress();
            _ports.Mqtt.Disconnect();
            _ports.Wifi.Disconnect();
            LogState();
        }

        /// <summary>A transient status change (not persisted): log it and tell the enroller.</summary>
        private void SetCode(byte code)
        {
            if (_record.Code == code)
            {
                return;
            }

            _record.Code = code;
            _statusDirty = true;
            _log.Info("state " + EnrolleeState.Name(_record.State) + ": " + StatusCode.Name(code));
        }
    }
}
