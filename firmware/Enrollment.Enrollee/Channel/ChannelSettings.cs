using Enrollment.Enrollee.Ports;
using Enrollment.Enrollee.State;
using Enrollment.Protocol.Crypto;
using Enrollment.Protocol.Messages;

namespace Enrollment.Enrollee.Channel
{
    /// <summary>
    /// What the enrolled device needs to run its channel, read once from the device record: the outcome of
    /// the accepted enrollment (device id, topic prefix, broker credentials, rekey figures; docs/protocol.md
    /// section 12, "Outcome") and IK_A from the stored bundle. The record's session field is
    /// <c>K_up (32) || K_down (32) || outcome</c> (<see cref="Enrolling.ProtocolAdapter"/>).
    /// </summary>
    internal sealed class ChannelSettings
    {
        public const int KeySize = 32;

        /// <summary>K_up || K_down of epoch 0 at the start of the session field.</summary>
        public const int EpochZeroKeysSize = 2 * KeySize;

        public string DeviceId = string.Empty;
        public string UpTopic = string.Empty;
        public string DownTopic = string.Empty;
        public uint RekeyAfterMessages;
        public uint RekeyAfterSeconds;
        public readonly byte[] ServiceIdentity = new byte[KeySize];

        /// <summary>The broker as the bundle names it, with the enrolled identity: client id = device id, and the outcome's credentials.</summary>
        public readonly MqttSettings Mqtt = new MqttSettings();

        /// <summary>
        /// Fills the settings from the record and the broker address read from its bundle. False if the
        /// record holds no accepted outcome or no readable bundle (nothing to run a channel with).
        /// </summary>
        public bool Load(DeviceRecord record, MqttSettings broker)
        {
            Clear();
            if (record.SessionLength <= EpochZeroKeysSize)
            {
                return false;
            }

            EnrollmentOutcome? outcome;
            EnrollmentBundle? bundle;
            if (!EnrollmentOutcome.TryDecode(record.Session, EpochZeroKeysSize, record.SessionLength - EpochZeroKeysSize, out outcome)
                || outcome == null || !outcome.IsAccepted
                || !EnrollmentBundle.TryDecode(record.Bundle, 0, record.BundleLength, out bundle) || bundle == null)
            {
                return false;
            }

            DeviceId = outcome.DeviceId!;
            UpTopic = outcome.DeviceTopicPrefix + "up";
            DownTopic = outcome.DeviceTopicPrefix + "down";
            RekeyAfterMessages = outcome.RekeyAfterMessages;
            RekeyAfterSeconds = outcome.RekeyAfterSeconds;
            System.Array.Copy(bundle.IdentityKey, 0, ServiceIdentity, 0, KeySize);

            Mqtt.Host = broker.Host;
            Mqtt.Port = broker.Port;
            Mqtt.UseTls = broker.UseTls;
            Mqtt.CaKind = broker.CaKind;
            Mqtt.CaData = broker.CaData;
            Mqtt.ClientId = DeviceId; // docs/protocol.md section 12: the client id of an enrolled device is its device id
            byte[]? user = outcome.BrokerUsernameUtf8;
            Mqtt.User = user == null || user.Length == 0 ? null : outcome.BrokerUsername;
            byte[]? password = outcome.BrokerPassword;
            Mqtt.Password = password == null || password.Length == 0 ? null : password;
            return true;
        }

        /// <summary>True if the record still holds epoch 0's keys (they are zeroed after the first rekey).</summary>
        public static bool HasEpochZeroKeys(DeviceRecord record)
        {
            return record.SessionLength > EpochZeroKeysSize && !FixedTime.IsZero(record.Session, 0, EpochZeroKeysSize);
        }

        public void Clear()
        {
            DeviceId = string.Empty;
            UpTopic = string.Empty;
            DownTopic = string.Empty;
            RekeyAfterMessages = 0;
            RekeyAfterSeconds = 0;
            System.Array.Clear(ServiceIdentity, 0, KeySize);
            if (Mqtt.Password != null)
            {
                System.Array.Clear(Mqtt.Password, 0, Mqtt.Password.Length);
            }

            Mqtt.Password = null;
            Mqtt.User = null;
            Mqtt.ClientId = string.Empty;
        }
    }
}
