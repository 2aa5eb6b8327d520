package surge.slurm;

import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import surge.options.DurationConverter;
import surge.options.JobOptions;

/**
 * What {@code #OFFLOAD} lines may say: the options of {@code surge submit} (the same {@link
 * JobOptions}, so the two cannot drift) and the options that only a Slurm job has.
 */
@Command(name = "#OFFLOAD")
final class OffloadLine {
  @Mixin JobOptions job;

  @Option(
      names = "--rescue-after",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "For the rescuer: run the job natively if the volunteers have not finished it by then.")
  Duration rescueAfter;
}
