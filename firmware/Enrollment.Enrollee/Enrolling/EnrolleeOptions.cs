using Enrollment.Enrollee.Link;

namespace Enrollment.Enrollee.Enrolling
{
    /// <summary>
    /// Settings of an <see cref="EnrolleeCore"/>; defaults come from <see cref="DeviceTimings"/>. Tests and the
    /// simulator shorten the timings; the device keeps the defaults.
    /// </summary>
    public sealed class EnrolleeOptions
    {
        private int _resultTimeout = DeviceTimings.ResultTimeoutMilliseconds;
        private int _backoffBase = DeviceTimings.BackoffBaseMilliseconds;
        private int _backoffMax = DeviceTimings.BackoffMaxMilliseconds;
        private int _maxAttempts = DeviceTimings.MaxAttempts;
        private int _networkRetry = DeviceTimings.NetworkRetryMilliseconds;
        private string _firmwareVersion = "0.1.0";
        private int _rekeyTimeout = DeviceTimings.RekeyTimeoutMilliseconds;
        private Enrollment.Protocol.X3dh.IX3dhPrimitives _primitives = Enrollment.Protocol.X3dh.DefaultX3dhPrimitives.Instance;

        public EnrolleeOptions()
        {
            Link = new LinkOptions();
            Link.AckTimeoutMilliseconds = DeviceTimings.AckTimeoutMilliseconds;
        }

        public LinkOptions Link { get; private set; }

        public int ResultTimeoutMilliseconds
        {
            get { return _resultTimeout; }
            set { _resultTimeout = Check(value, 1, int.MaxValue, "ResultTimeoutMilliseconds"); }
        }

        public int BackoffBaseMilliseconds
        {
            get { return _backoffBase; }
            set { _backoffBase = Check(value, 1, int.MaxValue, "BackoffBaseMilliseconds"); }
        }

        public int BackoffMaxMilliseconds
        {
            get { return _backoffMax; }
            set { _backoffMax = Check(value, 1, int.MaxValue, "BackoffMaxMilliseconds"); }
        }

        public int MaxAttempts
        {
            get { return _maxAttempts; }
            set { _maxAttempts = Check(value, 1, 1000, "MaxAttempts"); }
        }

        public int NetworkRetryMilliseconds
        {
            get { return _networkRetry; }
            set { _networkRetry = Check(value, 1, int.MaxValue, "NetworkRetryMilliseconds"); }
        }

        /// <summary>How long a rekey waits for the service's response before it starts again (with back-off).</summary>
        public int RekeyTimeoutMilliseconds
        {
            get { return _rekeyTimeout; }
            set { _rekeyTimeout = Check(value, 1, int.MaxValue, "RekeyTimeoutMilliseconds"); }
        }

        /// <summary>X25519 and XEdDSA for the channel's rekey and identity rotation (this project's, by default).</summary>
        public Enrollment.Protocol.X3dh.IX3dhPrimitives Primitives
        {
            get { return _primitives; }
            set
            {
                if (value == null)
                {
                    throw new System.ArgumentNullException("Primitives");
                }

                _primitives = value;
            }
        }

        /// <summary>Sent in HelloReply; ASCII or UTF-8, at most 32 bytes.</summary>
        public string FirmwareVersion
        {
            get { return _firmwareVersion; }
            set
            {
                if (value == null || value.Length == 0 || value.Length > Messages.Limits.MaxFirmwareVersion)
                {
                    throw new System.ArgumentOutOfRangeException("FirmwareVersion");
                }

                for (int i = 0; i < value.Length; i++)
                {
                    if (value[i] < 0x20 || value[i] > 0x7E)
                    {
                        throw new System.ArgumentOutOfRangeException("FirmwareVersion");
                    }
                }

                _firmwareVersion = value;
            }
        }

        private static int Check(int value, int min, int max, string name)
        {
            if (value < min || value > max)
            {
                throw new System.ArgumentOutOfRangeException(name);
            }

            return value;
        }
    }
}
