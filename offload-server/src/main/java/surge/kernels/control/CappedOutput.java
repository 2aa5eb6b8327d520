package surge.kernels.control;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * A kernel's stdout or stderr on the server, in memory but bounded: stdout refuses to grow past its
 * cap (the run ends), stderr keeps only its last bytes (what error messages quote).
 */
final class CappedOutput extends OutputStream {
  /** Thrown through the kernel to end a run whose stdout is over its cap. */
  static final class Full extends RuntimeException {
    Full(long cap) {
      super("the kernel wrote more than " + cap + " bytes to stdout", null, false, false);
    }
  }

  private final long cap;
  private final boolean keepTail;
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

  CappedOutput(long cap, boolean keepTail) {
    this.cap = cap;
    this.keepTail = keepTail;
  }

  @Override
  public void write(int b) {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public synchronized void write(byte[] b, int off, int len) {
    if (bytes.size() + (long) len <= cap) {
      bytes.write(b, off, len);
      return;
    }
    if (!keepTail) {
      throw new Full(cap);
    }
    bytes.write(b, off, len);
    byte[] all = bytes.toByteArray();
    bytes.reset();
    bytes.write(all, (int) (all.length - cap), (int) cap);
  }

  synchronized byte[] toByteArray() {
    return Arrays.copyOf(bytes.toByteArray(), bytes.size());
  }
}
