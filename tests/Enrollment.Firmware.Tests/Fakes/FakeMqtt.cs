using Enrollment.Enrollee.Ports;

namespace Enrollment.Firmware.Tests.Fakes;

/// <summary>An in-process broker: topics, subscribers, retained messages, and the fake service on the enrollment topic.</summary>
/// <summary>The service behind the broker's request topic.</summary>
internal interface IServiceHandler
{
    void Handle(FakeBroker broker, byte[] message);
}

internal sealed class FakeBroker
{
    private readonly Dictionary<string, byte[]> _retained = new();
    private readonly List<(FakeMqttLink Client, string Topic)> _subscriptions = new();

    public FakeBroker(IServiceHandler service) => Service = service;

    public IServiceHandler Service { get; }
    public bool Up { get; set; } = true;
    public string EnrollmentTopic { get; set; } = "enroll/v1/requests";
    public bool Retain { get; set; } = true;

    /// <summary>Deferred: publications wait in a queue until <see cref="Pump"/> (so that the service's work
    /// does not run on the device's call stack, e.g. while the device's allocations are being measured).</summary>
    public bool Deferred { get; set; }

    private readonly Queue<(string Topic, byte[] Payload)> _pending = new();

    public void Pump()
    {
        while (_pending.Count > 0)
        {
            var (topic, payload) = _pending.Dequeue();
            Deliver(topic, payload);
        }
    }
    public List<string> ClientIds { get; } = new();

    public void Subscribe(FakeMqttLink client, string topic)
    {
        // The same filter again replaces the subscription and resends the retained message (MQTT 3.1.1 section 3.8.4).
        _subscriptions.RemoveAll(s => s.Client == client && s.Topic == topic);
        _subscriptions.Add((client, topic));
        if (_retained.TryGetValue(topic, out byte[]? payload))
        {
            client.Deliver(topic, payload);
        }
    }

    public void Forget(FakeMqttLink client) => _subscriptions.RemoveAll(s => s.Client == client);

    public void Publish(string topic, byte[] payload, bool retain = false)
    {
        if (Deferred)
        {
            _pending.Enqueue((topic, payload));
            return;
        }

        Deliver(topic, payload, retain);
    }

    /// <summary>The next publication on this topic reaches no subscriber (lost on the way), though it is retained if flagged so.</summary>
    public string? LoseNextDeliveryOn { get; set; }

    /// <summary>Sees every publication on a topic other than the enrollment topic (the channel peer's up topic).</summary>
    public Action<string, byte[]>? Tap { get; set; }

    private void Deliver(string topic, byte[] payload, bool retain = false)
    {
        if (topic != EnrollmentTopic)
        {
            Tap?.Invoke(topic, payload);
        }

        if (retain && Retain)
        {
            _retained[topic] = payload;
        }

        if (topic == EnrollmentTopic)
        {
            Service.Handle(this, payload);
        }

        if (topic == LoseNextDeliveryOn)
        {
            LoseNextDeliveryOn = null;
            return;
        }

        foreach (var (client, t) in _subscriptions.ToArray())
        {
            if (t == topic)
            {
                client.Deliver(topic, payload);
            }
        }
    }

    public void ClearRetained() => _retained.Clear();
}

internal sealed class FakeMqttLink : IMqttLink
{
    private readonly FakeBroker _broker;
    private IMqttReceiver? _receiver;

    public FakeMqttLink(FakeBroker broker) => _broker = broker;

    public bool IsConnected { get; private set; }
    public int Publishes { get; private set; }
    public string? LastCa { get; private set; }
    public MqttSettings? LastSettings { get; private set; }
    public List<string> Subscriptions { get; } = new();

    /// <summary>
    /// Allocation-free mode for the allocation tests: publications are copied into one preallocated buffer
    /// (<see cref="Captured"/>) instead of going to the broker, so only the device's own allocations count.
    /// </summary>
    public bool Capture { get; set; }
    public byte[] Captured { get; } = new byte[2048];
    public int CapturedLength { get; private set; }

    public bool Connect(MqttSettings settings)
    {
        if (!_broker.Up || _receiver == null)
        {
            return false;
        }

        LastCa = System.Text.Encoding.ASCII.GetString(settings.CaData);
        LastSettings = settings;
        _broker.ClientIds.Add(settings.ClientId);
        IsConnected = true;
        return true;
    }

    public bool Publish(string topic, byte[] payload, int offset, int count)
    {
        if (!IsConnected)
        {
            return false;
        }

        Publishes++;
        if (Capture)
        {
            Array.Copy(payload, offset, Captured, 0, count);
            CapturedLength = count;
            return true;
        }

        _broker.Publish(topic, payload.AsSpan(offset, count).ToArray());
        return true;
    }

    public bool Subscribe(string topic)
    {
        if (!IsConnected)
        {
            return false;
        }

        Subscriptions.Add(topic);
        _broker.Subscribe(this, topic);
        return true;
    }

    public void Disconnect()
    {
        IsConnected = false;
        _broker.Forget(this);
    }

    public void SetReceiver(IMqttReceiver receiver) => _receiver = receiver;

    public void Deliver(string topic, byte[] payload)
    {
        if (IsConnected)
        {
            _receiver!.OnMessage(topic, payload, 0, payload.Length);
        }
    }
}
