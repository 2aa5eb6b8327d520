package surge.it;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a task as a volunteer would, but with the kernel's native build (examples/kernels proves it
 * prints the same bytes as the wasm): the task's args, only its env, its stdin. Answers the
 * protocol's result object.
 */
final class NativeRun {
  private NativeRun() {}

  record Output(int exitCode, byte[] stdout, byte[] stderr, long millis) {}

  static Output run(String program, List<String> args, Map<String, String> env, byte[] stdin) {
    List<String> command = new ArrayList<>();
    command.add(TestKernels.nativeProgram(program).toString());
    command.addAll(args);
    var builder = new ProcessBuilder(command);
    builder.environment().clear();
    builder.environment().putAll(env);
    long start = System.nanoTime();
    try {
      Process p = builder.start();
      CompletableFuture<byte[]> out = readAll(p.getInputStream());
      CompletableFuture<byte[]> err = readAll(p.getErrorStream());
      try (OutputStream in = p.getOutputStream()) {
        in.write(stdin);
      }
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(command + " ran longer than 60 s");
      }
      return new Output(
          p.exitValue(), out.join(), err.join(), (System.nanoTime() - start) / 1_000_000);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  private static CompletableFuture<byte[]> readAll(InputStream stream) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (stream) {
            return stream.readAllBytes();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  /** Runs a task of the protocol's 'tasks' message and answers its 'results' entry. */
  static JsonObject result(String program, JsonObject task) {
    List<String> args =
        task.getJsonArray("args").getValuesAs(JsonString.class).stream()
            .map(JsonString::getString)
            .toList();
    var env = new LinkedHashMap<String, String>();
    task.getJsonObject("env").forEach((k, v) -> env.put(k, ((JsonString) v).getString()));
    byte[] stdin = Base64.getDecoder().decode(task.getString("stdin"));
    Output o = run(program, args, env, stdin);
    // Natively a trap is a signal (exit status above 128); in wasm it is the 'trap' status.
    String status = o.exitCode() == 0 ? "ok" : o.exitCode() > 128 ? "trap" : "exit";
    return resultOf(
        task,
        status,
        status.equals("trap") ? -1 : o.exitCode(),
        o.stdout(),
        o.stderr(),
        o.millis());
  }

  /** The 'results' entry for a task, quoting its job, index and lease. */
  static JsonObject resultOf(
      JsonObject task, String status, int exitCode, byte[] stdout, byte[] stderr, long millis) {
    var b64 = Base64.getEncoder();
    return Json.createObjectBuilder()
        .add("job", task.getString("job"))
        .add("index", task.getInt("index"))
        .add("lease", task.getJsonNumber("lease").longValue())
        .add("status", status)
        .add("exitCode", exitCode)
        .add("stdout", b64.encodeToString(stdout))
        .add("stderr", b64.encodeToString(stderr))
        .add("millis", millis)
        .build();
  }
}
