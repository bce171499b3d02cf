using System;
using System.Diagnostics.CodeAnalysis;

namespace Enrollment.Protocol.Messages
{
    /// <summary>
    /// Where and how the enrollee reaches the service: MQTT broker, TLS, CA, topics (docs/protocol.md
    /// "Service address"). Its exact encoding, <c>Addr</c>, is part of the enrollment message's associated data,
    /// so the encoding is canonical: one value has exactly one encoding and decoding accepts no other.
    /// </summary>
    public sealed class ServiceAddress
    {
        /// <summary>Longest host name (RFC 1035 section 2.3.4 limits a DNS name to 253 characters of text).</summary>
        public const int MaxHostLength = 253;

        /// <summary>Longest DER CA certificate carried in a bundle.</summary>
        public const int MaxCertificateLength = 2048;

        /// <summary>Longest topic field.</summary>
        public const int MaxTopicLength = 128;

        /// <summary>Largest encoding: 3 + 1 + 253 + 1 + 2 + 2048 + 1 + 128 + 1 + 128 bytes.</summary>
        public const int MaxEncodedLength = 2566;

        /// <summary>Default request topic (docs/protocol.md "MQTT topics").</summary>
        public const string DefaultRequestTopic = "enroll/v1/request";

        /// <summary>Default result topic prefix; the enrollee appends its 20-character id.</summary>
        public const string DefaultResultTopicPrefix = "enroll/v1/result/";

        private const int FlagTls = 0x01;
        private const int FlagRequestTopicPerEnrollee = 0x02;

        /// <summary>Creates an address, validating every field (ArgumentException names the bad one).</summary>
        public ServiceAddress(string host, int port, bool useTls, CaKind caKind, byte[]? caData, string requestTopic, string resultTopicPrefix)
            : this(host, port, useTls, caKind, caData, requestTopic, resultTopicPrefix, false)
        {
        }

        /// <summary>
        /// Creates an address; with <paramref name="requestTopicPerEnrollee"/> the enrollee publishes to
        /// <c>request topic + "/" + its id text</c> instead of the request topic itself (docs/protocol.md section 7).
        /// </summary>
        public ServiceAddress(string host, int port, bool useTls, CaKind caKind, byte[]? caData, string requestTopic, string resultTopicPrefix,
            bool requestTopicPerEnrollee)
        {
            AsciiText.Check(host, AsciiText.Host, 1, MaxHostLength, nameof(host));
            if (port < 1 || port > 65535)
            {
                throw new ArgumentOutOfRangeException(nameof(port));
            }

            if (caKind == CaKind.None)
            {
                if (caData != null)
                {
                    throw new ArgumentException("must be null when caKind is None", nameof(caData));
                }
            }
            else if (caKind == CaKind.Sha256)
            {
                Wire.CheckLength(caData, ProtocolConstants.HashSize, nameof(caData));
            }
            else if (caKind == CaKind.Certificate)
            {
                if (caData == null)
                {
                    throw new ArgumentNullException(nameof(caData));
                }

                if (caData.Length < 1 || caData.Length > MaxCertificateLength)
                {
                    throw new ArgumentException("certificate must be 1..2048 bytes", nameof(caData));
                }
            }
            else
            {
                throw new ArgumentOutOfRangeException(nameof(caKind));
            }

            if (!useTls && caKind != CaKind.None)
            {
                throw new ArgumentException("a CA makes sense only with TLS", nameof(caKind));
            }

            AsciiText.Check(requestTopic, AsciiText.Topic, 1, MaxTopicLength, nameof(requestTopic));
            AsciiText.Check(resultTopicPrefix, AsciiText.Topic, 1, MaxTopicLength, nameof(resultTopicPrefix));
            Host = host;
            Port = port;
            UseTls = useTls;
            CaKind = caKind;
            CaData = caData == null ? null : Wire.Slice(caData, 0, caData.Length);
            RequestTopic = requestTopic;
            ResultTopicPrefix = resultTopicPrefix;
            RequestTopicPerEnrollee = requestTopicPerEnrollee;
        }

        /// <summary>
        /// Flags bit 1: each enrollee publishes its enrollment message to its own topic under
        /// <see cref="RequestTopic"/>, so that a broker drops messages for enrollees the service does not expect.
        /// </summary>
        public bool RequestTopicPerEnrollee { get; }

        /// <summary>Broker host name or IP literal.</summary>
        public string Host { get; }

        /// <summary>Broker TCP port (1..65535).</summary>
        public int Port { get; }

        /// <summary>Whether the enrollee connects with TLS.</summary>
        public bool UseTls { get; }

        /// <summary>What <see cref="CaData"/> holds.</summary>
        public CaKind CaKind { get; }

        /// <summary>CA hash (32 bytes) or DER certificate, or null for <see cref="CaKind.None"/>.</summary>
        public byte[]? CaData { get; }

        /// <summary>Topic the enrollee publishes its enrollment message to.</summary>
        public string RequestTopic { get; }

        /// <summary>Prefix of the result topic; the full topic is this prefix followed by the enrollee id text.</summary>
        public string ResultTopicPrefix { get; }

        /// <summary>Bytes <see cref="Encode(byte[], int)"/> writes.</summary>
        public int EncodedLength
        {
            get
            {
                int caLength = CaKind == CaKind.None ? 0 : CaKind == CaKind.Sha256 ? ProtocolConstants.HashSize : 2 + CaData!.Length;
                return 3 + 1 + Host.Length + 1 + caLength + 1 + RequestTopic.Length + 1 + ResultTopicPrefix.Length;
            }
        }

        /// <summary>Where one enrollee publishes: <see cref="RequestTopic"/>, or with <see cref="RequestTopicPerEnrollee"/> that topic + "/" + its id text.</summary>
        public string RequestTopicFor(string enrolleeIdText)
        {
            return RequestTopicPerEnrollee ? RequestTopic + "/" + enrolleeIdText : RequestTopic;
        }

        /// <summary>The result topic for one enrollee: <see cref="ResultTopicPrefix"/> + its id text.</summary>
        public string ResultTopicFor(string enrolleeIdText)
        {
            return ResultTopicPrefix + enrolleeIdText;
        }

        /// <summary>The canonical encoding (<c>Addr</c>).</summary>
        public byte[] Encode()
        {
            byte[] output = new byte[EncodedLength];
            Encode(output, 0);
            return output;
        }

        /// <summary>Writes the canonical encoding at <paramref name="offset"/>; returns the bytes written.</summary>
        public int Encode(byte[] output, int offset)
        {
            int length = EncodedLength;
            Wire.CheckRange(output, offset, length);
            int p = offset;
            output[p++] = (byte)((UseTls ? FlagTls : 0) | (RequestTopicPerEnrollee ? FlagRequestTopicPerEnrollee : 0));
            Wire.WriteUInt16(output, p, Port);
            p += 2;
            p = WriteShortText(Host, output, p);
            output[p++] = (byte)CaKind;
            if (CaKind == CaKind.Sha256)
            {
                Array.Copy(CaData!, 0, output, p, ProtocolConstants.HashSize);
                p += ProtocolConstants.HashSize;
            }
            else if (CaKind == CaKind.Certificate)
            {
                Wire.WriteUInt16(output, p, CaData!.Length);
                Array.Copy(CaData, 0, output, p + 2, CaData.Length);
                p += 2 + CaData.Length;
            }

            p = WriteShortText(RequestTopic, output, p);
            p = WriteShortText(ResultTopicPrefix, output, p);
            return p - offset;
        }

        /// <summary>Decodes exactly <paramref name="count"/> bytes; false (and null) on any format error.</summary>
        public static bool TryDecode(byte[] buffer, int offset, int count, [NotNullWhen(true)] out ServiceAddress? address)
        {
            Wire.CheckRange(buffer, offset, count);
            int end = offset + count;
            return TryRead(buffer, offset, end, out address, out int next) && next == end;
        }

        /// <summary>Reads one address starting at <paramref name="p"/>; <paramref name="next"/> is the first byte after it.</summary>
        internal static bool TryRead(byte[] b, int p, int end, [NotNullWhen(true)] out ServiceAddress? address, out int next)
        {
            address = null;
            next = p;
            if (end - p < 4)
            {
                return false;
            }

            int flags = b[p];
            int port = Wire.ReadUInt16(b, p + 1);
            if ((flags & ~(FlagTls | FlagRequestTopicPerEnrollee)) != 0 || port == 0)
            {
                return false;
            }

            p += 3;
            if (!TryReadShortText(b, ref p, end, AsciiText.Host, MaxHostLength, out string? host) || p >= end)
            {
                return false;
            }

            bool useTls = (flags & FlagTls) != 0;
            int kind = b[p++];
            byte[]? caData = null;
            if (kind == (int)CaKind.Sha256)
            {
                if (end - p < ProtocolConstants.HashSize)
                {
                    return false;
                }

                caData = Wire.Slice(b, p, ProtocolConstants.HashSize);
                p += ProtocolConstants.HashSize;
            }
            else if (kind == (int)CaKind.Certificate)
            {
                if (end - p < 2)
                {
                    return false;
                }

                int length = Wire.ReadUInt16(b, p);
                p += 2;
                if (length < 1 || length > MaxCertificateLength || end - p < length)
                {
                    return false;
                }

                caData = Wire.Slice(b, p, length);
                p += length;
            }
            else if (kind != (int)CaKind.None)
            {
                return false;
            }

            if (!useTls && kind != (int)CaKind.None)
            {
                return false;
            }

            if (!TryReadShortText(b, ref p, end, AsciiText.Topic, MaxTopicLength, out string? requestTopic)
                || !TryReadShortText(b, ref p, end, AsciiText.Topic, MaxTopicLength, out string? resultPrefix))
            {
                return false;
            }

            address = new ServiceAddress(host, port, useTls, (CaKind)kind, caData, requestTopic, resultPrefix,
                (flags & FlagRequestTopicPerEnrollee) != 0);
            next = p;
            return true;
        }

        private static int WriteShortText(string s, byte[] output, int p)
        {
            output[p] = (byte)s.Length;
            AsciiText.Write(s, output, p + 1);
            return p + 1 + s.Length;
        }

        /// <summary>Reads a 1-byte length (1..max) and that many bytes of the given ASCII class.</summary>
        private static bool TryReadShortText(byte[] b, ref int p, int end, int kind, int max, [NotNullWhen(true)] out string? value)
        {
            value = null;
            if (p >= end)
            {
                return false;
            }

            int length = b[p];
            if (length < 1 || length > max || end - p - 1 < length || !AsciiText.IsValid(b, p + 1, length, kind))
            {
                return false;
            }

            value = AsciiText.GetString(b, p + 1, length);
            p += 1 + length;
            return true;
        }
    }
}
