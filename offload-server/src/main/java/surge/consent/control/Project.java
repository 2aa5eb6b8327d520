package surge.consent.control;

import java.util.List;
import java.util.Optional;

/**
 * What a centre asks volunteers to run: shown by the banner and on the details page. {@code
 * revision} goes up when the request changes, so that an earlier consent no longer counts.
 *
 * @param detailsUrl absolute URL of the details page; empty: this server's /surge/project/{id}
 */
public record Project(
    String id,
    String centre,
    String name,
    String purpose,
    Optional<String> detailsUrl,
    int revision,
    List<Integer> cpuLevels) {}
