namespace Enrollment.Protocol.Session
{
    /// <summary>Which way a key carries frames (docs/protocol.md section 13: one key per direction).</summary>
    public enum ChannelDirection
    {
        /// <summary>Device to service, under K_up: telemetry, acknowledgements, rotation requests.</summary>
        Up = 0,

        /// <summary>Service to device, under K_down: commands, revocation, rotation results.</summary>
        Down = 1,
    }
}
