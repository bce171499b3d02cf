using Enrollment.Enrollee.Enrolling;
using Enrollment.Enrollee.Link;
using Enrollment.Enrollee.Messages;
using Enrollment.Enrollee.Ports;
using Enrollment.Enrollee.State;

namespace Enrollment.Enrollee
{
    /// <summary>
    /// The enrollee's state machine (docs/serial-protocol.md section 6):
    /// fresh -> identity-ready (EIK_B) -> bundle-received -> enrolling (attempt persisted, awaiting the result)
    /// -> enrolled -> revoked; a factory reset returns to fresh from anywhere.
    /// Every transition is one atomic write of <see cref="DeviceRecord"/>; in-memory fields that are not in
    /// the record (deadlines, network status) are recomputed after a reboot.
    /// </summary>
    /// <remarks>
    /// Single-threaded: <see cref="Boot"/> once, then <see cref="Step"/> from one loop. The only call from
    /// another thread is <see cref="IMqttReceiver.OnMessage"/>, which copies into an inbox under a lock.
    /// All working buffers are allocated in the constructor.
    /// </remarks>
    public sealed partial class EnrolleeCore
    {
        private readonly EnrolleePorts _ports;
        private readonly IEnrolleeProtocol _protocol;
        private readonly EnrolleeOptions _options;
        private readonly ILog _log;
        private readonly IClock _clock;
        private readonly EnrollerLink _link;

        private readonly DeviceRecord _record = new DeviceRecord();
        private readonly byte[] _recordBuffer = new byte[DeviceRecord.MaxSize];
        private readonly byte[] _enrolleeId = new byte[Limits.MaxEnrolleeId];
        private int _enrolleeIdLength;
        private readonly byte[] _firmwareVersion;
        private readonly byte[] _reply = new byte[256]; // the largest reply, HelloReply, is 175 bytes

        private bool _booted;
        private bool _sessionOpen;
        private bool _statusDirty;
        private int _statusWaitSeconds;
        private long _entropyCheckAt;

        public EnrolleeCore(EnrolleePorts ports, IEnrolleeProtocol protocol, EnrolleeOptions options)
        {
            if (ports == null)
            {
                throw new System.ArgumentNullException("ports");
            }

            if (protocol == null)
            {
                throw new System.ArgumentNullException("protocol");
            }

            if (options == null)
            {
                throw new System.ArgumentNullException("options");
            }

            _ports = ports;
            _protocol = protocol;
            _options = options;
            _log = ports.Log;
            _clock = ports.Clock;
            _link = new EnrollerLink(ports.Serial, ports.Clock, this, options.Link);
            _firmwareVersion = Ascii(options.FirmwareVersion);
            _message = new byte[protocol.MaxMessageSize];
            _channelFile = new Channel.ChannelRecordFile(ports.Storage, ports.Log);
            _flashCounters = new Channel.FlashCounterStore(_channelFile);
            ports.Mqtt.SetReceiver(this);
        }

        /// <summary>The current persisted state (<see cref="EnrolleeState"/>).</summary>
        public byte State
        {
            get { return _record.State; }
        }

        /// <summary>The current status code (<see cref="StatusCode"/>).</summary>
        public byte Code
        {
            get { return _record.Code; }
        }

        public int Attempt
        {
            get { return _record.Attempt; }
        }

        public EnrollerLink Link
        {
            get { return _link; }
        }

        /// <summary>Loads the persisted state (or starts fresh) and resumes where the device left off.</summary>
        public void Boot()
        {
            int count = -1;
            try
            {
                count = _ports.Storage.Read(DeviceRecord.FileName, _recordBuffer, 0, _recordBuffer.Length);
            }
            catch (System.Exception e)
            {
                _log.Error("storage: cannot read the record (" + e.Message + "); starting fresh");
            }

            if (count >= 0 && !_record.TryDecode(_recordBuffer, count))
            {
                _log.Error("storage: the record is not valid; starting fresh with a new identity");
            }

            System.Array.Clear(_recordBuffer, 0, _recordBuffer.Length);
            _booted = true;
            if (_record.State != EnrolleeState.Fresh)
            {
                _enrolleeIdLength = _protocol.MakeEnrolleeId(_record.EikPublic, _enrolleeId);
            }

            OnBootResume();
            if (_record.State == EnrolleeState.Revoked)
            {
                _channelFile.Delete(); // left by a power loss during Revoke: IK_B' must not outlive the identity
            }

            LogState();
            if (_record.State == EnrolleeState.Enrolled)
            {
                EnterChannel(true);
            }

            if (_record.State != EnrolleeState.Fresh)
            {
                Announce();
            }
        }

        /// <summary>One iteration of the main loop: link, inbox, then whatever the state needs.</summary>
        public void Step()
        {
            if (!_booted)
            {
                throw new System.InvalidOperationException("Boot first");
            }

            _link.Poll();
            ProcessInbox();
            switch (_record.State)
            {
                case EnrolleeState.Fresh:
                    TryMakeIdentity();
                    break;
                case EnrolleeState.BundleReceived:
                case EnrolleeState.Enrolling:
                    StepEnrollment();
                    break;
                case EnrolleeState.Enrolled:
                    StepChannel();
                    break;
                default:
                    break;
            }

            if (_statusDirty && _sessionOpen && _link.IsIdle && _record.State != EnrolleeState.Fresh)
            {
                _statusDirty = false;
                SendStatus();
            }
        }

        /// <summary>Erases every key and setting (the enroller's FactoryReset, or a button held at boot).</summary>
        public void FactoryReset()
        {
            _log.Warn("factory reset: erasing keys and settings");

            // The channel record first: a power loss in between leaves the device record, whose boot would
            // otherwise meet a channel record of an identity that no longer exists.
            _channelFile.Delete();
            ClearChannel();
            _ports.Storage.Delete(DeviceRecord.FileName);
            _record.Clear();
            _result.Clear();
            System.Array.Clear(_enrolleeId, 0, _enrolleeId.Length);
            _enrolleeIdLength = 0;
            ResetEnrollmentProgress();
            _ports.Mqtt.Disconnect();
            _ports.Wifi.Disconnect();
            LogState();
        }

        /// <summary>
        /// The service revoked this device (a revocation frame, docs/session-protocol.md section 9): erase IK_B,
        /// IK_B', the session keys and the broker credentials (all in the session field), stop publishing, and
        /// keep only EIK_B and the device id; only a factory reset through an enroller leaves this state.
        /// </summary>
        public void Revoke()
        {
            if (_record.State != EnrolleeState.Enrolled)
            {
                return;
            }

            ClearChannel();
            _record.State = EnrolleeState.Revoked;
            _record.Code = StatusCode.Revoked;
            System.Array.Clear(_record.Session, 0, _record.Session.Length);
            _record.SessionLength = 0;
            System.Array.Clear(_record.IkPrivate, 0, _record.IkPrivate.Length);
            System.Array.Clear(_record.IkPublic, 0, _record.IkPublic.Length);
            Save();

            // After the record: a power loss in between leaves a revoked record and an orphan channel record,
            // which the next boot deletes.
            _channelFile.Delete();
            _ports.Mqtt.Disconnect();
            LogState();
        }

        private void TryMakeIdentity()
        {
            long now = _clock.NowMilliseconds;
            if (now < _entropyCheckAt)
            {
                return;
            }

            if (!_ports.Entropy.IsTrulyRandom)
            {
                // A key drawn before the RNG is truly random could repeat on the next boot.
                _entropyCheckAt = now + DeviceTimings.EntropyRecheckMilliseconds;
                if (_record.Code != StatusCode.WaitingForEntropy)
                {
                    _record.Code = StatusCode.WaitingForEntropy;
                    _log.Info("state fresh: waiting for the random generator (radio on)");
                }

                return;
            }

            _ports.Entropy.Fill(_record.EikPrivate, 0, DeviceRecord.KeySize);
            _protocol.MakePublicKey(_record.EikPrivate, _record.EikPublic);
            _record.State = EnrolleeState.IdentityReady;
            _record.Code = StatusCode.WaitingForBundle;
            if (!Save())
            {
                // Not stored: forget it, so that the identity we announce is always the one on flash.
                _record.Clear();
                _entropyCheckAt = now + DeviceTimings.EntropyRecheckMilliseconds;
                return;
            }

            _enrolleeIdLength = _protocol.MakeEnrolleeId(_record.EikPublic, _enrolleeId);
            LogState();
            Announce();
        }

        /// <summary>Writes the record atomically; false (logged) if the storage failed.</summary>
        private bool Save()
        {
            try
            {
                int count = _record.Encode(_recordBuffer);
                _ports.Storage.WriteAtomic(DeviceRecord.FileName, _recordBuffer, 0, count);
                return true;
            }
            catch (System.IO.IOException e)
            {
                // The transition did not happen: put memory back in line with what is on flash.
                _log.Error("storage: write failed (" + e.Message + "); transition abandoned");
                Reload();
                _record.Code = StatusCode.StorageFailed;
                return false;
            }
            finally
            {
                System.Array.Clear(_recordBuffer, 0, _recordBuffer.Length);
                _statusDirty = true;
            }
        }

        private void Reload()
        {
            _record.Clear();
            try
            {
                int count = _ports.Storage.Read(DeviceRecord.FileName, _recordBuffer, 0, _recordBuffer.Length);
                if (count >= 0)
                {
                    _record.TryDecode(_recordBuffer, count);
                }
            }
            catch (System.IO.IOException e)
            {
                _log.Error("storage: read failed (" + e.Message + ")");
            }

            System.Array.Clear(_recordBuffer, 0, _recordBuffer.Length);
            ResetEnrollmentProgress();
        }

        private void LogState()
        {
            string line = "state " + EnrolleeState.Name(_record.State) + ": " + StatusCode.Name(_record.Code);
            if (_record.State != EnrolleeState.Fresh)
            {
                line += " id=" + Enrollment.Protocol.Messages.Hex.Encode(_enrolleeId, 0, _enrolleeIdLength);
            }

            if (_record.State == EnrolleeState.Enrolling || _record.State == EnrolleeState.BundleReceived)
            {
                line += " attempt=" + _record.Attempt.ToString();
            }

            if (_record.State == EnrolleeState.Enrolled)
            {
                line += " device=" + Enrollment.Protocol.Messages.Hex.Encode(_record.DeviceId, 0, _record.DeviceIdLength);
            }

            _log.Info(line);
        }

        private static byte[] Ascii(string text)
        {
            byte[] b = new byte[text.Length];
            for (int i = 0; i < text.Length; i++)
            {
                b[i] = (byte)text[i];
            }

            return b;
        }
    }
}
