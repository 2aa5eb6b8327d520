/**
 * The HTTP client of the Surge server's REST API ({@code docs/api.md}): typed records for job specs
 * and statuses, and {@link surge.client.SurgeClient} with one method per endpoint. No command-line
 * concerns live here, so the Slurm launcher and the DRMAA implementation can share it.
 */
package surge.client;
