using Enrollment.Service.Domain;

namespace Enrollment.Service.Tests.Support;

/// <summary>A started service with the two parties most channel tests need: an enroller and an operator.</summary>
internal static class Parties
{
    /// <summary>The service (to dispose), an enroller client ("line-1") and an operator client ("ops").</summary>
    public static async Task<(TestService Service, EnrollerClient Enroller, HttpClient Operator)> StartAsync(TestServiceSetup? setup = null)
    {
        var service = await TestService.StartAsync(setup ?? new TestServiceSetup());
        var enroller = new EnrollerClient(service.ClientWithToken(await service.AddPrincipalAsync("line-1")));
        var op = service.ClientWithToken(await service.AddPrincipalAsync("ops", PrincipalRole.Operator));
        return (service, enroller, op);
    }
}
