using Reconnect.Workflows.Application.Staff;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Server.Auth;

namespace Reconnect.Workflows.Server.Hosting;

/// <summary>
/// <c>dotnet Reconnect.Workflows.Server.dll create-admin --email &lt;e-mail&gt; [--name &lt;display name&gt;] [--password-stdin]</c>:
/// the first admin of an empty (production) database (README, docs/security.md). The password comes from the first line
/// of standard input with <c>--password-stdin</c>, else from the environment variable <c>RECONNECT_ADMIN_PASSWORD</c>;
/// there is no default, and it must meet the password policy. The database is migrated and the roles made first. It is
/// refused once an active admin exists (admins then add accounts with <c>POST /api/users</c>). Audited as
/// <c>user-create</c> by "create-admin command". Exit codes: 0 created, 1 refused (an admin exists), 2 bad command line
/// or password.
/// </summary>
public static class AdminCommand
{
    public const string Name = "create-admin";
    public const string PasswordVariable = "RECONNECT_ADMIN_PASSWORD";

    public static bool Is(string[] args) => args.Length > 0 && args[0] == Name;

    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr,
        Func<string, string?> environment, CancellationToken cancellationToken = default)
    {
        string? email = null, name = null;
        var fromStdin = false;
        for (var i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--email" when i + 1 < args.Length: email = args[++i]; break;
                case "--name" when i + 1 < args.Length: name = args[++i]; break;
                case "--password-stdin": fromStdin = true; break;
                default:
                    // Other arguments are configuration (--Persistence:Provider=…), read by the host.
                    if (!args[i].Contains('=', StringComparison.Ordinal)) return Usage(stderr, $"unknown argument '{args[i]}'");
                    break;
            }
        }
        if (string.IsNullOrWhiteSpace(email)) return Usage(stderr, "--email is required");
        var password = fromStdin ? (await stdin.ReadLineAsync(cancellationToken))?.TrimEnd('\r') : environment(PasswordVariable);
        if (string.IsNullOrEmpty(password))
            return Usage(stderr, fromStdin ? "no password on standard input" : $"no password: use --password-stdin or set {PasswordVariable} (there is no default)");

        await services.GetRequiredService<DatabaseInitializer>().InitializeAsync(cancellationToken);
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<DemoSeeder>().EnsureRolesAsync();
        var result = await scope.ServiceProvider.GetRequiredService<StaffService>().CreateFirstAdminAsync(email, name, password, cancellationToken);
        switch (result)
        {
            case StaffResult.Done done:
                await stdout.WriteLineAsync($"Created the admin account {done.User.Email} (id {done.User.Id}). Sign in at /login.");
                return 0;
            case StaffResult.Conflict conflict:
                await stderr.WriteLineAsync($"{Name}: {conflict.Message}");
                return 1;
            case StaffResult.Invalid invalid:
                foreach (var (field, messages) in invalid.Errors) await stderr.WriteLineAsync($"{Name}: {field}: {string.Join(" ", messages)}");
                return 2;
            default:
                await stderr.WriteLineAsync($"{Name}: refused ({result.GetType().Name}).");
                return 1;
        }
    }

    private static int Usage(TextWriter stderr, string problem)
    {
        stderr.WriteLine($"{Name}: {problem}");
        stderr.WriteLine($"usage: dotnet Reconnect.Workflows.Server.dll {Name} --email <e-mail> [--name <display name>] [--password-stdin]");
        stderr.WriteLine($"       (password: first line of standard input with --password-stdin, else the environment variable {PasswordVariable})");
        return 2;
    }
}
