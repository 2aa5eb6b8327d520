/**
 * The {@code surge} command line: one class per command, wired together by {@link surge.cli.Surge}.
 * Commands translate options into {@link surge.client.SurgeClient} calls and server answers into
 * messages and the exit codes of {@link surge.cli.ExitCodes}.
 */
package surge.cli;
