using System.Net;
using System.Text.Json;

namespace Ccfs.Server.Tests.Functional.Events;

/// <summary>The admin calls and the bounded wait the event tests share.</summary>
internal static class EventsAdmin
{
    public const string Subscriptions = "/admin/api/subscriptions";

    /// <summary>Subscribes (201 expected) and hands the signing secret to <paramref name="receiver"/>; the subscription's id.</summary>
    public static async Task<string> SubscribeAsync(this CcfsFactory factory, object request, WebhookReceiver? receiver)
    {
        using var response = await factory.Admin().AdminAsync(HttpMethod.Post, Subscriptions, request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        var body = JsonDocument.Parse(text).RootElement;
        receiver?.Secret = body.GetProperty("secret").GetString();
        return body.GetProperty("subscription").GetProperty("id").GetString()!;
    }

    /// <summary>An admin GET that must answer 200, as JSON.</summary>
    public static async Task<JsonElement> GetJsonAsync(this CcfsFactory factory, string path)
    {
        using var response = await factory.Admin().SendAsync(HttpMethod.Get, path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    /// <summary>Waits at most 30 s for <paramref name="done"/>, taking <paramref name="step"/> (say, moving the server's clock) between looks.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> done, string what, Action? step = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await done())
        {
            Assert.True(DateTime.UtcNow < deadline, $"within 30 s there was not {what}");
            step?.Invoke();
            await Task.Delay(50);
        }
    }
}
