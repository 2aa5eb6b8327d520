package surge.kernels.control;

import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.types.ExportSection;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.FunctionSection;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.GlobalSection;
import com.dylibso.chicory.wasm.types.ImportSection;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.MemorySection;
import com.dylibso.chicory.wasm.types.RawSection;
import com.dylibso.chicory.wasm.types.SectionId;
import com.dylibso.chicory.wasm.types.TableSection;
import com.dylibso.chicory.wasm.types.TypeSection;
import java.io.ByteArrayInputStream;
import java.nio.BufferUnderflowException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import surge.api.Problem;

/**
 * Decides whether bytes are a kernel Surge will send to volunteers: a WebAssembly module that
 * parses, validates and links against WASI preview 1 alone, is a command (exports {@code _start}
 * and {@code memory}), has no start section, and stays within {@link KernelLimits}. Anything else
 * is refused with the reason, before any volunteer sees it.
 *
 * <p>Nothing here instantiates or runs the module. It used to be instantiated with Chicory, and
 * instantiation runs the start section's function and allocates the declared memory: a 62-byte
 * module whose start function loops held an HTTP thread forever, and a 55-byte one declaring 16384
 * pages allocated 1 GiB per upload. Now the limits are read from the undecoded section headers
 * first, the bodies are validated by Chicory's parser after that, and the WASI imports' signatures
 * are compared with Chicory's WASI functions' types.
 */
public final class KernelValidator {
  static final String WASI = "wasi_snapshot_preview1";

  private final KernelLimits limits;

  public KernelValidator(KernelLimits limits) {
    this.limits = limits;
  }

  /**
   * @return the module's imports as {@code module.name}
   * @throws Problem 400 naming what is wrong, or the limit exceeded
   */
  public List<String> validate(byte[] bytes) {
    if (bytes.length < 8
        || bytes[0] != 0
        || bytes[1] != 'a'
        || bytes[2] != 's'
        || bytes[3] != 'm') {
      throw refuse("is not a WebAssembly module (it does not start with \\0asm)");
    }
    Map<Integer, Integer> sizes = sectionSizes(bytes);
    if (sizes.containsKey(SectionId.START)) {
      throw refuse(
          "has a start section: its function would run when the module is instantiated, before"
              + " _start, which a WASI command must not do (clang does not emit one)");
    }
    long code = sizes.getOrDefault(SectionId.CODE, 0);
    if (code > limits.maxCodeBytes()) {
      throw refuse(
          "has "
              + code
              + " bytes of code; the limit is "
              + limits.maxCodeBytes()
              + " (SURGE_MAX_KERNEL_CODE_BYTES)");
    }
    var header = new Header();
    decodeHeader(bytes, header);
    List<String> imports = checkImports(header);
    checkMemory(header.memories);
    checkCounts(header, bytes);
    checkExports(header);
    try {
      // Decodes and validates every function body, global, element and data segment.
      Parser.parse(bytes);
    } catch (RuntimeException | StackOverflowError e) {
      throw refuse("is not a valid WebAssembly module: " + e.getMessage());
    }
    return imports;
  }

  /** The sections the limits need, decoded without the code and data. */
  private static final class Header {
    TypeSection types = TypeSection.builder().build();
    ImportSection imports = ImportSection.builder().build();
    FunctionSection functions = FunctionSection.builder().build();
    TableSection tables = TableSection.builder().build();
    MemorySection memories = MemorySection.builder().build();
    GlobalSection globals = GlobalSection.builder().build();
    ExportSection exports = ExportSection.builder().build();
    Map<Integer, Long> vectorCounts = new HashMap<>();
  }

  /** Each section's size by id, read from the section headers without decoding their contents. */
  private Map<Integer, Integer> sectionSizes(byte[] bytes) {
    Map<Integer, Integer> sizes = new HashMap<>();
    try {
      Parser.parseWithoutDecoding(
          bytes,
          s -> {
            if (s.sectionId() != SectionId.CUSTOM) {
              sizes.merge(s.sectionId(), ((RawSection) s).contents().length, Integer::sum);
            }
          });
    } catch (RuntimeException | StackOverflowError e) {
      throw refuse("is not a valid WebAssembly module: " + e.getMessage());
    }
    return sizes;
  }

  private void decodeHeader(byte[] bytes, Header h) {
    var parser =
        Parser.builder()
            .withValidation(false)
            .includeSectionId(SectionId.TYPE)
            .includeSectionId(SectionId.IMPORT)
            .includeSectionId(SectionId.FUNCTION)
            .includeSectionId(SectionId.TABLE)
            .includeSectionId(SectionId.MEMORY)
            .includeSectionId(SectionId.GLOBAL)
            .includeSectionId(SectionId.EXPORT)
            .build();
    try {
      parser.parse(
          new ByteArrayInputStream(bytes),
          s -> {
            switch (s.sectionId()) {
              case SectionId.TYPE -> h.types = (TypeSection) s;
              case SectionId.IMPORT -> h.imports = (ImportSection) s;
              case SectionId.FUNCTION -> h.functions = (FunctionSection) s;
              case SectionId.TABLE -> h.tables = (TableSection) s;
              case SectionId.MEMORY -> h.memories = (MemorySection) s;
              case SectionId.GLOBAL -> h.globals = (GlobalSection) s;
              case SectionId.EXPORT -> h.exports = (ExportSection) s;
              default -> {}
            }
          });
      // Element and data segments are only counted: their vectors' lengths lead their sections.
      Parser.parseWithoutDecoding(
          bytes,
          s -> {
            if (s.sectionId() == SectionId.ELEMENT || s.sectionId() == SectionId.DATA) {
              h.vectorCounts.put(s.sectionId(), leadingCount(((RawSection) s).contents()));
            }
          });
    } catch (RuntimeException | StackOverflowError e) {
      throw refuse("is not a valid WebAssembly module: " + e.getMessage());
    }
  }

  /** The unsigned LEB128 number a section's contents start with. */
  private static long leadingCount(byte[] contents) {
    long value = 0;
    for (int i = 0; i < Math.min(contents.length, 5); i++) {
      value |= (long) (contents[i] & 0x7f) << (7 * i);
      if ((contents[i] & 0x80) == 0) {
        return value;
      }
    }
    throw new BufferUnderflowException();
  }

  private List<String> checkImports(Header h) {
    int count = h.imports.importCount();
    if (count > KernelLimits.MAX_IMPORTS) {
      throw refuse("has " + count + " imports; the limit is " + KernelLimits.MAX_IMPORTS);
    }
    List<String> names = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      var imp = h.imports.getImport(i);
      String name = imp.module() + "." + imp.name();
      if (!WASI.equals(imp.module())) {
        throw refuse("imports " + name + "; only " + WASI + " is allowed");
      }
      if (imp.importType() != ExternalType.FUNCTION) {
        throw refuse("imports " + name + " as a " + imp.importType() + "; WASI only has functions");
      }
      FunctionType wanted = WasiSignatures.of(imp.name());
      if (wanted == null) {
        throw refuse("does not validate against WASI preview 1: it has no function " + name);
      }
      FunctionType declared = type(h, ((FunctionImport) imp).typeIndex());
      if (!wanted.typesMatch(declared)) {
        throw refuse(
            "does not validate against WASI preview 1: it imports "
                + name
                + " as "
                + declared
                + " but WASI's is "
                + wanted);
      }
      names.add(name);
    }
    return names;
  }

  private FunctionType type(Header h, int index) {
    if (index < 0 || index >= h.types.typeCount()) {
      throw refuse("is not a valid WebAssembly module: unknown type " + index);
    }
    try {
      return h.types.getType(index);
    } catch (RuntimeException e) {
      throw refuse("is not a valid WebAssembly module: type " + index + " is not a function type");
    }
  }

  private void checkMemory(MemorySection memories) {
    if (memories.memoryCount() > 1) {
      throw refuse("declares " + memories.memoryCount() + " memories; a WASI command has one");
    }
    if (memories.memoryCount() == 0) {
      return; // refused below: the memory must be exported
    }
    MemoryLimits m = memories.getMemory(0).limits();
    long max = limits.maxPages();
    if (m.initialPages() > max) {
      throw refuse(
          "declares an initial memory of "
              + pagesText(m.initialPages())
              + "; the limit is "
              + pagesText(max)
              + " (SURGE_MAX_KERNEL_MEMORY)");
    }
    // No declared maximum reads as MAX_PAGES (4 GiB): allowed, as clang emits none and a browser
    // grows memory only on demand; the server caps a reducer's memory when it runs one.
    if (m.maximumPages() != MemoryLimits.MAX_PAGES && m.maximumPages() > max) {
      throw refuse(
          "declares a maximum memory of "
              + pagesText(m.maximumPages())
              + "; the limit is "
              + pagesText(max)
              + " (SURGE_MAX_KERNEL_MEMORY); declare a smaller maximum or none");
    }
  }

  private static String pagesText(long pages) {
    long bytes = pages * KernelLimits.PAGE;
    return pages
        + " pages ("
        + (bytes >= 1 << 20 ? (bytes >> 20) + " MiB" : bytes + " bytes")
        + ")";
  }

  private void checkCounts(Header h, byte[] bytes) {
    int functions = h.functions.functionCount();
    if (functions > limits.maxFunctions()) {
      throw refuse(
          "defines "
              + functions
              + " functions; the limit is "
              + limits.maxFunctions()
              + " (SURGE_MAX_KERNEL_FUNCTIONS)");
    }
    int tables = h.tables.tableCount();
    if (tables > KernelLimits.MAX_TABLES) {
      throw refuse("declares " + tables + " tables; the limit is " + KernelLimits.MAX_TABLES);
    }
    for (int i = 0; i < tables; i++) {
      long min = h.tables.getTable(i).limits().min();
      if (min > KernelLimits.MAX_TABLE_ENTRIES) {
        throw refuse(
            "declares a table of "
                + min
                + " entries; the limit is "
                + KernelLimits.MAX_TABLE_ENTRIES);
      }
    }
    atMost(h.globals.globalCount(), KernelLimits.MAX_GLOBALS, "globals");
    atMost(h.exports.exportCount(), KernelLimits.MAX_EXPORTS, "exports");
    atMost(
        h.vectorCounts.getOrDefault(SectionId.ELEMENT, 0L),
        KernelLimits.MAX_ELEMENT_SEGMENTS,
        "element segments");
    atMost(
        h.vectorCounts.getOrDefault(SectionId.DATA, 0L),
        KernelLimits.MAX_DATA_SEGMENTS,
        "data segments");
  }

  private void atMost(long count, long limit, String what) {
    if (count > limit) {
      throw refuse("has " + count + " " + what + "; the limit is " + limit);
    }
  }

  private void checkExports(Header h) {
    boolean start = false;
    boolean memory = false;
    int imported = h.imports.count(ExternalType.FUNCTION);
    for (int i = 0; i < h.exports.exportCount(); i++) {
      var e = h.exports.getExport(i);
      if ("_start".equals(e.name()) && e.exportType() == ExternalType.FUNCTION) {
        start = true;
        long defined = e.index() - imported;
        if (defined >= 0 && defined < h.functions.functionCount()) {
          FunctionType t = type(h, h.functions.getFunctionType((int) defined));
          if (!t.params().isEmpty() || !t.returns().isEmpty()) {
            throw refuse(
                "exports _start as " + t + "; a WASI command's _start takes and gives nothing");
          }
        }
      }
      memory |= "memory".equals(e.name()) && e.exportType() == ExternalType.MEMORY;
    }
    if (!start) {
      throw refuse("does not export a _start function: it is not a WASI command module");
    }
    if (!memory) {
      throw refuse("does not export its memory, which WASI needs");
    }
  }

  private static Problem refuse(String why) {
    return Problem.badField("kernel", "the kernel " + why);
  }
}
