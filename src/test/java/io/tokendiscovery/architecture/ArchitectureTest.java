package io.tokendiscovery.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The design's rules, enforced: the ingest path never touches the database; capabilities do not form cycles. */
@AnalyzeClasses(packages = "io.tokendiscovery", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule ingestNeverTouchesTheDatabase = noClasses()
            .that().resideInAnyPackage("io.tokendiscovery.ingest..", "io.tokendiscovery.cache..")
            .should().dependOnClassesThat().resideInAnyPackage(
                    "java.sql..", "javax.sql..", "org.springframework.jdbc..", "org.flywaydb..")
            .because("the whole point of the design: swaps go to Redis, only the sync writes PostgreSQL");

    @ArchTest
    static final ArchRule noCycles = slices().matching("io.tokendiscovery.(*)..").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule productionCodeDoesNotDependOnTheSimulator = noClasses()
            .that().resideInAnyPackage("io.tokendiscovery.ingest..", "io.tokendiscovery.cache..",
                    "io.tokendiscovery.sync..")
            .should().dependOnClassesThat().resideInAPackage("io.tokendiscovery.simulator..");
}
