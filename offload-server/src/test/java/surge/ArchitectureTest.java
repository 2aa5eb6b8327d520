package surge;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The dispatch logic and the control layers never see HTTP or WebSocket types. */
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
}
