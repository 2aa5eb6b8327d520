package surge;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The dispatch logic and the control layers never see HTTP or WebSocket types; boundaries get their
 * controls injected, never from a locator.
 */
class ArchitectureTest {
  static final com.tngtech.archunit.core.domain.JavaClasses CLASSES =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("surge");

  @Test
  void dispatchAndControlDoNotImportTransportApis() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "surge.dispatch..", "..control..", "..entity..", "surge.volunteers.protocol..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("jakarta.ws.rs..", "jakarta.websocket..", "jakarta.servlet..")
        .check(CLASSES);
  }

  @Test
  void entitiesDoNotReachIntoBoundaries() {
    noClasses()
        .that()
        .resideInAnyPackage("..entity..", "..control..", "surge.dispatch..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("..boundary..")
        .check(CLASSES);
  }

  /**
   * Dispatch speaks its own events (VolunteerEvent, TaskOutcome...); the volunteer protocol's wire
   * format is translated at the boundary (surge.volunteers.boundary.Wire), so the wire can change
   * without touching dispatch, and dispatch can be fed by other transports and tests.
   */
  @Test
  void dispatchDoesNotDependOnTheVolunteerProtocol() {
    noClasses()
        .that()
        .resideInAPackage("surge.dispatch..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("surge.volunteers..")
        .because("the wire format is translated at surge.volunteers.boundary (docs/dispatch.md)")
        .check(CLASSES);
  }

  @Test
  void theRescuersLogicDoesNotDependOnQuartz() {
    noClasses()
        .that()
        .resideInAnyPackage("surge.rescue.control..", "surge.rescue.entity..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.quartz..")
        .check(CLASSES);
  }

  /**
   * The wiring ({@code surge.Server}, {@code surge.Surge}, {@code surge.Parts}) is seen by nothing
   * outside the root package: a boundary {@code @Inject}s its control, so it cannot reach every
   * part through {@code surge.server().x}.
   */
  @Test
  void noBoundaryReachesThePartsThroughALocator() {
    noClasses()
        .that()
        .resideOutsideOfPackage("surge")
        .should()
        .dependOnClassesThat()
        .belongToAnyOf(Server.class, Surge.class, Parts.class)
        .because("a boundary @Injects the one control it uses (README: how the parts are wired)")
        .check(CLASSES);
  }

  /**
   * No class looks a bean up statically, save the WebSocket origin check, which the WebSocket
   * container makes without injection.
   */
  @Test
  void noClassLooksUpBeansStatically() {
    noClasses()
        .that()
        .doNotHaveFullyQualifiedName("surge.volunteers.boundary.OriginCheck")
        .should()
        .callMethod(jakarta.enterprise.inject.spi.CDI.class, "current")
        .orShould()
        .callMethod(org.eclipse.microprofile.config.ConfigProvider.class, "getConfig")
        .because("the container injects what a class uses")
        .check(CLASSES);
  }
}
