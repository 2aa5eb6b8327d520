package surge.options;

import java.util.Optional;

/**
 * A job option that fails its check. The message starts with the option ({@code --kernel: cannot
 * read ...}); {@link #option()} and, for repeatable options, {@link #value()} let a caller that
 * read the options from a script point at the line that gave them.
 */
public final class InvalidJobOption extends Exception {
  private final String option;
  private final String value;

  InvalidJobOption(String option, String message) {
    this(option, null, message);
  }

  InvalidJobOption(String option, String value, String message) {
    super(message);
    this.option = option;
    this.value = value;
  }

  /** The option's name, e.g. {@code --kernel}. */
  public String option() {
    return option;
  }

  /** Text of the offending value of a repeatable option, e.g. {@code SURGE_TASK_INDEX=}. */
  public Optional<String> value() {
    return Optional.ofNullable(value);
  }
}
