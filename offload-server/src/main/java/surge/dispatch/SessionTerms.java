package surge.dispatch;

/**
 * What a newly connected volunteer is told (the protocol's welcome).
 *
 * @param checkpointMs how often kernels save a checkpoint; 0: the server takes none
 * @param maxCheckpointBytes the largest checkpoint the server keeps, decoded; 0 when none
 * @param idleHeartbeatMs how often a volunteer holding no task heartbeats
 */
public record SessionTerms(
    String session,
    long heartbeatMs,
    long leaseMs,
    int batch,
    int prefetchBelow,
    int maxMessageBytes,
    long checkpointMs,
    int maxCheckpointBytes,
    long idleHeartbeatMs) {}
