using Enrollment.Service.Host;
using Enrollment.Service.Tests.Support;

namespace Enrollment.Service.Tests;

/// <summary>
/// One database serves one running service process (docs/service-api.md section 6): the in-memory index and the
/// single writer keep facts the schema does not, so a second service on the same database refuses to start.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class ServiceClaimTests(PostgresServer postgres)
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgresql")]
    public async Task A_second_service_on_the_same_database_refuses_to_start_until_the_first_is_gone(string database)
    {
        var service = await TestService.StartAsync(new TestServiceSetup
        {
            PostgresConnectionString = database == "postgresql" ? await postgres.CreateDatabaseAsync() : null,
        });
        await using var _ = service;
        var settings = new Dictionary<string, string?>(service.Settings)
        {
            ["Enrollment:Mqtt:EmbeddedPort"] = Ports.Free().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Enrollment:Mqtt:ClientId"] = "second-" + database,
        };

        await using (var second = TestService.Build(settings, "Development"))
        {
            var e = await Assert.ThrowsAnyAsync<Exception>(() => ServiceApp.StartAsync(second, CancellationToken.None));
            Assert.Equal("Another enrollment service process is running on this " + database +
                " database; one database serves one service process (docs/service-api.md section 6).", StartupFailure.Describe(e));
        }

        // The first runs on untouched.
        var enroller = new EnrollerClient(service.ClientWithToken(await service.AddPrincipalAsync("line-1")));
        var (_, recordId) = await enroller.ApproveAsync(new TestEnrollee());
        Assert.Equal("pending", (await service.Store.GetEnrolleeAsync(recordId, CancellationToken.None))!.State);

        // Once it is gone (its claim released with it), a service starts on the same database.
        await service.StopAsync();
        await using var third = TestService.Build(settings, "Development");
        await ServiceApp.StartAsync(third, CancellationToken.None);
        await third.StopAsync();
    }
}
