package surge.dispatch;

/**
 * Checkpoints since the server started: received (kept), resumed (handed out with a task), dropped
 * (refused or evicted); and those kept now, with their bytes.
 */
public record CheckpointStats(long received, long resumed, long dropped, int held, long bytes) {}
