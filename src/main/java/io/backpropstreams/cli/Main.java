package io.backpropstreams.cli;

import io.backpropstreams.client.UserException;

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
            DemoCommand.class,
            LectureCommand.class,
            BrokerCommand.class,
            RunCommand.class,
            ProduceCommand.class,
            ReplayCommand.class,
            WatchCommand.class,
            ModelCommand.class,
            ReportCommand.class,
            BenchCommand.class,
            BaselineCommand.class,
            CommandLine.HelpCommand.class,
        })
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Inherited by every command: errors are one line unless asked for the stack trace. */
    @CommandLine.Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "On an unexpected error, also print its stack trace.")
    boolean verbose;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * A command line configured the way every entry point (and test) uses it: problems the user
     * can fix print one line, {@code error: …}, and exit with code 1; anything else also prints
     * its stack trace.
     */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        // A usage error is its one line and where to read more, not the whole help after it.
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine where = ex.getCommandLine();
            java.io.PrintWriter err = where.getErr();
            err.println(ex.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
            err.println("Try '" + where.getCommandSpec().qualifiedName() + " --help' for its options and examples.");
            err.flush();
            return where.getCommandSpec().exitCodeOnInvalidInput();
        });
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            java.io.PrintWriter err = commandLine.getErr();
            org.apache.kafka.common.config.ConfigException badSetting = causeOfType(e, org.apache.kafka.common.config.ConfigException.class);
            if (e instanceof UserException || e instanceof io.backpropstreams.kafka.KafkaUnavailableException
                    || e instanceof io.backpropstreams.kafka.BrokerStartException) {
                err.println("error: " + e.getMessage());
            } else if (badSetting != null) {
                // e.g. -b ::garbage:: or an unresolvable host: "Invalid url in bootstrap.servers: …"
                err.println("error: invalid Kafka setting: " + badSetting.getMessage());
            } else {
                err.println("error: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
                        + (verbose(parseResult) ? "" : " (--verbose prints the stack trace)"));
            }
            if (verbose(parseResult)) {
                e.printStackTrace(err);
            }
            err.flush();
            return 1;
        });
        return cl;
    }

    /** True if {@code --verbose} was given to any command of this parse. */
    private static boolean verbose(CommandLine.ParseResult result) {
        for (CommandLine.ParseResult r = result; r != null; r = r.subcommand()) {
            if (r.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }

    private static <T extends Throwable> T causeOfType(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
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
