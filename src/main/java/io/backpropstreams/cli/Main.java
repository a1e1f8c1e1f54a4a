package io.backpropstreams.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code backprop-streams} command line: one root command, one subcommand per task.
 * {@code System.exit} happens here and nowhere else.
 */
@Command(name = "backprop-streams",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Online neural-network training on Kafka Streams, one example at a time.",
        subcommands = {
            LectureCommand.class,
            CommandLine.HelpCommand.class,
        })
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** A command line configured the way every entry point (and test) uses it. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        return cl;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** Prints the version from the jar manifest, or "dev" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"backprop-streams " + (v == null ? "dev" : v)};
        }
    }
}
