package surge.client;

import java.util.List;

/**
 * The server's answer to a kernel or input upload. {@code imports} is only filled for kernels.
 *
 * @param sha256 the content address the job spec refers to
 * @param size the number of bytes stored
 * @param imports the kernel's imports, as {@code module.name}
 */
public record StoredBlob(String sha256, long size, List<String> imports) {
  public StoredBlob {
    imports = imports == null ? List.of() : List.copyOf(imports);
  }
}
