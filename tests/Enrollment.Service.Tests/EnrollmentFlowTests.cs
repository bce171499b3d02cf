using Enrollment.Protocol.Messages;
using Enrollment.Protocol.X3dh;
using Enrollment.Service.Domain;
using Enrollment.Service.Tests.Support;

namespace Enrollment.Service.Tests;

/// <summary>Whole enrollments through the real service, on each broker and each database.</summary>
[Collection(ServersCollection.Name)]
public sealed class EnrollmentFlowTests(MosquittoBroker mosquitto, PostgresServer postgres)
{
    public static TheoryData<string, string> Combinations => new()
    {
        { "embedded", "sqlite" },
        { "embedded", "postgresql" },
        { "mosquitto-tls", "sqlite" },
        { "mosquitto-tls", "postgresql" },
    };

    private async Task<TestService> StartAsync(string broker, string database, Dictionary<string, string?>? settings = null) =>
        await TestService.StartAsync(new TestServiceSetup
        {
            Broker = broker == "embedded" ? BrokerKind.Embedded : BrokerKind.MosquittoTls,
            Mosquitto = mosquitto,
            PostgresConnectionString = database == "postgresql" ? await postgres.CreateDatabaseAsync() : null,
            Settings = settings ?? [],
        });

    [Theory]
    [MemberData(nameof(Combinations))]
    public async Task An_approved_enrollee_enrolls_once_and_a_redelivery_gets_the_same_answer(string broker, string database)
    {
        await using var service = await StartAsync(broker, database);
        var enroller = new EnrollerClient(service.ClientWithToken(await service.AddPrincipalAsync("line-1")));
        var enrollee = new TestEnrollee();
        var (bundle, recordId) = await enroller.ApproveAsync(enrollee, "kitchen sensor");
        await using var device = await DeviceLink.ConnectAsync(service, enrollee.IdText);
        using var metrics = new MetricsProbe(service);

        var attempt = enrollee.CreateAttempt(bundle);
        await device.PublishAsync(attempt.Message);
        var answer = await device.NextAnswerAsync();

        Assert.Equal(ResultStatus.Opened, EnrolleeHandshake.OpenResult(attempt.SharedSecret, attempt.EphemeralPublicKey, answer, 0, answer.Length, out var outcome));
        Assert.True(outcome!.IsAccepted);
        Assert.Equal(recordId, outcome.DeviceId);
        var row = await service.Store.GetEnrolleeAsync(recordId, CancellationToken.None);
        Assert.Equal(EnrolleeState.Enrolled, row!.State);
        Assert.Equal(attempt.IdentityPublicKey, row.IkB);
        Assert.Null(row.EikPublic); // EIK_B deleted once enrolled (docs/protocol.md section 11 step 4)
        var opk = await service.Store.GetOneTimePrekeyAsync(bundle.OneTimePreKeyId, CancellationToken.None);
        Assert.Equal(OpkState.Used, opk!.State);
        Assert.Null(opk.SealedPrivateKey);
        var audit = await service.Store.ListAuditAsync("enrollee:" + recordId, 100, CancellationToken.None);
        Assert.Equal(["enrollee.pending", "enrollee.enrolled"], audit.Select(a => a.Action));

        // QoS 1 redelivery: the same bytes again yield the same answer and change nothing.
        var before = await service.Store.SnapshotAsync(CancellationToken.None);
        await device.PublishAsync(attempt.Message);
        var again = await device.NextAnswerAsync();
        Assert.Equal(answer, again);
        Assert.Equal(before, await service.Store.SnapshotAsync(CancellationToken.None));
        // The worker counts its duplicate after handing the answer to the publisher: the count can trail the answer.
        await metrics.WaitForAsync("enrollment.duplicates", 1);
        Assert.Equal(1, metrics.Count("enrollment.accepted"));
        Assert.Equal(1, metrics.Count("enrollment.duplicates"));
        Assert.Empty(service.Errors);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgresql")]
    public async Task Enrollment_succeeds_after_a_restart_between_bundle_issue_and_enrollment(string database)
    {
        await using var service = await StartAsync("mosquitto-tls", database);
        var enroller = new EnrollerClient(service.ClientWithToken(await service.AddPrincipalAsync("line-1")));
        var enrollee = new TestEnrollee();
        var (bundle, recordId) = await enroller.ApproveAsync(enrollee);
        var attempt = enrollee.CreateAttempt(bundle);
        await using var device = await DeviceLink.ConnectAsync(service, enrollee.IdText);

        // The service goes down; the device publishes meanwhile. The broker keeps the QoS 1 message for the
        // service's persistent session, and the restarted service (keys reopened with the KEK) enrolls it.
        await service.StopAsync();
        await device.PublishAsync(attempt.Message);
        await service.StartAgainAsync();

        var answer = await device.NextAnswerAsync();
        Assert.Equal(ResultStatus.Opened, EnrolleeHandshake.OpenResult(attempt.SharedSecret, attempt.EphemeralPublicKey, answer, 0, answer.Length, out var outcome));
        Assert.True(outcome!.IsAccepted);
        Assert.Equal(EnrolleeState.Enrolled, (await service.Store.GetEnrolleeAsync(recordId, CancellationToken.None))!.State);
        Assert.Empty(service.Errors);
    }

    [Fact]
    public async Task Enrollment_succeeds_after_a_restart_on_the_embedded_broker()
    {
        await using var service = await StartAsync("embedded", "sqlite");
        var enroller = new EnrollerClient(service.ClientWithToken(await service.AddPrincipalAsync("line-1")));
        var enrollee = new TestEnrollee();
        var (bundle, _) = await enroller.ApproveAsync(enrollee);

        await service.StopAsync();
        await service.StartAgainAsync();

        await using var device = await DeviceLink.ConnectAsync(service, enrollee.IdText);
        var attempt = enrollee.CreateAttempt(bundle);
        await device.PublishAsync(attempt.Message);
        var answer = await device.NextAnswerAsync();
        Assert.Equal(ResultStatus.Opened, EnrolleeHandshake.OpenResult(attempt.SharedSecret, attempt.EphemeralPublicKey, answer, 0, answer.Length, out var outcome));
        Assert.True(outcome!.IsAccepted);
    }
}
