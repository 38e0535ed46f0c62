using System.Globalization;
using System.Net.Mime;
using System.Text.Json;
using System.Text.Json.Serialization;
using Ccfs.Server.Catalog;
using Ccfs.Server.Lifecycle;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.Extensions;
using CloudNative.CloudEvents.SystemTextJson;

namespace Ccfs.Server.Events;

/// <summary>The <c>data</c> of a file event, as receivers read it.</summary>
/// <param name="LocationId">The locations holding the file (stored) or whose copies went (deleted).</param>
/// <param name="RemainingLocationId">After a delete: the locations still holding the file; empty when the file is gone.</param>
/// <param name="AccessKey">Who made the change: the uploader, or the caller of the delete.</param>
/// <param name="PromptCheck">A stored prompt's quality findings (docs/prompt-quality.md); absent on deletes and when not checked.</param>
public sealed record FileEventData(string FileName, int VdnId, long SizeBytes, string Sha256, IReadOnlyList<string> LocationId,
    IReadOnlyList<string> RemainingLocationId, string AccessKey, long DurationMs, PromptCheckView? PromptCheck);

/// <summary>
/// An outbox row as a CloudEvents 1.0 event in structured JSON mode (<c>application/cloudevents+json</c>): <c>id</c> the
/// event's id (the same on every delivery), <c>source</c> <c>/ccfs/vdns/{vdnId}</c>, <c>type</c>, <c>subject</c> the
/// file name the interfaces answer, <c>time</c>, the <c>sequence</c> extension (the VDN's number, in decimal) and the
/// <see cref="FileEventData"/>. Built by the CNCF SDK, so the attributes follow the specification's rules.
/// </summary>
public static class CloudEventFormat
{
    public const string MediaType = "application/cloudevents+json";

    private static readonly JsonEventFormatter Formatter = new(new JsonSerializerOptions(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull }, default);

    public static string SourceOf(int vdnId) => "/ccfs/vdns/" + vdnId.ToString(CultureInfo.InvariantCulture);

    public static CloudEvent ToCloudEvent(OutboxEvent e)
    {
        var cloudEvent = new CloudEvent(CloudEventsSpecVersion.V1_0, Sequence.AllAttributes)
        {
            Id = e.Id,
            Source = new Uri(SourceOf(e.VdnId), UriKind.Relative),
            Type = e.Type,
            Subject = e.Data is null ? e.FileName : null,
            Time = e.Time,
            DataContentType = "application/json",
            Data = e.Data is { } data
                ? JsonDocument.Parse(data).RootElement.Clone()
                : new FileEventData(e.FileName, e.VdnId, e.SizeBytes, e.Sha256, e.LocationIds, e.RemainingLocationIds, e.AccessKey, e.DurationMs,
                    PromptCheckView.Of(e.PromptCheck)),
        };
        cloudEvent[Sequence.SequenceAttribute] = e.Sequence.ToString(CultureInfo.InvariantCulture);
        return cloudEvent;
    }

    /// <summary>The body of a delivery: the event as UTF-8 JSON.</summary>
    public static ReadOnlyMemory<byte> Encode(OutboxEvent e) => Formatter.EncodeStructuredModeMessage(ToCloudEvent(e), out _);

    /// <summary>The event as a JSON element, for the feed's list.</summary>
    public static JsonElement ToJson(OutboxEvent e) => Formatter.ConvertToJsonElement(ToCloudEvent(e));

    public static ContentType ContentType { get; } = new(MediaType + "; charset=utf-8");
}
