package surge.dispatch;

/** One task of one job. */
public record TaskKey(String job, int index) {}
