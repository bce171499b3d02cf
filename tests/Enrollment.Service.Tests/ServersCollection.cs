using Enrollment.Service.Tests.Support;

namespace Enrollment.Service.Tests;

/// <summary>One Mosquitto and one PostgreSQL for every test class that needs real servers.</summary>
[CollectionDefinition(Name)]
public sealed class ServersCollection : ICollectionFixture<MosquittoBroker>, ICollectionFixture<PostgresServer>
{
    public const string Name = "real servers";
}
