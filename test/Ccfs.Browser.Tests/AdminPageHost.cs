using System.Net;
using Ccfs.Protocol.Auth;
using Microsoft.Playwright;

namespace Ccfs.Browser.Tests;

[CollectionDefinition(Name)]
public sealed class AdminPageCollection : ICollectionFixture<AdminPageHost>
{
    public const string Name = "admin page";
}

/// <summary>
/// The built server as a process on a free 127.0.0.1 port over plain HTTP, with one admin account configured through
/// environment variables, and Debian's Chromium driven by Playwright. Without Chromium every test fails and says why.
/// </summary>
public sealed class AdminPageHost : IAsyncLifetime
{
    public const string AccessKey = "page-admin-ak";
    public const string SecretKey = "page-admin-sk-0123456789";
    public const int Vdn = 53;

    /// <summary>An account that may use the CC-FS interfaces but not the admin page.</summary>
    public const string UserAccessKey = "page-user-ak";
    public const string UserSecretKey = "page-user-sk-0123456789";

    /// <summary>The viewport every page is tested in: the admin page must work whole at this size.</summary>
    public const int ViewportWidth = 1280;
    public const int ViewportHeight = 900;

    /// <summary>Bounded waits: long enough for a loaded 2-core machine, short enough to fail a hung page.</summary>
    public const float TimeoutMs = 30_000;

    private static readonly string[] ChromiumArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    private ServerProcess? _server;
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public string DataDir { get; } = Path.Combine(Path.GetTempPath(), "ccfs-browser-tests", Guid.NewGuid().ToString("N"));

    public string BaseAddress { get; private set; } = "";

    public HttpClient Http { get; } = new();

    /// <summary>Signs like the page does, from C#, to check what the page did.</summary>
    public SignedClient Admin => new(Http, new AccessKeyCredential(AccessKey, SecretKey), TimeProvider.System);

    public static string Chromium => Environment.GetEnvironmentVariable("CCFS_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    /// <summary>Where screenshots go: <c>$TEST_RESULTS/screenshots</c> in CI, else TestResults/screenshots next to the tests.</summary>
    public static string ScreenshotFolder { get; } = Path.Combine(
        Environment.GetEnvironmentVariable("TEST_RESULTS") is { Length: > 0 } results ? results : Path.Combine(AppContext.BaseDirectory, "TestResults"),
        "screenshots");

    public async Task InitializeAsync()
    {
        if (!File.Exists(Chromium))
        {
            throw new InvalidOperationException($"Chromium is not installed at {Chromium}: the admin page tests need it. "
                + "Install it with `apt-get install -y --no-install-recommends chromium` (.ci/run does), or set CCFS_CHROMIUM.");
        }

        var port = ServerProcess.FreePort();
        BaseAddress = $"http://127.0.0.1:{port}";
        Http.BaseAddress = new Uri(BaseAddress);
        _server = ServerProcess.Start(new Dictionary<string, string>
        {
            ["Ccfs__DataDir"] = DataDir,
            ["Ccfs__Accounts__0__AccessKey"] = AccessKey,
            ["Ccfs__Accounts__0__SecretKey"] = SecretKey,
            ["Ccfs__Accounts__0__VdnIds__0"] = Vdn.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Ccfs__Accounts__0__Admin"] = "true",
            ["Ccfs__Accounts__1__AccessKey"] = UserAccessKey,
            ["Ccfs__Accounts__1__SecretKey"] = UserSecretKey,
            ["Ccfs__Accounts__1__VdnIds__0"] = Vdn.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // Every test signs from 127.0.0.1, and some are refused on purpose (wrong, disabled and retired keys).
            ["Ccfs__Auth__IpLock__MaxFailures"] = "1000",
            // The Faults tab adds rules; this server has accounts, so fault injection is off unless turned on.
            ["Ccfs__Faults__Enabled"] = "true",
            // Two locations, so a scrub with repair has a healthy copy to rewrite a damaged one from.
            ["Ccfs__Locations__0__Id"] = "0",
            ["Ccfs__Locations__1__Id"] = "1",
        }, "--urls", BaseAddress);
        await _server.WaitUntilHealthyAsync(Http);

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ChromiumArgs,
            Timeout = TimeoutMs,
        });
        Directory.CreateDirectory(ScreenshotFolder);
    }

    /// <summary>A fresh browser context (its own sessionStorage) at the size of a common laptop screen, on no page yet.</summary>
    public async Task<IPage> NewPageAsync()
    {
        var context = await _browser!.NewContextAsync(new() { BaseURL = BaseAddress, ViewportSize = new() { Width = ViewportWidth, Height = ViewportHeight } });
        context.SetDefaultTimeout(TimeoutMs);
        return await context.NewPageAsync();
    }

    /// <summary>A fresh browser context on the admin page, not yet signed in.</summary>
    public async Task<IPage> OpenAsync()
    {
        var page = await NewPageAsync();
        await page.GotoAsync("/admin");
        await page.WaitForSelectorAsync("body[data-ready=true]");
        return page;
    }

    public async Task<IPage> SignedInAsync()
    {
        var page = await OpenAsync();
        await page.FillAsync("#ak", AccessKey);
        await page.FillAsync("#sk", SecretKey);
        await page.ClickAsync("#signin-button");
        await page.Locator("#admin-view").WaitForAsync(new() { State = WaitForSelectorState.Visible });
        return page;
    }

    /// <summary>
    /// Every control of what the page shows now (buttons, inputs, selects, the player) lies within the viewport's width,
    /// and a click at its centre reaches it rather than something covering or clipping it; the page itself is no wider
    /// than the viewport, so nothing needs scrolling sideways. Controls below the fold are scrolled to first.
    /// </summary>
    public static async Task AssertEveryControlUsableAsync(IPage page)
    {
        var problems = await page.EvaluateAsync<string[]>("""
            () => {
              const problems = [];
              const width = document.documentElement.clientWidth;
              if (document.documentElement.scrollWidth > width) problems.push(`the page is ${document.documentElement.scrollWidth} px wide`);
              let checked = 0;
              for (const control of document.querySelectorAll('button, input, select, textarea, audio, a[href]')) {
                if (!control.checkVisibility()) continue;
                checked++;
                const name = control.id || control.name || control.textContent.trim() || control.tagName;
                control.scrollIntoView({ block: 'center', inline: 'nearest' });
                const box = control.getBoundingClientRect();
                if (box.width < 1 || box.height < 1) { problems.push(`${name} has no size`); continue; }
                if (box.left < 0 || box.right > width) problems.push(`${name} spans x ${box.left}..${box.right} of ${width}`);
                const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
                if (!(hit === control || control.contains(hit))) problems.push(`${name} is covered by ${hit?.tagName} ${hit?.id ?? ''}`);
              }
              if (checked === 0) problems.push('no control is shown');
              // A badge says something the row does not say otherwise (pinned, expiring, a failed check): never cut off.
              for (const badge of document.querySelectorAll('.badge')) {
                if (!badge.checkVisibility()) continue;
                const box = badge.getBoundingClientRect();
                const cell = badge.closest('td, th, li, p, div')?.getBoundingClientRect();
                if (cell && (box.left < cell.left - 0.5 || box.right > cell.right + 0.5 || box.bottom > cell.bottom + 0.5)) {
                  problems.push(`the badge '${badge.textContent}' is cut off by its cell`);
                }
              }
              window.scrollTo(0, 0);
              return problems;
            }
            """);
        Assert.True(problems.Length == 0, string.Join("; ", problems));
    }

    public static async Task ScreenshotAsync(IPage page, string name)
    {
        await page.ScreenshotAsync(new() { Path = Path.Combine(ScreenshotFolder, name + ".png"), FullPage = true });
    }

    /// <summary>The copy in location 0 of a file the server named <paramref name="fileName"/> (<c>Y:/…</c>).</summary>
    public string StoredPath(string fileName) => Path.Combine(DataDir, "locations", "0", fileName[3..]);

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        Http.Dispose();
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
