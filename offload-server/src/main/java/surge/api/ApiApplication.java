package surge.api;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.info.Info;

/** The REST API lives under {@code /api}; see docs/api.md. */
@ApplicationPath("/api")
@OpenAPIDefinition(
    info =
        @Info(
            title = "Surge",
            version = "1",
            description =
                "Offload urgent HPC jobs to consenting browser volunteers: upload a WebAssembly"
                    + " kernel, submit a job split into tasks, follow it, fetch its merged"
                    + " result."))
public class ApiApplication extends Application {}
