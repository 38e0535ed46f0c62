namespace Ccfs.Server.Seeding;

/// <summary>A file to place as if uploadFile had stored it for <paramref name="VdnId"/>, under its own name.</summary>
/// <param name="Source">Where it came from, for messages: a seed folder's file, or the API body's entry.</param>
public sealed record SeedUpload(int VdnId, string Name, ReadOnlyMemory<byte> Content, string Source);

/// <summary>A file to place as the IVR writes a recording: at <paramref name="Path"/> (<c>Y:/voice/1/IVRrecordFile/…</c>) in every location, with no catalog row.</summary>
public sealed record SeedRecording(string Path, ReadOnlyMemory<byte> Content, string Source);

/// <summary>What a seed placed: the name a client uses for it, and what became of it.</summary>
/// <param name="Status"><c>stored</c>; <c>exists</c> for an upload whose name a file already has (it is left as it is); <c>replaced</c> for a recording written over.</param>
public sealed record SeededFile(string FileName, string Status, IReadOnlyList<string> LocationId);

/// <param name="Problems">Why nothing was placed; empty when everything was.</param>
public sealed record SeedReport(IReadOnlyList<SeededFile> Uploads, IReadOnlyList<SeededFile> Recordings, IReadOnlyList<string> Problems);
