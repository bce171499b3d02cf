using Enrollment.Enrollee.Ports;

namespace Enrollment.Enrollee
{
    /// <summary>The enrollee's ports to the world, one adapter each (ESP32, simulator or test fakes).</summary>
    public sealed class EnrolleePorts
    {
        public EnrolleePorts(ISerialLink serial, IMqttLink mqtt, IStorage storage, IClock clock, IEntropy entropy,
            IWifi wifi, ILog log)
        {
            Serial = Required(serial, "serial");
            Mqtt = Required(mqtt, "mqtt");
            Storage = Required(storage, "storage");
            Clock = Required(clock, "clock");
            Entropy = Required(entropy, "entropy");
            Wifi = Required(wifi, "wifi");
            Log = Required(log, "log");
        }

        public ISerialLink Serial { get; private set; }

        public IMqttLink Mqtt { get; private set; }

        public IStorage Storage { get; private set; }

        public IClock Clock { get; private set; }

        public IEntropy Entropy { get; private set; }

        public IWifi Wifi { get; private set; }

        public ILog Log { get; private set; }

        // Typed per port: no generic helper on nanoFramework 1.x.
        private static ISerialLink Required(ISerialLink value, string name) { Check(value, name); return value; }

        private static IMqttLink Required(IMqttLink value, string name) { Check(value, name); return value; }

        private static IStorage Required(IStorage value, string name) { Check(value, name); return value; }

        private static IClock Required(IClock value, string name) { Check(value, name); return value; }

        private static IEntropy Required(IEntropy value, string name) { Check(value, name); return value; }

        private static IWifi Required(IWifi value, string name) { Check(value, name); return value; }

        private static ILog Required(ILog value, string name) { Check(value, name); return value; }

        private static void Check(object value, string name)
        {
            if (value == null)
            {
                throw new System.ArgumentNullException(name);
            }
        }
    }
}
