package surge.policies;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.function.Function;

/** Finds a policy of one kind by name among those {@link ServiceLoader} sees. */
final class ServicePolicies {
  private ServicePolicies() {}

  /**
   * @param setting the variable that names it, for the refusal (e.g. SURGE_KERNEL_POLICY)
   * @param kind what the refusal calls it (e.g. kernel policy)
   * @throws IllegalArgumentException naming the policies there are, when none has {@code name}
   */
  static <T> T named(
      Class<T> type,
      Function<T, String> nameOf,
      String name,
      ClassLoader loader,
      String setting,
      String kind) {
    List<String> names = new ArrayList<>();
    for (T p : ServiceLoader.load(type, loader)) {
      if (nameOf.apply(p).equals(name)) {
        return p;
      }
      names.add(nameOf.apply(p));
    }
    throw new IllegalArgumentException(
        setting + " names no " + kind + " '" + name + "'; there are " + names);
  }
}
