namespace Enrollment.Protocol.Session
{
    /// <summary>
    /// When the device starts a rekey (docs/session-protocol.md section 7.1): at boot without usable
    /// session keys, after N messages sent in the epoch, or T seconds after the epoch began. The values come
    /// from the enrollment result's "rekey after messages / seconds" (docs/protocol.md section 12), 0 meaning
    /// the defaults here. Validated at construction, then immutable.
    /// </summary>
    public sealed class RekeyPolicy
    {
        /// <summary>Default N: well below any AEAD usage limit for ChaCha20-Poly1305 and small enough to bound a leaked key's reach.</summary>
        public const uint DefaultMessages = 1000000;

        /// <summary>Default T: one day.</summary>
        public const uint DefaultSeconds = 86400;

        /// <summary>Creates a policy; 0 selects the default for that limit.</summary>
        public RekeyPolicy(uint afterMessages, uint afterSeconds)
        {
            AfterMessages = afterMessages == 0 ? DefaultMessages : afterMessages;
            AfterSeconds = afterSeconds == 0 ? DefaultSeconds : afterSeconds;
        }

        /// <summary>N: messages per epoch and direction before a rekey.</summary>
        public uint AfterMessages { get; }

        /// <summary>T: seconds an epoch may last.</summary>
        public uint AfterSeconds { get; }

        /// <summary>
        /// The reason to rekey now, or <see cref="RekeyReason.None"/>. <paramref name="hasSession"/> is false
        /// after a boot that found no usable keys; <paramref name="messagesSent"/> is the up sender's
        /// <see cref="ChannelSender.NextCounter"/>; <paramref name="epochAgeSeconds"/> is measured by the
        /// caller's clock from the epoch's start (a negative age, a clock step back, counts as due).
        /// </summary>
        public RekeyReason Evaluate(bool hasSession, ulong messagesSent, long epochAgeSeconds)
        {
            if (!hasSession)
            {
                return RekeyReason.Boot;
            }

            if (messagesSent >= AfterMessages)
            {
                return RekeyReason.Messages;
            }

            if (epochAgeSeconds < 0 || epochAgeSeconds >= AfterSeconds)
            {
                return RekeyReason.Time;
            }

            return RekeyReason.None;
        }
    }
}
