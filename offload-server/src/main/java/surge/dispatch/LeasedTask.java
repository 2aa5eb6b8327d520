package surge.dispatch;

/** A task as a volunteer names it when it gives it back: its job, index and lease. */
public record LeasedTask(String job, int index, long lease) {}
