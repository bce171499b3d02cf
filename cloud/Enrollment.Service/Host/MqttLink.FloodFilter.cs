namespace Enrollment.Service.Host;

/// <summary>
/// <c>Mqtt:RequestTopicPerEnrollee</c> with <c>Mqtt:FloodRejectionsPerSecond</c> above 0: the service listens on
/// every enrollee's request topic (EnrollmentTopic + "/+") while rejections are few, so an unapproved or
/// misconfigured device is answered, logged and counted like on the shared topic (issue 4 item 5). When more
/// messages than that are rejected before any public-key work within one second (a flood of junk for unknown
/// enrollees, or of replayed copies), it listens only on the topics of enrollees whose approval has not expired
/// (the machinery of MqttLink.EnrolleeTopics.cs), so the broker drops the flood instead of forwarding it: the
/// load benchmark measured forwarding alone, to any subscriber, slowing real enrollments by more than 20%.
/// Those topics are held all the time, beside the wildcard, so the switch is one UNSUBSCRIBE of the wildcard:
/// subscribing some 10,000 topics at the switch (as the filter first did) kept the broker busy for 83-282 ms
/// while the flood still came, and real enrollments' p99 in that second reached 49-189 ms (load bench, session 10).
/// After <c>Mqtt:FloodHold</c> without a flood second, a maintenance round subscribes the wildcard again; a flood
/// still going on switches back within its first second. A message matching both the wildcard and its enrollee's
/// topic is delivered once (MQTT 3.1.1 section 3.3.5 allows either; Mosquitto 2.0.11 and MQTTnet's server send one
/// copy), and a second copy would be answered as a redelivery.
/// </summary>
internal sealed partial class MqttLink
{
    /// <summary>Under the topics gate: listening only on approved enrollees' topics (always, with a threshold of 0).</summary>
    private volatile bool _filtering;

    /// <summary>Under the topics gate: whether the broker session holds the wildcard filter (assumed wrong at connect).</summary>
    private bool _wildcardSubscribed;

    /// <summary>Unix milliseconds of the last flood second seen (set on the dispatcher, read under the gate).</summary>
    private long _floodSeenAt;

    // Early rejections in the current second; only MQTTnet's dispatcher, which delivers one message at a time, touches them.
    private long _floodSecond = -1;
    private int _floodCount;
    private int _filterStarting;

    private bool Adaptive => PerEnrollee && _options.FloodRejectionsPerSecond > 0;

    private string AllRequestTopics => _options.EnrollmentTopic + "/+";

    /// <summary>Whether the service listens only on approved enrollees' request topics now (for tests and the connection log).</summary>
    internal bool FiltersRequestTopics => PerEnrollee && _filtering;

    /// <summary>On the dispatcher: an enrollment message was settled by the early checks without an enrollment answer.</summary>
    private void NoteEarlyRejection()
    {
        if (!Adaptive)
        {
            return;
        }

        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        if (now / 1000 != _floodSecond)
        {
            _floodSecond = now / 1000;
            _floodCount = 0;
        }

        if (++_floodCount != _options.FloodRejectionsPerSecond + 1)
        {
            return; // once per flood second
        }

        Interlocked.Exchange(ref _floodSeenAt, now); // junk on approved topics still comes: the hold starts again
        if (!_filtering && Interlocked.Exchange(ref _filterStarting, 1) == 0)
        {
            _ = Task.Run(StartFilteringAsync);
        }
    }

    private async Task StartFilteringAsync()
    {
        var ct = _stopping.Token;
        try
        {
            await _topicsGate.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                if (_filtering)
                {
                    return;
                }

                _filtering = true;
                _metrics.FloodFilterStarted();
                LogFiltering(_log, _options.FloodRejectionsPerSecond, _options.FloodHold);
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                if (_wildcardSubscribed && _client.IsConnected)
                {
                    // The approved enrollees' topics are held already (registration, maintenance, connect).
                    await UnsubscribeAsync([AllRequestTopics], ct).ConfigureAwait(false);
                    _wildcardSubscribed = false;
                    // How long the flood still reached the service after the switch began (one UNSUBACK round trip).
                    LogFilterInPlace(_log, _enrolleeTopics.Count, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
            }
            finally
            {
                _topicsGate.Release();
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception e) when (IsBrokerTrouble(e, ct))
        {
            // The wildcard stays until the next connect or maintenance round, which syncs the filtering mode again.
            LogTopicsNotSynced(_log, e.Message);
        }
        finally
        {
            Volatile.Write(ref _filterStarting, 0);
        }
    }

    /// <summary>Under the gate, at a maintenance round: the flood hold is over, listen on every request topic again.</summary>
    private void EndFilteringIfHoldOver(long now)
    {
        if (Adaptive && _filtering && now - Interlocked.Read(ref _floodSeenAt) >= (long)_options.FloodHold.TotalMilliseconds)
        {
            _filtering = false;
            _metrics.FloodFilterEnded();
            LogFilteringEnded(_log, _options.FloodHold);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "More than {Limit} enrollment messages rejected in one second: listening only on approved enrollees' request topics for at least {Hold}, so the broker drops the rest")]
    private static partial void LogFiltering(ILogger logger, int limit, TimeSpan hold);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Flood filter in place: the wildcard dropped in {Milliseconds:F0} ms, {Topics} approved enrollees' request topics held")]
    private static partial void LogFilterInPlace(ILogger logger, int topics, double milliseconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "No rejection flood for {Hold}: listening on every enrollee's request topic again")]
    private static partial void LogFilteringEnded(ILogger logger, TimeSpan hold);
}
