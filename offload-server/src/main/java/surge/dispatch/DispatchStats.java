package surge.dispatch;

/** A snapshot of the dispatcher for metrics and health. */
public record DispatchStats(
    int volunteers,
    int activeJobs,
    long queued,
    long leased,
    long completedTotal,
    long failedTotal,
    long ignoredResultsTotal,
    long requeuedTotal,
    long lastTickMillis) {}
