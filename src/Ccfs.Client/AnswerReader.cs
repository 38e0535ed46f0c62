using System.Text.Json;
using Ccfs.Protocol;
using Ccfs.Protocol.Wire;

namespace Ccfs.Client;

/// <summary>
/// Reads what a CC-FS endpoint answered into a <see cref="CcfsResponse{T}"/>. It reads leniently: a field of an
/// unexpected type is taken as absent rather than thrown on, because an answer to an upload that was stored must
/// still give the caller the stored name.
/// </summary>
internal static class AnswerReader
{
    /// <summary>401/403 and answers that are not CC-FS shaped throw; every CC-FS triple is a result.</summary>
    /// <param name="readData">Reads <c>resultData</c> of a success; it gets an undefined element when there is none.</param>
    public static async Task<CcfsResponse<T>> ReadAsync<T>(HttpResponseMessage response, Func<JsonElement, T?> readData,
        CancellationToken cancellationToken)
        where T : class
    {
        var reason = response.Headers.TryGetValues("X-Ccfs-Reason", out var values) ? values.FirstOrDefault() : null;
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        using var document = Parse(body);
        var json = document?.RootElement;
        var status = (int)response.StatusCode;
        if (status is 401 or 403)
        {
            throw new CcfsAuthenticationException(status, Spring(json), reason);
        }

        if (json is { ValueKind: JsonValueKind.Object } triple && Text(triple, WireNames.ResultCode) is { } code)
        {
            var description = Text(triple, WireNames.ResultDesc) ?? "";
            var data = code == ResultCodes.Success
                ? readData(triple.TryGetProperty(WireNames.ResultData, out var d) ? d : default)
                : null;
            return new CcfsResponse<T>(code, description, reason, data);
        }

        var type = response.Content.Headers.ContentType?.MediaType;
        var what = body.Length == 0 ? " and an empty body" : type is null ? "" : $" ({type})";
        throw new CcfsRequestException(status, Spring(json), reason,
            $"the endpoint answered HTTP {status}{what} without a CC-FS result" + (reason is null ? "" : ": " + reason));
    }

    /// <summary>
    /// A member as text: a string as it is, a number as written (CC-FS sends strings, but a code sent as 0 still means
    /// 0); null when absent, when <paramref name="json"/> is not an object, or for any other kind.
    /// </summary>
    public static string? Text(JsonElement json, string name) =>
        json.ValueKind == JsonValueKind.Object && json.TryGetProperty(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                _ => null,
            }
            : null;

    /// <summary>A member that should be an array of strings: its text items; a lone string is a list of one.</summary>
    public static IReadOnlyList<string> Texts(JsonElement json, string name)
    {
        if (json.ValueKind != JsonValueKind.Object || !json.TryGetProperty(name, out var value))
        {
            return [];
        }

        return value.ValueKind switch
        {
            JsonValueKind.Array => [.. value.EnumerateArray().Select(item => item.ValueKind switch
            {
                JsonValueKind.String => item.GetString(),
                JsonValueKind.Number => item.GetRawText(),
                _ => null,
            }).OfType<string>()],
            JsonValueKind.String or JsonValueKind.Number => [Text(json, name)!],
            _ => [],
        };
    }

    private static JsonDocument? Parse(byte[] body)
    {
        try
        {
            return JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static SpringError? Spring(JsonElement? json) =>
        json is { ValueKind: JsonValueKind.Object } body && body.TryGetProperty("status", out var status)
            && status.ValueKind == JsonValueKind.Number && status.TryGetInt32(out var code)
            ? new SpringError(
                body.TryGetProperty("timestamp", out var t) && t.ValueKind == JsonValueKind.Number && t.TryGetInt64(out var timestamp)
                    ? timestamp
                    : 0,
                code,
                Text(body, "error") ?? "",
                Text(body, "message") ?? "",
                Text(body, "path") ?? "")
            : null;
}
