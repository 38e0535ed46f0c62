namespace Ccfs.Protocol.Auth;

/// <summary>An AK/SK pair as handed out by operations staff.</summary>
public sealed record AccessKeyCredential(string AccessKey, string SecretKey)
{
    public override string ToString() => $"AccessKeyCredential {{ AccessKey = {AccessKey} }}";
}
