package io.backpropstreams;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.lang.reflect.Field;
import java.util.Arrays;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The import rules of docs/architecture.md, checked on the compiled main classes: the numeric
 * core stands alone, the topology starts nothing and knows no service or client, and nothing
 * depends on the command line, which holds only commands, their option mixins and {@code Main}.
 */
class ArchitectureTest {

    private static JavaClasses main;

    @BeforeAll
    static void importMainClasses() {
        main = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
                .importPackages("io.backpropstreams");
        assertTrue(main.size() > 50, "the main classes were found: " + main.size());
    }

    @Test
    void theNumericCoreImportsNothingButTheJdk() {
        noClasses().that().resideInAPackage("io.backpropstreams.nn..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..", "org.apache.avro..",
                        "io.backpropstreams.avro..", "io.backpropstreams.topology..", "io.backpropstreams.kafka..",
                        "io.backpropstreams.http..", "io.backpropstreams.service..", "io.backpropstreams.client..",
                        "io.backpropstreams.report..", "io.backpropstreams.bench..", "io.backpropstreams.cli..",
                        "io.backpropstreams.schema..")
                .check(main);
        classes().that().resideInAPackage("io.backpropstreams.nn..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("io.backpropstreams.nn..", "java..")
                .check(main);
    }

    @Test
    void theTopologyKnowsNoServiceClientOrCommand() {
        noClasses().that().resideInAPackage("io.backpropstreams.topology..")
                .should().dependOnClassesThat().resideInAnyPackage("io.backpropstreams.service..", "io.backpropstreams.client..",
                        "io.backpropstreams.cli..", "io.backpropstreams.http..", "io.backpropstreams.bench..",
                        "io.backpropstreams.report..")
                .check(main);
    }

    @Test
    void nothingImportsTheCommandLine() {
        noClasses().that().resideOutsideOfPackage("io.backpropstreams.cli..")
                .should().dependOnClassesThat().resideInAPackage("io.backpropstreams.cli..")
                .check(main);
    }

    @Test
    void theClientSideKnowsNoServiceOrCommand() {
        noClasses().that().resideInAnyPackage("io.backpropstreams.client..", "io.backpropstreams.report..")
                .should().dependOnClassesThat().resideInAnyPackage("io.backpropstreams.service..", "io.backpropstreams.cli..",
                        "io.backpropstreams.bench..", "io.backpropstreams.http..")
                .check(main);
    }

    @Test
    void theCommandLineHoldsOnlyCommandsMixinsAndMain() {
        classes().that().resideInAPackage("io.backpropstreams.cli..").and().areTopLevelClasses()
                .should(beACommandAMixinOrMain())
                .check(main);
    }

    private static ArchCondition<JavaClass> beACommandAMixinOrMain() {
        return new ArchCondition<>("be a picocli @Command, an option mixin or Main") {
            @Override
            public void check(JavaClass c, ConditionEvents events) {
                Class<?> type = c.reflect();
                boolean command = type.isAnnotationPresent(CommandLine.Command.class);
                boolean mixin = Arrays.stream(type.getDeclaredFields()).map(Field::getAnnotations).flatMap(Arrays::stream)
                        .anyMatch(a -> a instanceof CommandLine.Option);
                boolean isMain = type.getSimpleName().equals("Main");
                if (!(command || mixin || isMain)) {
                    events.add(SimpleConditionEvent.violated(c, c.getName() + " is neither a command, an option mixin nor Main"));
                }
            }
        };
    }
}
