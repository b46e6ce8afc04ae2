using System.Globalization;
using System.Net;

namespace Ease.Cli.Serve;

/// <summary>The --urls of `ease serve`: checked up front, and which of them other machines can reach.</summary>
internal static class ListenUrls
{
    /// <summary>Each address and whether it is loopback; a malformed one is a usage error.</summary>
    public static IReadOnlyList<(string Url, bool Loopback)> Parse(string urls)
    {
        var result = new List<(string, bool)>();
        foreach (string url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!url.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
                throw Bad(url);
            string rest = url["http://".Length..].TrimEnd('/');
            int colon = rest.StartsWith('[') ? rest.IndexOf("]:", StringComparison.Ordinal) + 1 : rest.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(rest.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > 65535)
                throw Bad(url);
            string host = rest[..colon].Trim('[', ']');
            bool loopback = host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
                || (IPAddress.TryParse(host, out IPAddress? ip) && IPAddress.IsLoopback(ip));
            result.Add((url, loopback));
        }
        if (result.Count == 0)
            throw new UsageException("--urls names no address");
        return result;
    }

    private static UsageException Bad(string url) =>
        new($"--urls: \"{url}\" is not an address like http://127.0.0.1:8080 (plain http; put a TLS proxy in front for https)");
}
