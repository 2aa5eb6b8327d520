package surge.drmaa;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * What the submitting side knows about where jobs run: the user's home directory and the working
 * directory sbatch starts in (a job without a workingDirectory runs there), and the names of this
 * host, which a {@code host:path} attribute may carry.
 */
record Site(Path home, Path currentDir, Set<String> localHosts) {

  static Site ofThisProcess() {
    Set<String> hosts = new HashSet<>(Set.of("localhost", "127.0.0.1"));
    try {
      InetAddress local = InetAddress.getLocalHost();
      hosts.add(local.getHostName().toLowerCase(Locale.ROOT));
      hosts.add(local.getCanonicalHostName().toLowerCase(Locale.ROOT));
      hosts.add(local.getHostAddress());
    } catch (UnknownHostException e) {
      // only the loopback names then
    }
    String env = System.getenv("HOSTNAME");
    if (env != null && !env.isBlank()) {
      hosts.add(env.toLowerCase(Locale.ROOT));
    }
    return new Site(
        Path.of(System.getProperty("user.home")), Path.of("").toAbsolutePath(), Set.copyOf(hosts));
  }

  boolean isLocal(String host) {
    String name = host.toLowerCase(Locale.ROOT);
    return localHosts.contains(name) || localHosts.stream().anyMatch(h -> h.startsWith(name + "."));
  }
}
