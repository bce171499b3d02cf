using System;
using System.Diagnostics.CodeAnalysis;

namespace Enrollment.Protocol.Messages
{
    /// <summary>
    /// The plaintext inside a sealed <see cref="EnrollmentResult"/> (docs/protocol.md "Result plaintext"):
    /// either accepted with the device's operational parameters, or a rejection code with a retry-after.
    /// </summary>
    public sealed class EnrollmentOutcome
    {
        /// <summary>Longest device id.</summary>
        public const int MaxDeviceIdLength = 64;

        /// <summary>Longest device topic prefix.</summary>
        public const int MaxTopicPrefixLength = 128;

        /// <summary>Longest broker user name, in UTF-8 bytes.</summary>
        public const int MaxUsernameLength = 128;

        /// <summary>Longest broker password or token, in bytes.</summary>
        public const int MaxPasswordLength = 256;

        /// <summary>Largest encoding: 1 + (1 + 64) + (1 + 128) + (1 + 128) + (2 + 256) + 4 + 4.</summary>
        public const int MaxEncodedLength = 590;

        /// <summary>Size of an encoded rejection: status + retry-after.</summary>
        public const int RejectionSize = 5;

        private readonly byte[]? _username;

        private EnrollmentOutcome(EnrollmentStatus status, uint retryAfterSeconds, string? deviceId, string? topicPrefix, byte[]? username, byte[]? password, uint rekeyAfterMessages, uint rekeyAfterSeconds)
        {
            Status = status;
            RetryAfterSeconds = retryAfterSeconds;
            DeviceId = deviceId;
            DeviceTopicPrefix = topicPrefix;
            _username = username;
            BrokerPassword = password;
            RekeyAfterMessages = rekeyAfterMessages;
            RekeyAfterSeconds = rekeyAfterSeconds;
        }

        /// <summary>Accepted, or the rejection code.</summary>
        public EnrollmentStatus Status { get; }

        /// <summary>Seconds to wait before retrying; 1..86400 when <see cref="Status"/> is Busy, else 0.</summary>
        public uint RetryAfterSeconds { get; }

        /// <summary>The device id the service assigned ([A-Za-z0-9_-], 1..64); null unless accepted.</summary>
        public string? DeviceId { get; }

        /// <summary>Topic prefix for device traffic, e.g. "dev/v1/&lt;device-id&gt;/"; null unless accepted.</summary>
        public string? DeviceTopicPrefix { get; }

        /// <summary>MQTT user name as UTF-8 bytes (0..128; empty = none); null unless accepted.</summary>
        public byte[]? BrokerUsernameUtf8
        {
            get { return _username; }
        }

        /// <summary>MQTT user name as text (empty = none); null unless accepted.</summary>
        public string? BrokerUsername
        {
            get { return _username == null ? null : Utf8.GetString(_username, 0, _username.Length); }
        }

        /// <summary>MQTT password or token bytes (0..256; empty = none); null unless accepted.</summary>
        public byte[]? BrokerPassword { get; }

        /// <summary>Session parameter: rekey after this many messages in either direction (0 = service default).</summary>
        public uint RekeyAfterMessages { get; }

        /// <summary>Session parameter: rekey after this many seconds (0 = service default).</summary>
        public uint RekeyAfterSeconds { get; }

        /// <summary>True when <see cref="Status"/> is Accepted.</summary>
        public bool IsAccepted
        {
            get { return Status == EnrollmentStatus.Accepted; }
        }

        /// <summary>An accepted outcome; every field validated (ArgumentException names the bad one).</summary>
        public static EnrollmentOutcome Accepted(string deviceId, string deviceTopicPrefix, byte[] brokerUsernameUtf8, byte[] brokerPassword, uint rekeyAfterMessages, uint rekeyAfterSeconds)
        {
            AsciiText.Check(deviceId, AsciiText.DeviceId, 1, MaxDeviceIdLength, nameof(deviceId));
            AsciiText.Check(deviceTopicPrefix, AsciiText.Topic, 1, MaxTopicPrefixLength, nameof(deviceTopicPrefix));
            if (brokerUsernameUtf8 == null)
            {
                throw new ArgumentNullException(nameof(brokerUsernameUtf8));
            }

            if (brokerUsernameUtf8.Length > MaxUsernameLength || !Utf8.IsValidText(brokerUsernameUtf8, 0, brokerUsernameUtf8.Length))
            {
                throw new ArgumentException("0..128 bytes of UTF-8 text", nameof(brokerUsernameUtf8));
            }

            if (brokerPassword == null)
            {
                throw new ArgumentNullException(nameof(brokerPassword));
            }

            if (brokerPassword.Length > MaxPasswordLength)
            {
                throw new ArgumentException("0..256 bytes", nameof(brokerPassword));
            }

            return new EnrollmentOutcome(
                EnrollmentStatus.Accepted, 0, deviceId, deviceTopicPrefix,
                Wire.Slice(brokerUsernameUtf8, 0, brokerUsernameUtf8.Length),
                Wire.Slice(brokerPassword, 0, brokerPassword.Length),
                rekeyAfterMessages, rekeyAfterSeconds);
        }

        /// <summary>A rejection; retry-after must be 1..86400 for Busy and 0 otherwise.</summary>
        public static EnrollmentOutcome Rejection(EnrollmentStatus status, uint retryAfterSeconds)
        {
            if (!IsValidRejection((int)status, retryAfterSeconds, false))
            {
                throw new ArgumentException("not a valid rejection code / retry-after pair", nameof(status));
            }

            return new EnrollmentOutcome(status, retryAfterSeconds, null, null, null, null, 0, 0);
        }

        /// <summary>Bytes <see cref="Encode(byte[], int)"/> writes.</summary>
        public int EncodedLength
        {
            get
            {
                if (!IsAccepted)
                {
                    return RejectionSize;
                }

                return 1 + 1 + DeviceId!.Length + 1 + DeviceTopicPrefix!.Length + 1 + _username!.Length + 2 + BrokerPassword!.Length + 8;
            }
        }

        /// <summary>The encoded plaintext.</summary>
        public byte[] Encode()
        {
            byte[] output = new byte[EncodedLength];
            Encode(output, 0);
            return output;
        }

        /// <summary>Writes the plaintext at <paramref name="offset"/>; returns the bytes written.</summary>
        public int Encode(byte[] output, int offset)
        {
            int length = EncodedLength;
            Wire.CheckRange(output, offset, length);
            output[offset] = (byte)Status;
            if (!IsAccepted)
            {
                Wire.WriteUInt32(output, offset + 1, RetryAfterSeconds);
                return RejectionSize;
            }

            int p = offset + 1;
            output[p++] = (byte)DeviceId!.Length;
            AsciiText.Write(DeviceId, output, p);
            p += DeviceId.Length;
            output[p++] = (byte)DeviceTopicPrefix!.Length;
            AsciiText.Write(DeviceTopicPrefix, output, p);
            p += DeviceTopicPrefix.Length;
            output[p++] = (byte)_username!.Length;
            Array.Copy(_username, 0, output, p, _username.Length);
            p += _username.Length;
            Wire.WriteUInt16(output, p, BrokerPassword!.Length);
            Array.Copy(BrokerPassword, 0, output, p + 2, BrokerPassword.Length);
            p += 2 + BrokerPassword.Length;
            Wire.WriteUInt32(output, p, RekeyAfterMessages);
            Wire.WriteUInt32(output, p + 4, RekeyAfterSeconds);
            return p + 8 - offset;
        }

        /// <summary>Decodes exactly <paramref name="count"/> bytes of result plaintext; false (and null) on any format error.</summary>
        public static bool TryDecode(byte[] buffer, int offset, int count, [NotNullWhen(true)] out EnrollmentOutcome? outcome)
        {
            Wire.CheckRange(buffer, offset, count);
            outcome = null;
            if (count < 1 || count > MaxEncodedLength)
            {
                return false;
            }

            int status = buffer[offset];
            if (status != (int)EnrollmentStatus.Accepted)
            {
                if (count != RejectionSize)
                {
                    return false;
                }

                uint retryAfter = Wire.ReadUInt32(buffer, offset + 1);
                if (!IsValidRejection(status, retryAfter, false))
                {
                    return false;
                }

                outcome = new EnrollmentOutcome((EnrollmentStatus)status, retryAfter, null, null, null, null, 0, 0);
                return true;
            }

            int end = offset + count;
            int p = offset + 1;
            if (!TryReadAscii(buffer, ref p, end, AsciiText.DeviceId, 1, MaxDeviceIdLength, out string? deviceId)
                || !TryReadAscii(buffer, ref p, end, AsciiText.Topic, 1, MaxTopicPrefixLength, out string? prefix))
            {
                return false;
            }

            if (p >= end)
            {
                return false;
            }

            int userLength = buffer[p++];
            if (userLength > MaxUsernameLength || end - p < userLength || !Utf8.IsValidText(buffer, p, userLength))
            {
                return false;
            }

            byte[] username = Wire.Slice(buffer, p, userLength);
            p += userLength;
            if (end - p < 2)
            {
                return false;
            }

            int passwordLength = Wire.ReadUInt16(buffer, p);
            p += 2;
            if (passwordLength > MaxPasswordLength || end - p != passwordLength + 8)
            {
                return false;
            }

            byte[] password = Wire.Slice(buffer, p, passwordLength);
            p += passwordLength;
            outcome = new EnrollmentOutcome(
                EnrollmentStatus.Accepted, 0, deviceId, prefix, username, password,
                Wire.ReadUInt32(buffer, p), Wire.ReadUInt32(buffer, p + 4));
            return true;
        }

        /// <summary>
        /// The rejection rules shared by sealed results and notices: Busy needs 1..86400 s of retry-after, every
        /// other rejection code needs 0; a notice (<paramref name="notice"/>) allows only Busy and Rejected.
        /// </summary>
        internal static bool IsValidRejection(int status, uint retryAfterSeconds, bool notice)
        {
            if (status == (int)EnrollmentStatus.Busy)
            {
                return retryAfterSeconds >= 1 && retryAfterSeconds <= ProtocolConstants.MaxRetryAfterSeconds;
            }

            if (status < (int)EnrollmentStatus.Expired || status > (int)EnrollmentStatus.Rejected)
            {
                return false;
            }

            return retryAfterSeconds == 0 && (!notice || status == (int)EnrollmentStatus.Rejected);
        }

        private static bool TryReadAscii(byte[] b, ref int p, int end, int kind, int min, int max, [NotNullWhen(true)] out string? value)
        {
            value = null;
            if (p >= end)
            {
                return false;
            }

            int length = b[p];
            if (length < min || length > max || end - p - 1 < length || !AsciiText.IsValid(b, p + 1, length, kind))
            {
                return false;
            }

            value = AsciiText.GetString(b, p + 1, length);
            p += 1 + length;
            return true;
        }
    }
}
