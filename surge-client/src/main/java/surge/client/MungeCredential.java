package surge.client;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code Authorization: MUNGE <credential>}, a fresh {@code munge -n} for every request: munged
 * refuses a credential decoded twice, so one cannot be kept for the next request (and a stolen one
 * is worth one request within its 5-minute life). The server decodes it with {@code unmunge}: the
 * uid becomes the Slurm user, with no secret for anyone to manage.
 *
 * <p>When {@code munge} fails (not installed, munged not running) the request goes without a
 * credential and {@link #describe()} says why, so the server's 401 explains itself.
 */
final class MungeCredential implements Credential {
  /** munge answers in milliseconds; a hung munged must not hang every request. */
  private static final long TIMEOUT_SECONDS = 10;

  private final List<String> command;
  private final Optional<String> socket;
  private final String passedOver;
  private volatile String lastFailure;

  /**
   * @param munge the program, {@code munge} from the PATH unless a test gives another
   * @param socket munged's socket ({@code SURGE_MUNGE_SOCKET}), else munge's own default
   * @param passedOver the credentials looked for before MUNGE, for messages
   */
  MungeCredential(String munge, Optional<String> socket, String passedOver) {
    this.passedOver = passedOver;
    this.socket = socket;
    List<String> cmd = new ArrayList<>(List.of(munge, "-n"));
    socket.ifPresent(s -> cmd.addAll(List.of("--socket", s)));
    this.command = List.copyOf(cmd);
  }

  @Override
  public Optional<String> authorization() {
    try {
      ProcessBuilder pb = new ProcessBuilder(command);
      pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      Process p = pb.start();
      // Both streams are small (one line); read stderr on this thread after stdout.
      byte[] out = p.getInputStream().readAllBytes();
      byte[] err = p.getErrorStream().readAllBytes();
      if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return failed("munge -n did not answer within " + TIMEOUT_SECONDS + " s");
      }
      String credential = new String(out, StandardCharsets.US_ASCII).strip();
      if (p.exitValue() != 0 || !credential.startsWith("MUNGE:")) {
        String why = new String(err, StandardCharsets.UTF_8).strip();
        return failed(
            "munge -n failed (exit " + p.exitValue() + ")" + (why.isEmpty() ? "" : ": " + why));
      }
      lastFailure = null;
      return Optional.of("MUNGE " + credential);
    } catch (IOException e) {
      return failed("munge -n could not run: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return failed("interrupted while running munge -n");
    }
  }

  private Optional<String> failed(String why) {
    lastFailure = ControlCharacters.escape(why);
    return Optional.empty();
  }

  /** Only the {@code munge} on the PATH: another program (a test's) is not found again. */
  @Override
  public Optional<String> origin() {
    return command.get(0).equals("munge")
        ? Optional.of(socket.map(s -> "munge:" + s).orElse("munge"))
        : Optional.empty();
  }

  @Override
  public String describe() {
    String socket =
        command.contains("--socket") ? " --socket " + command.get(command.size() - 1) : "";
    String failure = lastFailure;
    return passedOver
        + "MUNGE (munge -n"
        + socket
        + ")"
        + (failure == null ? "" : ", which failed: " + failure);
  }
}
