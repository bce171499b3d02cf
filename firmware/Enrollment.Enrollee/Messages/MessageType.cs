namespace Enrollment.Enrollee.Messages
{
    /// <summary>Message types on the enroller link (docs/serial-protocol.md section 5).</summary>
    public static class MessageType
    {
        /// <summary>Enroller to enrollee: starts a session and offers link versions.</summary>
        public const byte Hello = 0x01;

        /// <summary>Enrollee to enroller: chosen version, identity, pet name, firmware version, state.</summary>
        public const byte HelloReply = 0x02;

        /// <summary>Enroller to enrollee: Wi-Fi settings, optional pet name and the enrollment bundle.</summary>
        public const byte Bundle = 0x03;

        /// <summary>Enroller to enrollee: asks for a <see cref="Status"/>.</summary>
        public const byte StatusRequest = 0x04;

        /// <summary>Enrollee to enroller: progress and final result, also sent unprompted on each change.</summary>
        public const byte Status = 0x05;

        /// <summary>Enroller to enrollee: erase every key and setting (confirmed by the enrollee id).</summary>
        public const byte FactoryReset = 0x06;

        /// <summary>Enrollee to enroller: the factory reset is done (sent before the new identity exists).</summary>
        public const byte FactoryResetAck = 0x07;

        /// <summary>Either direction: a request could not be served, with a code.</summary>
        public const byte Error = 0x0E;
    }

    /// <summary>Codes of an <see cref="MessageType.Error"/> message.</summary>
    public static class ErrorCode
    {
        public const byte Malformed = 1;
        public const byte UnsupportedVersion = 2;
        public const byte UnexpectedMessage = 3;
        public const byte WrongState = 4;
        public const byte BundleRejected = 5;
        public const byte TooLarge = 6;
        public const byte ConfirmationMismatch = 7;
        public const byte NotReady = 8;
        public const byte StorageFailed = 9;
    }
}
