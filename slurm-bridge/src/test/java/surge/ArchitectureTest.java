package surge;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The packages of the bridge depend on each other in one direction only. */
class ArchitectureTest {
  private static final JavaClasses CLASSES =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("surge");

  @Test
  void packagesHaveNoCycles() {
    slices().matching("surge.(*)..").should().beFreeOfCycles().check(CLASSES);
  }

  @Test
  void theRestClientKnowsNothingOfTheCommandLineOrSlurm() {
    noClasses()
        .that()
        .resideInAPackage("surge.client..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("surge.cli..", "surge.slurm..", "surge.options..", "picocli..")
        .check(CLASSES);
  }

  @Test
  void theSlurmPackageDoesNotDependOnTheCommands() {
    noClasses()
        .that()
        .resideInAPackage("surge.slurm..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("surge.cli..")
        .check(CLASSES);
  }
}
