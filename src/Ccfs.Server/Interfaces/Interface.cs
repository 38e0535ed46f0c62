namespace Ccfs.Server.Interfaces;

/// <summary>What the interfaces other than upload share.</summary>
public static class Interface
{
    /// <summary>deleteFile, getFileHash and downloadFile carry a path in a small envelope; bodies past this are refused.</summary>
    public const long SmallBodyLimit = 64 * 1024;
}
