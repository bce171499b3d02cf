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
        /// <summary>
        /// Opens a session; with <paramref name="tls"/> the broker certificate must chain to
        /// <paramref name="caCertificate"/> (PEM or DER as given in the bundle; empty = the platform's store).
        /// Returns false on any failure (the caller retries with back-off).
        /// </summary>
        bool Connect(string host, int port, bool tls, byte[] caCertificate, int caOffset, int caCount,
            string clientId, string? user, string? password);

        bool IsConnected { get; }

        /// <summary>Publishes at QoS 1 (at least once). Returns false if the session is down.</summary>
        bool Publish(string topic, byte[] payload, int offset, int count);

        /// <summary>Subscribes at QoS 1. Returns false if the session is down.</summary>
        bool Subscribe(string topic);

        void Disconnect();

        /// <summary>Where received messages go; set once before <see cref="Connect"/>.</summary>
        void SetReceiver(IMqttReceiver receiver);
    }
}
