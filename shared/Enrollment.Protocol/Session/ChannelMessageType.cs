namespace Enrollment.Protocol.Session
{
    /// <summary>
    /// First byte of every message after enrollment (docs/session-protocol.md section 2). Channel frames
    /// (0x10..0x15) travel under the current epoch's keys; rekey messages (0x20..0x22) carry their own
    /// authentication because a device that rebooted may hold no session key at all. The values do not
    /// overlap the enrollment messages (0x01..0x04 in docs/protocol.md), so one dispatcher can tell them apart.
    /// </summary>
    public enum ChannelMessageType : byte
    {
        /// <summary>Device to service: opaque application telemetry.</summary>
        Telemetry = 0x10,

        /// <summary>Service to device: command id (4) then opaque command bytes.</summary>
        Command = 0x11,

        /// <summary>Device to service: acknowledgement of a command id, with a status byte.</summary>
        Acknowledgement = 0x12,

        /// <summary>Service to device: the device is revoked (only the service holds K_down, so only it can say so).</summary>
        Revocation = 0x13,

        /// <summary>Device to service: replace IK_B with IK_B', signed by both keys.</summary>
        RotationRequest = 0x14,

        /// <summary>Service to device: the outcome of a rotation request.</summary>
        RotationResult = 0x15,

        /// <summary>Rekey handshake message 1, device to service: the device's ephemeral key.</summary>
        RekeyInit = 0x20,

        /// <summary>Rekey handshake message 2, service to device: the service's ephemeral key, the new epoch and its key confirmation.</summary>
        RekeyResponse = 0x21,

        /// <summary>Rekey handshake message 3, device to service: the device's key confirmation.</summary>
        RekeyConfirm = 0x22,
    }
}
