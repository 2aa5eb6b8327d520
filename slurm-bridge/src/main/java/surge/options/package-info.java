/**
 * What a Surge job is made of, as the user writes it: the job options that {@code surge submit} and
 * a job script's {@code #OFFLOAD} lines share ({@link surge.options.JobOptions}, one set of picocli
 * definitions so the two cannot drift), durations, the merge option and the file checks. It depends
 * on {@code surge.client} only, so both {@code surge.cli} and {@code surge.slurm} can use it
 * without depending on each other.
 */
package surge.options;
