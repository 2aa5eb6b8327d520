/**
 * The DRMAA 1.0 Java binding ({@code org.ggf.drmaa}) on Slurm, for Surge's {@code volunteer}
 * partition or any other: {@code SessionFactory.getFactory().getSession()} answers a {@link
 * surge.drmaa.SlurmSession}, whose jobs are {@code sbatch} submissions (a job template becomes a
 * batch script and sbatch options, {@link surge.drmaa.SbatchRequest}), followed with {@code
 * scontrol show job} ({@link surge.drmaa.JobRecord}, {@link surge.drmaa.ProgramStatus}) and
 * controlled with {@code scancel} and {@code scontrol} ({@link surge.drmaa.JobControl}). See {@code
 * docs/drmaa.md}.
 */
package surge.drmaa;
