using Enrollment.Enrollee.Link;
using Enrollment.Enrollee.Messages;
using Enrollment.Enrollee.State;

namespace Enrollment.Enrollee
{
    /// <summary>The enroller side of the state machine: requests over the serial link and their answers.</summary>
    public sealed partial class EnrolleeCore : ILinkHandler
    {
        private readonly HelloMessage _hello = new HelloMessage();
        private readonly HelloReplyMessage _helloReply = new HelloReplyMessage();
        private readonly BundleMessage _bundle = new BundleMessage();
        private readonly StatusMessage _status = new StatusMessage();
        private readonly FactoryResetMessage _reset = new FactoryResetMessage();
        private readonly ErrorMessage _error = new ErrorMessage();

        void ILinkHandler.OnMessage(byte type, byte[] payload, int offset, int count)
        {
            switch (type)
            {
                case MessageType.Hello:
                    OnHello(payload, offset, count);
                    break;
                case MessageType.StatusRequest:
                    if (RequireIdentity(type) && RequireEmpty(type, count))
                    {
                        SendStatus();
                    }

                    break;
                case MessageType.Bundle:
                    OnBundle(payload, offset, count);
                    break;
                case MessageType.FactoryReset:
                    OnFactoryReset(payload, offset, count);
                    break;
                case MessageType.Error:
                    if (_error.TryDecode(payload, offset, count))
                    {
                        _log.Warn("link: the enroller reported error " + _error.Code.ToString());
                    }

                    break;
                default:
                    SendError(ErrorCode.UnexpectedMessage, type);
                    break;
            }
        }

        void ILinkHandler.OnSendFailed(byte type)
        {
            // The enroller went away (cable pulled, tool closed). Nothing to undo: every request is
            // idempotent from the enroller's side and the state is on flash. Stop pushing status until
            // the next Hello.
            _sessionOpen = false;
            _log.Warn("link: no acknowledgement for message type " + type.ToString() + "; enroller gone");
        }

        void ILinkHandler.OnMessageTooLarge(byte type)
        {
            SendError(ErrorCode.TooLarge, type);
        }

        private void OnHello(byte[] payload, int offset, int count)
        {
            if (!_hello.TryDecode(payload, offset, count))
            {
                SendError(ErrorCode.Malformed, MessageType.Hello);
                return;
            }

            if (!RequireIdentity(MessageType.Hello))
            {
                return;
            }

            byte version = _hello.HighestCommon();
            if (version != 0)
            {
                _link.NegotiatedVersion = version;
            }

            _sessionOpen = true;
            SendHelloReply(version);
            _log.Info("link: hello from an enroller, version " + version.ToString());
        }

        private void OnBundle(byte[] payload, int offset, int count)
        {
            if (!RequireIdentity(MessageType.Bundle))
            {
                return;
            }

            byte state = _record.State;
            if (state != EnrolleeState.IdentityReady && state != EnrolleeState.BundleReceived)
            {
                // Enrolling: the attempt in flight is bound to the stored bundle's one-time prekey;
                // replacing it mid-attempt could not be undone. Enrolled/revoked: factory reset first.
                SendError(ErrorCode.WrongState, MessageType.Bundle);
                return;
            }

            if (!_bundle.TryDecode(payload, offset, count))
            {
                SendError(ErrorCode.Malformed, MessageType.Bundle);
                return;
            }

            try
            {
                long now = _clock.UnixTimeSeconds > 0 ? _clock.UnixTimeSeconds : _bundle.EnrollerTime;
                if (!_protocol.ReadBundle(_bundle.Bundle, _bundle.BundleLength, now, _enrolleeId, _enrolleeIdLength, _bundleInfo))
                {
                    _log.Warn("bundle: rejected (malformed, expired or bad SPK signature)");
                    SendError(ErrorCode.BundleRejected, MessageType.Bundle);
                    return;
                }

                _record.ClearEnrollment();
                Copy(_bundle.Ssid, _bundle.SsidLength, _record.Ssid);
                _record.SsidLength = _bundle.SsidLength;
                Copy(_bundle.Password, _bundle.PasswordLength, _record.Password);
                _record.PasswordLength = _bundle.PasswordLength;
                Copy(_bundle.Bundle, _bundle.BundleLength, _record.Bundle);
                _record.BundleLength = _bundle.BundleLength;
                _record.BundleTime = _bundle.EnrollerTime;
                _bundleTimeAt = _clock.NowMilliseconds;
                if (_bundle.PetNameLength > 0)
                {
                    System.Array.Clear(_record.PetName, 0, _record.PetName.Length);
                    Copy(_bundle.PetName, _bundle.PetNameLength, _record.PetName);
                    _record.PetNameLength = _bundle.PetNameLength;
                }

                _record.State = EnrolleeState.BundleReceived;
                _record.Code = StatusCode.BundleStored;
                if (!Save())
                {
                    SendError(ErrorCode.StorageFailed, MessageType.Bundle);
                    return;
                }
            }
            finally
            {
                _bundle.Clear();
            }

            _bundleInfoValid = true;
            _bundleInfo.Mqtt.ClientId = Enrollment.Protocol.Messages.EnrolleeId.ToText(_enrolleeId, 0);
            ResetEnrollmentProgress();
            LogState();
            _log.Info("bundle: stored; service " + _bundleInfo.Mqtt.Host + ":" + _bundleInfo.Mqtt.Port.ToString()
                + (_bundleInfo.Mqtt.UseTls ? " (TLS)" : " (no TLS)") + ", Wi-Fi " + SsidText());
            SendStatus();
        }

        private void OnFactoryReset(byte[] payload, int offset, int count)
        {
            if (!_reset.TryDecode(payload, offset, count))
            {
                SendError(ErrorCode.Malformed, MessageType.FactoryReset);
                return;
            }

            if (!RequireIdentity(MessageType.FactoryReset))
            {
                return;
            }

            // The id is public: an ordinary comparison is fine.
            bool same = _reset.EnrolleeIdLength == _enrolleeIdLength;
            for (int i = 0; same && i < _enrolleeIdLength; i++)
            {
                same = _reset.EnrolleeId[i] == _enrolleeId[i];
            }

            if (!same)
            {
                SendError(ErrorCode.ConfirmationMismatch, MessageType.FactoryReset);
                return;
            }

            FactoryReset();
            _reply[0] = 0;
            _link.TrySend(MessageType.FactoryResetAck, _reply, 0, 1);
        }

        private bool RequireIdentity(byte about)
        {
            if (_record.State != EnrolleeState.Fresh)
            {
                return true;
            }

            SendError(ErrorCode.NotReady, about);
            return false;
        }

        private bool RequireEmpty(byte about, int count)
        {
            if (count == 0)
            {
                return true;
            }

            SendError(ErrorCode.Malformed, about);
            return false;
        }

        /// <summary>Unprompted HelloReply at boot: tells an attached enroller we (re)started.</summary>
        private void Announce()
        {
            SendHelloReply(0);
        }

        private void SendHelloReply(byte selected)
        {
            HelloReplyMessage m = _helloReply;
            m.SelectedVersion = selected;
            m.Versions[0] = Frame.Version1;
            m.VersionCount = 1;
            m.State = _record.State;
            m.Code = _record.Code;
            Copy(_enrolleeId, _enrolleeIdLength, m.EnrolleeId);
            m.EnrolleeIdLength = _enrolleeIdLength;
            Copy(_record.EikPublic, Limits.PublicKeySize, m.EikPublic);
            Copy(_firmwareVersion, _firmwareVersion.Length, m.FirmwareVersion);
            m.FirmwareVersionLength = _firmwareVersion.Length;
            Copy(_record.PetName, _record.PetNameLength, m.PetName);
            m.PetNameLength = _record.PetNameLength;
            int n = m.Encode(_reply, 0);
            _link.TrySend(MessageType.HelloReply, _reply, 0, n);
        }

        private void SendStatus()
        {
            StatusMessage m = _status;
            m.State = _record.State;
            m.Code = _record.Code;
            m.Attempt = _record.Attempt;
            m.WaitSeconds = _statusWaitSeconds;
            Copy(_record.DeviceId, _record.DeviceIdLength, m.DeviceId);
            m.DeviceIdLength = _record.DeviceIdLength;
            int n = m.Encode(_reply, 0);
            _statusDirty = !_link.TrySend(MessageType.Status, _reply, 0, n);
        }

        private void SendError(byte code, byte about)
        {
            _error.Code = code;
            _error.About = about;
            int n = _error.Encode(_reply, 0);
            _link.TrySend(MessageType.Error, _reply, 0, n);
        }

        /// <summary>
        /// The SSID for log lines (not a secret): quoted text if it is UTF-8 without control characters,
        /// else hex (an SSID is any 0..32 bytes, IEEE 802.11 section 9.4.2.2; a control character would
        /// garble or forge log lines).
        /// </summary>
        private string SsidText()
        {
            return Enrollment.Protocol.Messages.Utf8.IsValidText(_record.Ssid, 0, _record.SsidLength)
                ? "\"" + Enrollment.Protocol.Messages.Utf8.GetString(_record.Ssid, 0, _record.SsidLength) + "\""
                : Enrollment.Protocol.Messages.Hex.Encode(_record.Ssid, 0, _record.SsidLength);
        }

        private static void Copy(byte[] from, int count, byte[] to)
        {
            System.Array.Copy(from, 0, to, 0, count);
        }
    }
}
