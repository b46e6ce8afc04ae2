using System.Reflection;
using Ease.Cli;
using Ease.Tests.Support;

namespace Ease.Tests.Cli;

public sealed class VersionTests
{
    [Fact]
    public void VersionPrintsTheVersionOfEaseNotOfTheHost()
    {
        var r = CliRunner.Run("--version");
        Assert.Equal(0, r.ExitCode);
        Version assembly = typeof(CliApp).Assembly.GetName().Version!;
        string expected = typeof(CliApp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        Assert.Equal(expected + Environment.NewLine, r.Out);
        Assert.StartsWith($"{assembly.Major}.{assembly.Minor}.{assembly.Build}", r.Out);
    }
}
