using Ccfs.Server.Auth;
using Ccfs.Server.Catalog;
using Ccfs.Server.Http;
using Ccfs.Server.Observability;

namespace Ccfs.Server.Admin;

public sealed record CreateAccountRequest(IReadOnlyList<int>? VdnIds, string? AccessKey = null, bool Admin = false, string? Description = null);

public sealed record UpdateAccountRequest(IReadOnlyList<int>? VdnIds = null, bool? Admin = null, bool? Disabled = null, string? Description = null);

/// <param name="Source"><c>configuration</c> (read-only here) or <c>catalog</c>.</param>
public sealed record AccountView(string AccessKey, string Source, IReadOnlyList<int> VdnIds, bool Admin, bool Disabled, string? Description,
    IReadOnlyList<SecretView> Secrets, DateTimeOffset? CreatedAt);

/// <param name="Current">The newest secret; older ones still sign until retired.</param>
public sealed record SecretView(long Id, DateTimeOffset CreatedAt, bool Current);

/// <summary>The only answer that ever carries a secret key: creating an account or rotating its secret.</summary>
public sealed record IssuedSecret(AccountView Account, string SecretKey);

/// <summary>
/// Accounts handed out by operations staff: create (the SK is generated and shown once), list, change VDNs and the
/// admin flag, disable, delete, and rotate (two SKs sign until the older is retired; a third is refused until then). Accounts from configuration are
/// listed but read-only. Every change is in force on this node at once and on the others within the refresh interval.
/// </summary>
public static class AccountEndpoints
{
    public static void Map(RouteGroupBuilder admin)
    {
        admin.MapGet("/accounts", ListAsync).WithName("listAccounts").WithSummary("Every account, without secrets");
        admin.MapPost("/accounts", CreateAsync).WithName("createAccount")
            .WithSummary("Create an account; the answer holds its generated secret key, shown only this once")
            .WithJsonBody<CreateAccountRequest>();
        admin.MapPatch("/accounts/{accessKey}", UpdateAsync).WithName("updateAccount")
            .WithSummary("Change an account's VDNs, admin flag, description, or disable and enable it")
            .WithJsonBody<UpdateAccountRequest>();
        admin.MapDelete("/accounts/{accessKey}", DeleteAsync).WithName("deleteAccount").WithSummary("Delete an account and its secrets");
        admin.MapPost("/accounts/{accessKey}/rotate", RotateAsync).WithName("rotateAccountSecret")
            .WithSummary("Issue a new secret key; the old one keeps signing until retired, and until then another rotation is 409");
        admin.MapPost("/accounts/{accessKey}/retire", RetireAsync).WithName("retireAccountSecrets")
            .WithSummary("Remove every secret key but the newest");
    }

    private static async Task<IResult> ListAsync(AccountDirectory directory, AccountStore store, HttpContext http)
    {
        var configured = directory.Configured.Select(a => new AccountView(a.AccessKey, "configuration", [.. a.VdnIds.Order()], a.IsAdmin,
            false, null, [], null));
        var stored = (await store.ListAsync(http.RequestAborted)).Where(a => !directory.IsConfigured(a.AccessKey)).Select(View);
        return AdminResults.Ok(configured.Concat(stored).OrderBy(a => a.AccessKey, StringComparer.Ordinal).ToList());
    }

    private static async Task<IResult> CreateAsync(HttpContext http, AccountDirectory directory, AccountStore store, MasterKey masterKey,
        CatalogSync sync, TimeProvider time)
    {
        if (!AdminResults.TryReadBody<CreateAccountRequest>(http, out var request, out var refusal))
        {
            return refusal!;
        }

        var accessKey = request.AccessKey ?? AccountRules.NewAccessKey();
        Note(http, accessKey);
        var problems = new[] { AccountRules.AccessKeyProblem(accessKey), AccountRules.VdnProblem(request.VdnIds) }.OfType<string>().ToList();
        if (problems.Count > 0)
        {
            return AdminResults.Invalid("the account is not valid; nothing was created", problems);
        }

        if (directory.IsConfigured(accessKey))
        {
            return AdminResults.Conflict($"access key {accessKey} is an account of configuration");
        }

        var secretKey = AccountRules.NewSecretKey();
        var now = time.GetUtcNow();
        var account = new StoredAccount(accessKey, [.. request.VdnIds!.Distinct().Order()], request.Admin, false, request.Description, now, now, []);
        if (!await store.CreateAsync(account, masterKey.Seal(accessKey, secretKey), CancellationToken.None))
        {
            return AdminResults.Conflict($"access key {accessKey} exists");
        }

        await sync.RefreshAsync(CancellationToken.None);
        return AdminResults.Created(new IssuedSecret(await ViewAsync(store, accessKey), secretKey));
    }

    private static async Task<IResult> UpdateAsync(string accessKey, HttpContext http, AccountDirectory directory, AccountStore store,
        CatalogSync sync)
    {
        Note(http, accessKey);
        if (!AdminResults.TryReadBody<UpdateAccountRequest>(http, out var request, out var refusal))
        {
            return refusal!;
        }

        if (request.VdnIds is not null && AccountRules.VdnProblem(request.VdnIds) is { } problem)
        {
            return AdminResults.Invalid("the change is not valid; nothing was changed", [problem]);
        }

        var change = new AccountChange(request.VdnIds?.Distinct().Order().ToList(), request.Admin, request.Disabled, request.Description);
        return await ChangeAsync(http, accessKey, directory, sync,
            async () => await store.UpdateAsync(accessKey, change, CancellationToken.None) ? null : Missing(accessKey),
            async () => AdminResults.Ok(await ViewAsync(store, accessKey)));
    }

    private static Task<IResult> DeleteAsync(string accessKey, HttpContext http, AccountDirectory directory, AccountStore store,
        CatalogSync sync) =>
        ChangeAsync(http, accessKey, directory, sync,
            async () => await store.DeleteAsync(accessKey, CancellationToken.None) ? null : Missing(accessKey),
            () => Task.FromResult<IResult>(TypedResults.NoContent()));

    private static Task<IResult> RotateAsync(string accessKey, HttpContext http, AccountDirectory directory, AccountStore store,
        MasterKey masterKey, CatalogSync sync)
    {
        var secretKey = AccountRules.NewSecretKey();
        return ChangeAsync(http, accessKey, directory, sync,
            async () => await store.AddSecretAsync(accessKey, masterKey.Seal(accessKey, secretKey), CancellationToken.None) switch
            {
                SecretAddition.Added => null,
                SecretAddition.NoSuchAccount => Missing(accessKey),
                _ => AdminResults.Conflict($"access key {accessKey} already has {AccountRules.MaxSecrets} valid secret keys; "
                    + "retire the old secret first (POST …/retire), then rotate again"),
            },
            async () => AdminResults.Ok(new IssuedSecret(await ViewAsync(store, accessKey), secretKey)));
    }

    private static Task<IResult> RetireAsync(string accessKey, HttpContext http, AccountDirectory directory, AccountStore store,
        CatalogSync sync) =>
        ChangeAsync(http, accessKey, directory, sync,
            async () => await store.RetireOlderSecretsAsync(accessKey, CancellationToken.None) >= 0 ? null : Missing(accessKey),
            async () => AdminResults.Ok(await ViewAsync(store, accessKey)));

    /// <summary>
    /// The steps every change of a catalog account takes: note it for the audit, refuse accounts of configuration,
    /// apply it (a non-null result refuses it), then put it in force on this node before answering.
    /// </summary>
    private static async Task<IResult> ChangeAsync(HttpContext http, string accessKey, AccountDirectory directory, CatalogSync sync,
        Func<Task<IResult?>> change, Func<Task<IResult>> answer)
    {
        Note(http, accessKey);
        if (ReadOnly(directory, accessKey) is { } readOnly)
        {
            return readOnly;
        }

        if (await change() is { } refusal)
        {
            return refusal;
        }

        await sync.RefreshAsync(CancellationToken.None);
        return await answer();
    }

    private static IResult Missing(string accessKey) => AdminResults.NotFound($"access key {accessKey} does not exist");

    private static IResult? ReadOnly(AccountDirectory directory, string accessKey) => directory.IsConfigured(accessKey)
        ? AdminResults.Conflict($"access key {accessKey} is an account of configuration; change it there")
        : null;

    /// <summary>The audit trail names the account changed in its file column; never a secret.</summary>
    private static void Note(HttpContext http, string accessKey) => InterfaceCall.Of(http)?.File = "account:" + accessKey;

    private static async Task<AccountView> ViewAsync(AccountStore store, string accessKey) =>
        View((await store.ListAsync(CancellationToken.None)).Single(a => a.AccessKey == accessKey));

    private static AccountView View(StoredAccount a)
    {
        var newest = a.Secrets.Count == 0 ? -1 : a.Secrets.Max(s => s.Id);
        return new AccountView(a.AccessKey, "catalog", a.VdnIds, a.IsAdmin, a.Disabled, a.Description,
            [.. a.Secrets.Select(s => new SecretView(s.Id, s.CreatedAt, s.Id == newest))], a.CreatedAt);
    }
}
