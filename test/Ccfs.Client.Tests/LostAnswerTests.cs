using Ccfs.Protocol;

namespace Ccfs.Client.Tests;

/// <summary>
/// An answer lost on its way back: a download whose body breaks off is sent again and written whole, and a retried
/// request says how many of its earlier attempts went unanswered (each may have done its work all the same).
/// </summary>
public sealed class LostAnswerTests(CcfsFactory factory) : IClassFixture<CcfsFactory>
{
    [Fact]
    public async Task A_download_whose_body_breaks_off_is_retried_and_the_destination_holds_the_file_once()
    {
        var name = (await ClientFixture.Client(factory).UploadAsync(new MemoryStream(Samples.Sine), CcfsFactory.Vdn)).Data!.FileName;
        var breaking = new BreakingBodyHandler(failures: 1, afterBytes: 1000);
        using var destination = new MemoryStream();

        var response = await ClientFixture.Client(factory, inFront: breaking).DownloadAsync(name, destination);

        Assert.True(response.IsSuccess, response.Reason);
        Assert.Equal(2, breaking.Requests);
        Assert.Equal(Samples.Sine, destination.ToArray());
        Assert.Equal(1, response.LostAnswers);
    }

    [Fact]
    public async Task A_delete_whose_answer_was_lost_reports_the_lost_attempt_beside_the_retrys_answer()
    {
        var name = (await ClientFixture.Client(factory).UploadAsync(new MemoryStream(Samples.Sine), CcfsFactory.Vdn)).Data!.FileName;
        var lost = new LosingHandler(1);

        var response = await ClientFixture.Client(factory, inFront: lost).DeleteAsync(name);
        var plain = await ClientFixture.Client(factory).DeleteAsync(name);

        Assert.Equal(ResultCodes.FileNotFound, response.ResultCode);
        Assert.Equal(1, response.LostAnswers);
        Assert.Equal(0, plain.LostAnswers);
    }
}

/// <summary>Sends the first requests on, then throws their answers away as a reset connection would; counts them all.</summary>
internal sealed class LosingHandler(int losses) : DelegatingHandler
{
    public int Requests { get; private set; }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var answer = await base.SendAsync(request, cancellationToken);
        if (++Requests > losses)
        {
            return answer;
        }

        answer.Dispose();
        throw new HttpRequestException(HttpRequestError.ResponseEnded, "connection reset");
    }
}

/// <summary>Cuts the first answers' bodies off after some bytes, as a connection reset mid-body does; counts every request.</summary>
internal sealed class BreakingBodyHandler(int failures, int afterBytes) : DelegatingHandler
{
    public int Requests { get; private set; }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var answer = await base.SendAsync(request, cancellationToken);
        if (++Requests > failures)
        {
            return answer;
        }

        var body = await answer.Content.ReadAsByteArrayAsync(cancellationToken);
        var cut = new StreamContent(new BrokenStream(body.AsMemory(0, Math.Min(afterBytes, body.Length)).ToArray()));
        foreach (var header in answer.Content.Headers)
        {
            cut.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        answer.Content = cut;
        return answer;
    }

    /// <summary>The bytes that arrived, then the reset; a plain Stream, so copying it goes through Read.</summary>
    private sealed class BrokenStream(byte[] start) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (buffer.IsEmpty)
            {
                return 0;
            }

            if (_position == start.Length)
            {
                throw new HttpIOException(HttpRequestError.ResponseEnded, "the connection was reset");
            }

            var read = Math.Min(buffer.Length, start.Length - _position);
            start.AsSpan(_position, read).CopyTo(buffer);
            _position += read;
            return read;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
