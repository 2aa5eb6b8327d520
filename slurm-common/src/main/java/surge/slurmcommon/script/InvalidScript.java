package surge.slurmcommon.script;

/**
 * A job script whose {@code #OFFLOAD} lines cannot become a job. The message starts with the script
 * and the line at fault, as compilers write it: {@code job.sh:4: unknown option --taks (did you
 * mean --tasks?)}.
 */
public final class InvalidScript extends Exception {
  public InvalidScript(String message) {
    super(message);
  }
}
