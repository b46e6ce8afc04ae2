using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using Ease.AspNetCore;

namespace Ease.Cli.Serve;

/// <summary>`ease serve`: an HTTP recommendation service over one model file, hot-swapped when the file is replaced.</summary>
public static class ServeCommand
{
    public static Command Create(CliContext context)
    {
        var model = new Option<string>("--model", "-m") { Description = "Model file to serve; replacing it (rename over it) swaps the new model in.", Required = true, HelpName = "MODEL" };
        var urls = new Option<string>("--urls") { Description = "Addresses to listen on, ';'-separated. Loopback by default; any other address is reachable from other machines.", DefaultValueFactory = _ => "http://127.0.0.1:8080", HelpName = "URLS" };
        var maxK = new Option<int>("--max-k") { Description = "Largest k a request may ask for.", DefaultValueFactory = _ => 1000, HelpName = "K" };
        var maxBody = new Option<long>("--max-body-bytes") { Description = "Largest request body.", DefaultValueFactory = _ => 1 << 20, HelpName = "BYTES" };
        var maxHistory = new Option<int>("--max-history") { Description = "Most history ids (and weights) of one user.", DefaultValueFactory = _ => 10_000, HelpName = "N" };
        var maxBatch = new Option<int>("--max-batch") { Description = "Most users of one /recommend/batch request.", DefaultValueFactory = _ => 1000, HelpName = "N" };
        var poll = new Option<double>("--poll-seconds") { Description = "How often the model file's time, size and header checksum are checked (besides the file watcher).", DefaultValueFactory = _ => 1.0, HelpName = "S" };
        var budget = new Options.BudgetOptions();
        var command = new Command("serve", "Serve recommendations over HTTP (JSON): POST /recommend, POST /recommend/batch, GET /similar/{id}, /healthz, /readyz, /metrics, POST /admin/reload.")
        {
            model, urls, maxK, maxBody, maxHistory, maxBatch, poll,
        };
        budget.AddTo(command);
        command.SetAction(async (parse, cancel) =>
        {
            (int maxWeights, string? lightPath) = budget.Bind(parse);
            var limits = new ServeLimits
            {
                MaxK = Positive(parse.GetValue(maxK), "--max-k"),
                MaxBodyBytes = Positive(parse.GetValue(maxBody), "--max-body-bytes"),
                MaxHistory = Positive(parse.GetValue(maxHistory), "--max-history"),
                MaxBatch = Positive(parse.GetValue(maxBatch), "--max-batch"),
                MaxWeights = maxWeights,
            };
            double pollSeconds = parse.GetValue(poll);
            if (!(pollSeconds >= 0.01 && pollSeconds <= 86_400))
                throw new UsageException($"--poll-seconds must be from 0.01 to 86400, got {pollSeconds.ToString(CultureInfo.InvariantCulture)}");
            string listen = parse.GetValue(urls)!;
            foreach ((string url, _) in ListenUrls.Parse(listen).Where(u => !u.Loopback))
                context.Err.WriteLine($"ease: warning: listening on {url}, which other machines can reach; there is no authentication (POST /admin/reload included)");
            var options = new ServeOptions
            {
                ModelPath = parse.GetValue(model)!,
                LightModelPath = lightPath,
                Urls = listen,
                Limits = limits,
                PollInterval = TimeSpan.FromSeconds(pollSeconds),
                HandleSighup = true,
            };
            await using ServeHost host = await ServeHost.StartAsync(options, context.Err, cancel);
            context.Err.WriteLine($"ease: serve: {host.Holder.Current.Id} on {string.Join(", ", host.Addresses)} (Ctrl+C to stop)");
            await WaitForStop(cancel);
            context.Err.WriteLine("ease: serve: stopping");
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Until Ctrl+C (the invocation's cancellation) or SIGTERM.</summary>
    private static async Task WaitForStop(CancellationToken cancel)
    {
        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using CancellationTokenRegistration onCancel = cancel.Register(() => stop.TrySetResult());
        using PosixSignalRegistration? onTerm = OperatingSystem.IsWindows() ? null : PosixSignalRegistration.Create(PosixSignal.SIGTERM, c =>
        {
            c.Cancel = true;
            stop.TrySetResult();
        });
        await stop.Task;
    }

    private static T Positive<T>(T value, string name) where T : System.Numerics.INumber<T> =>
        value > T.Zero ? value : throw new UsageException($"{name} must be >= 1, got {value}");
}
