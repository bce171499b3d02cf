namespace Enrollment.Enrollee.Ports
{
    /// <summary>Receives messages for the topics the core subscribed to.</summary>
    /// <remarks>
    /// An interface rather than a delegate type: nanoFramework 1.x has no generics (so no Action&lt;T&gt;),
    /// and a named interface keeps the seam explicit. It may be called on the MQTT client's own thread:
    /// implementations copy the payload and return quickly.
    /// </remarks>
    public interface IMqttReceiver
    {
        void OnMessage(string topic, byte[] payload, int offset, int count);
    }

    /// <summary>An MQTT 3.1.1 client session. Correctness never depends on MQTT 5 features (protocol.md).</summary>
    public interface IMqttLink
    {
        /// <summary>Opens a session; false on any failure (the caller retries with back-off).</summary>
        bool Connect(MqttSettings settings);

        bool IsConnected { get; }

        /// <summary>Publishes at QoS 1 (at least once). Returns false if the session is down.</summary>
        bool Publish(string topic, byte[] payload, int offset, int count);

        /// <summary>Subscribes at QoS 1. Returns false if the session is down.</summary>
        bool Subscribe(string topic);

        void Disconnect();

        /// <summary>Where received messages go; set once before <see cref="Connect"/>.</summary>
        void SetReceiver(IMqttReceiver receiver);
    }

    /// <summary>How to reach the broker (from the bundle's service address, docs/protocol.md section 7).</summary>
    public sealed class MqttSettings
    {
        /// <summary>No CA in the bundle: plain MQTT, or TLS against the device's built-in trust store.</summary>
        public const byte CaNone = 0;

        /// <summary><see cref="CaData"/> is the SHA-256 of the CA certificate's DER; the device holds that CA.</summary>
        public const byte CaSha256 = 1;

        /// <summary><see cref="CaData"/> is the CA certificate, DER encoded.</summary>
        public const byte CaCertificate = 2;

        public string Host = string.Empty;
        public int Port;
        public bool UseTls;
        public byte CaKind;
        public byte[] CaData = new byte[0];
        public string ClientId = string.Empty;
        public string? User;

        /// <summary>Broker password or token bytes (never logged), or null.</summary>
        public byte[]? Password;
    }
}
