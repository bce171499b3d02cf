using Enrollment.Tool.Provisioning;
using Spectre.Console;

namespace Enrollment.Tool.Commands;

/// <summary>
/// The display for people: one live line per device (Spectre.Console), the same in a batch of many. When
/// the output is not a terminal, plain progress lines are printed instead.
/// </summary>
internal static class LiveView
{
    public static async Task<IReadOnlyList<ProvisionReport>> RunAsync(Provisioner provisioner, IReadOnlyList<ProvisionRequest> requests, CancellationToken ct)
    {
        var lines = requests.Select(r => new Line(r.Port)).ToArray();
        if (!AnsiConsole.Profile.Capabilities.Interactive)
        {
            var gate = new Lock();
            var reports = await RunAllAsync(provisioner, requests, (i, stage, text) =>
            {
                lock (gate)
                {
                    Console.Out.WriteLine(requests[i].Port + ": " + stage.ToString().ToLowerInvariant() + ": " + text);
                }
            }, ct).ConfigureAwait(false);
            PrintSummary(reports, plain: true);
            return reports;
        }

        var table = new Table().Border(TableBorder.Rounded).AddColumns("Port", "Device", "Step", "Status");
        foreach (var line in lines)
        {
            table.AddRow(Markup.Escape(line.Port), "", "", "");
        }

        IReadOnlyList<ProvisionReport> result = [];
        await AnsiConsole.Live(table).AutoClear(false).StartAsync(async context =>
        {
            var run = RunAllAsync(provisioner, requests, (i, stage, text) =>
            {
                lock (lines[i])
                {
                    lines[i].Stage = stage;
                    lines[i].Text = text;
                    if (stage == Stage.Hello && text.StartsWith("device ", StringComparison.Ordinal))
                    {
                        lines[i].Device = text["device ".Length..].Split(',')[0];
                    }
                }
            }, ct);
            while (!run.IsCompleted)
            {
                Render(table, lines);
                context.Refresh();
                await Task.WhenAny(run, Task.Delay(100, ct)).ConfigureAwait(false);
            }

            Render(table, lines);
            context.Refresh();
            result = await run.ConfigureAwait(false);
        }).ConfigureAwait(false);
        PrintSummary(result, plain: false);
        return result;
    }

    private static async Task<IReadOnlyList<ProvisionReport>> RunAllAsync(Provisioner provisioner, IReadOnlyList<ProvisionRequest> requests,
        Action<int, Stage, string> progress, CancellationToken ct)
    {
        var tasks = requests.Select((r, i) => Task.Factory.StartNew(() => provisioner.Run(r, (s, t) => progress(i, s, t), ct),
            ct, TaskCreationOptions.LongRunning, TaskScheduler.Default));
        return await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    private static void Render(Table table, Line[] lines)
    {
        for (int i = 0; i < lines.Length; i++)
        {
            lock (lines[i])
            {
                string colour = lines[i].Stage switch
                {
                    Stage.Done => "green",
                    Stage.Failed => "red",
                    _ => "yellow",
                };
                table.UpdateCell(i, 1, Markup.Escape(lines[i].Device));
                table.UpdateCell(i, 2, "[" + colour + "]" + lines[i].Stage.ToString().ToLowerInvariant() + "[/]");
                table.UpdateCell(i, 3, Markup.Escape(lines[i].Text));
            }
        }
    }

    private static void PrintSummary(IReadOnlyList<ProvisionReport> reports, bool plain)
    {
        int ok = reports.Count(r => r.ExitCode == 0);
        string line = ok + " of " + reports.Count + " device(s) provisioned";
        if (plain)
        {
            Console.Out.WriteLine(line);
            foreach (var r in reports.Where(r => r.ExitCode != 0))
            {
                Console.Out.WriteLine(r.Port + ": exit " + r.ExitCode + " (" + r.Outcome + "): " + r.Message);
            }

            return;
        }

        AnsiConsole.MarkupLine((ok == reports.Count ? "[green]" : "[red]") + Markup.Escape(line) + "[/]");
        foreach (var r in reports.Where(r => r.ExitCode != 0))
        {
            AnsiConsole.MarkupLine("[red]" + Markup.Escape(r.Port) + "[/]: exit " + r.ExitCode + " (" + r.Outcome + "): " + Markup.Escape(r.Message ?? ""));
        }
    }

    private sealed class Line(string port)
    {
        public string Port { get; } = port;

        public string Device { get; set; } = "";

        public Stage Stage { get; set; } = Stage.Opening;

        public string Text { get; set; } = "";
    }
}
