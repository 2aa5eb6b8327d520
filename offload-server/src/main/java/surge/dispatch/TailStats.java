package surge.dispatch;

/**
 * Tail copies since the server started.
 *
 * @param made copies of a held task handed to a second session
 * @param won copies whose answer settled the task while the original was still out
 * @param cancelled leases ended because another lease's answer settled their task
 */
public record TailStats(long made, long won, long cancelled) {}
