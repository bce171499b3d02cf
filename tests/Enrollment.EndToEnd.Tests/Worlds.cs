using Enrollment.EndToEnd.Tests.Support;

// One deployment at a time: the parts are real processes on a 2-core machine, and the fault tests kill and
// restart them; parallel collections would only make every wait longer.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Enrollment.EndToEnd.Tests;

/// <summary>A Mosquitto over TLS and a service on it, shared by the tests that do not break either.</summary>
public sealed class MosquittoWorld : IAsyncLifetime
{
    internal World World { get; private set; } = null!;

    public async Task InitializeAsync() => World = await World.OnMosquittoAsync();

    public async Task DisposeAsync() => await World.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class MosquittoCollection : ICollectionFixture<MosquittoWorld>
{
    public const string Name = "mosquitto-tls";
}

/// <summary>A service on its embedded broker.</summary>
public sealed class EmbeddedWorld : IAsyncLifetime
{
    internal World World { get; private set; } = null!;

    public async Task InitializeAsync() => World = await World.EmbeddedAsync();

    public async Task DisposeAsync() => await World.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class EmbeddedCollection : ICollectionFixture<EmbeddedWorld>
{
    public const string Name = "embedded-broker";
}
