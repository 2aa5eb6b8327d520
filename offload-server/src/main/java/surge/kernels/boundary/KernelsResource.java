package surge.kernels.boundary;

import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.CacheControl;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.EntityTag;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.io.InputStream;
import java.net.URI;
import java.util.OptionalLong;
import org.eclipse.microprofile.openapi.annotations.Operation;
import surge.api.Problem;
import surge.identity.boundary.Callers;
import surge.kernels.control.Kernels;
import surge.quotas.control.Quotas;

/** Upload and fetch kernels. Fetches are immutable: a kernel's address is its hash. */
@Path("/kernels")
public class KernelsResource {
  private static final CacheControl IMMUTABLE =
      CacheControl.valueOf("public, max-age=31536000, immutable");

  @Inject Kernels kernels;
  @Inject Quotas quotas;

  @POST
  @Consumes({"application/wasm", MediaType.APPLICATION_OCTET_STREAM})
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(summary = "Upload a WASI command kernel; it is validated and stored by sha256")
  public Response upload(
      InputStream body,
      @HeaderParam(HttpHeaders.CONTENT_LENGTH) String contentLength,
      @Context SecurityContext security) {
    // Streamed, not byte[]: a byte[] parameter is read whole before any limit is checked. A new
    // kernel costs a submission token before it is validated; sending a stored one again does not.
    var stored =
        kernels.upload(
            body == null ? InputStream.nullInputStream() : body,
            length(contentLength),
            () -> quotas.rate(Callers.of(security), "new uploads"));
    var imports = Json.createArrayBuilder();
    stored.imports().forEach(imports::add);
    var answer =
        Json.createObjectBuilder()
            .add("sha256", stored.sha256())
            .add("size", stored.size())
            .add("imports", imports)
            .build()
            .toString();
    return Response.status(stored.created() ? 201 : 200)
        .location(URI.create("/api/kernels/" + stored.sha256()))
        .type(MediaType.APPLICATION_JSON_TYPE)
        .entity(answer)
        .build();
  }

  private static OptionalLong length(String header) {
    try {
      return header == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(header.trim()));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  @GET
  @Path("/{sha256}")
  @Produces("application/wasm")
  @Operation(summary = "Fetch a kernel's bytes (immutable, cacheable forever)")
  public Response fetch(@PathParam("sha256") String sha256, @Context Request request) {
    var tag = new EntityTag(sha256);
    var notModified = request.evaluatePreconditions(tag);
    if (notModified != null) {
      return notModified.cacheControl(IMMUTABLE).build();
    }
    byte[] bytes = kernels.bytes(sha256).orElseThrow(() -> Problem.notFound("no kernel " + sha256));
    return Response.ok(bytes, "application/wasm").tag(tag).cacheControl(IMMUTABLE).build();
  }
}
