package surge.it;

import com.sun.tools.attach.VirtualMachine;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.List;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * The heap of the Payara Micro that Arquillian started for this test JVM, read over JMX (attached
 * through the JDK's attach API): the old generation, where large arrays such as a whole request
 * body go at once.
 */
final class PayaraHeap implements AutoCloseable {
  private final JMXConnector connector;
  private final List<MemoryPoolMXBean> oldPools;

  private PayaraHeap(JMXConnector connector, List<MemoryPoolMXBean> oldPools) {
    this.connector = connector;
    this.oldPools = oldPools;
  }

  static PayaraHeap attach() throws Exception {
    ProcessHandle payara =
        ProcessHandle.current()
            .descendants()
            .filter(p -> p.info().commandLine().orElse("").contains("payara-micro"))
            .findFirst()
            .orElseThrow(() -> new IllegalStateException("no Payara Micro started by this JVM"));
    VirtualMachine vm = VirtualMachine.attach(Long.toString(payara.pid()));
    String address;
    try {
      address = vm.startLocalManagementAgent();
    } finally {
      vm.detach();
    }
    JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(address));
    var pools =
        ManagementFactory.getPlatformMXBeans(
                connector.getMBeanServerConnection(), MemoryPoolMXBean.class)
            .stream()
            .filter(p -> p.getType() == MemoryType.HEAP)
            .filter(p -> p.getName().contains("Old") || p.getName().contains("Tenured"))
            .toList();
    if (pools.isEmpty()) {
      connector.close();
      throw new IllegalStateException("the Payara JVM shows no old generation pool");
    }
    return new PayaraHeap(connector, pools);
  }

  void resetPeaks() {
    oldPools.forEach(MemoryPoolMXBean::resetPeakUsage);
  }

  long oldGenerationUsed() {
    return oldPools.stream().mapToLong(p -> p.getUsage().getUsed()).sum();
  }

  /** The highest the old generation was since {@link #resetPeaks}, or is now if higher. */
  long oldGenerationPeak() {
    return oldPools.stream()
        .mapToLong(p -> Math.max(p.getPeakUsage().getUsed(), p.getUsage().getUsed()))
        .sum();
  }

  /** The whole heap in use right after a full collection ({@code System.gc()} in Payara). */
  long liveAfterFullGc() throws java.io.IOException {
    var memory =
        ManagementFactory.newPlatformMXBeanProxy(
            connector.getMBeanServerConnection(),
            ManagementFactory.MEMORY_MXBEAN_NAME,
            java.lang.management.MemoryMXBean.class);
    memory.gc();
    return memory.getHeapMemoryUsage().getUsed();
  }

  @Override
  public void close() throws Exception {
    connector.close();
  }
}
