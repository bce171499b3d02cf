namespace Enrollment.Protocol.Crypto
{
    /// <summary>Placeholder until the crypto lands.</summary>
    public static class FixedTime
    {
    }
}
