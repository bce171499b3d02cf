namespace Enrollment.Service.Domain;

/// <summary>
/// A misconfiguration found while starting (unreachable broker, bad connection string, missing key-encryption
/// key...). Program prints its message as the one line an operator reads, and exits non-zero.
/// </summary>
internal sealed class StartupException : Exception
{
    public StartupException(string message)
        : base(message)
    {
    }

    public StartupException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public StartupException()
    {
    }
}
