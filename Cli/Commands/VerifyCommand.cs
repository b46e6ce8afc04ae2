using System.CommandLine;
using System.Globalization;
using Ease.Format;

namespace Ease.Cli.Commands;

/// <summary>`ease verify MODEL`: every checksum and structural invariant of a model file.</summary>
public static class VerifyCommand
{
    public static Command Create(CliContext context)
    {
        var model = new Argument<string>("MODEL") { Description = "Path of the model file." };
        var command = new Command("verify", "Check a model file completely: header, structure, every section checksum, ids and index. Exit 0 when sound, 2 when damaged.") { model };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(model)!;
            var watch = System.Diagnostics.Stopwatch.StartNew();
            using ModelFile file = ModelFile.Open(path);
            file.Verify();
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"ok: {path}: format v{file.MajorVersion}.{file.MinorVersion}, {file.ItemCount:N0} items, {file.NonZeroCount:N0} weights, {file.Sections.Count} section checksums match ({watch.Elapsed.TotalMilliseconds:F0} ms)"));
            return ExitCodes.Ok;
        });
        return command;
    }
}
