/**
 * The Slurm face of Surge: the {@code #OFFLOAD} lines of a job script ({@link
 * surge.slurm.OffloadScript}), the job's view of its Slurm environment ({@link
 * surge.slurm.SlurmJob}) and the Slurm commands the launcher runs ({@link surge.slurm.SlurmClient},
 * {@link surge.slurm.JobComment}). {@code surge offload} in {@code surge.cli} wires them to the
 * shared submission path.
 */
package surge.slurm;
