using System;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Enrollment.Enrollee.Ports;
using Enrollment.Protocol.Crypto;
using nanoFramework.M2Mqtt;
using nanoFramework.M2Mqtt.Messages;

namespace Enrollment.Esp32.Adapters
{
    /// <summary>
    /// <see cref="IMqttLink"/> over nanoFramework.M2Mqtt (MQTT 3.1.1; docs/protocol.md section 14 needs no
    /// MQTT 5 feature). TLS 1.2 through the device's mbedTLS, with the broker CA taken as the bundle says
    /// (docs/protocol.md section 7): the certificate itself; or its SHA-256, matched against a CA file kept
    /// on I:\; or nothing, leaving validation to the CA store uploaded to the device with its firmware.
    /// </summary>
    internal sealed class M2MqttLink : IMqttLink
    {
        /// <summary>Keep-alive: five times the worst-case enrollment computation (12 s, DeviceTimings), so the broker
        /// does not drop the session while the device is busy with the message.</summary>
        private const ushort KeepAliveSeconds = 60;

        private readonly ILog _log;
        private readonly string _pinnedCaFile;
        private MqttClient? _client;
        private IMqttReceiver? _receiver;

        public M2MqttLink(ILog log, string pinnedCaFile)
        {
            _log = log;
            _pinnedCaFile = pinnedCaFile;
        }

        public bool IsConnected
        {
            get { return _client != null && _client.IsConnected; }
        }

        public void SetReceiver(IMqttReceiver receiver)
        {
            _receiver = receiver;
        }

        public bool Connect(MqttSettings settings)
        {
            Disconnect();
            try
            {
                X509Certificate? ca = null;
                if (settings.UseTls && settings.CaKind == MqttSettings.CaCertificate)
                {
                    ca = new X509Certificate(settings.CaData);
                }
                else if (settings.UseTls && settings.CaKind == MqttSettings.CaSha256)
                {
                    ca = LoadPinnedCa(settings.CaData);
                    if (ca == null)
                    {
                        _log.Error("mqtt: the bundle names a CA by hash and " + _pinnedCaFile + " does not match it");
                        return false;
                    }
                }

                MqttClient client = new MqttClient(settings.Host, settings.Port, settings.UseTls, ca, null,
                    settings.UseTls ? MqttSslProtocols.TLSv1_2 : MqttSslProtocols.None);
                client.ProtocolVersion = MqttProtocolVersion.Version_3_1_1;
                client.MqttMsgPublishReceived += OnPublishReceived;
                // Enrolled: client id = device id, with the outcome's broker user name and password (docs/protocol.md
                // section 12). MQTT allows binary passwords, but M2Mqtt's Connect takes a string and encodes it as
                // UTF-8, so the service issues text tokens; the password is never logged.
                string? password = settings.Password == null ? null : Encoding.UTF8.GetString(settings.Password, 0, settings.Password.Length);
                MqttReasonCode code = client.Connect(settings.ClientId, settings.User, password, true, KeepAliveSeconds);
                if (code != MqttReasonCode.Success)
                {
                    _log.Warn("mqtt: broker refused the connection (" + ((int)code).ToString() + ")");
                    client.Close();
                    return false;
                }

                _client = client;
                return true;
            }
            catch (Exception e)
            {
                _log.Warn("mqtt: cannot connect (" + e.Message + ")");
                return false;
            }
        }

        public bool Publish(string topic, byte[] payload, int offset, int count)
        {
            MqttClient? client = _client;
            if (client == null || !client.IsConnected)
            {
                return false;
            }

            try
            {
                byte[] message = new byte[count];
                Array.Copy(payload, offset, message, 0, count);
                client.Publish(topic, message, null, null, MqttQoSLevel.AtLeastOnce, false);
                return true;
            }
            catch (Exception e)
            {
                _log.Warn("mqtt: publish failed (" + e.Message + ")");
                return false;
            }
        }

        public bool Subscribe(string topic)
        {
            MqttClient? client = _client;
            if (client == null || !client.IsConnected)
            {
                return false;
            }

            try
            {
                client.Subscribe(new string[] { topic }, new MqttQoSLevel[] { MqttQoSLevel.AtLeastOnce });
                return true;
            }
            catch (Exception e)
            {
                _log.Warn("mqtt: subscribe failed (" + e.Message + ")");
                return false;
            }
        }

        public void Disconnect()
        {
            MqttClient? client = _client;
            _client = null;
            if (client == null)
            {
                return;
            }

            try
            {
                client.MqttMsgPublishReceived -= OnPublishReceived;
                if (client.IsConnected)
                {
                    client.Disconnect();
                }

                client.Close();
            }
            catch (Exception)
            {
                // The session is gone either way.
            }
        }

        /// <summary>Runs on M2Mqtt's receive thread; the core copies the payload under its own lock.</summary>
        private void OnPublishReceived(object sender, MqttMsgPublishEventArgs e)
        {
            IMqttReceiver? receiver = _receiver;
            if (receiver != null && e.Message != null)
            {
                receiver.OnMessage(e.Topic, e.Message, 0, e.Message.Length);
            }
        }

        /// <summary>The CA kept on flash, if its DER hashes to the bundle's SHA-256 (compared in fixed time).</summary>
        private X509Certificate? LoadPinnedCa(byte[] expectedHash)
        {
            if (expectedHash.Length != Sha256.HashSize || !System.IO.File.Exists(_pinnedCaFile))
            {
                return null;
            }

            byte[] der = System.IO.File.ReadAllBytes(_pinnedCaFile);
            byte[] hash = Sha256.Hash(der);
            return FixedTime.Equals(hash, 0, expectedHash, 0, Sha256.HashSize) ? new X509Certificate(der) : null;
        }
    }
}
