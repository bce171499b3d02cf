using System.Collections.Concurrent;
using System.Reflection;
using Enrollment.Service.Storage;

namespace Enrollment.Service.Tests.Support;

/// <summary>
/// An <see cref="IEnrollmentStore"/> decorator that counts every call by method name and forwards it to the
/// real store. A DispatchProxy rather than a hand-written class, so the store's interface can grow without
/// touching the tests that only count.
/// </summary>
public class CountingStore : DispatchProxy
{
    private IEnrollmentStore _inner = null!;

    internal ConcurrentDictionary<string, int> Calls { get; } = new();

    internal int Total => Calls.Values.Sum();

    internal static (IEnrollmentStore Store, CountingStore Counter) Wrap(IEnrollmentStore inner)
    {
        var proxy = Create<IEnrollmentStore, CountingStore>();
        var counter = (CountingStore)(object)proxy;
        counter._inner = inner;
        return (proxy, counter);
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        Calls.AddOrUpdate(targetMethod.Name, 1, (_, n) => n + 1);
        try
        {
            return targetMethod.Invoke(_inner, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }
}
