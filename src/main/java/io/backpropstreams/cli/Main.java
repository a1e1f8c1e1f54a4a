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
            PredictCommand.class,
            ReplayCommand.class,
            WatchCommand.class,
            ModelCommand.class,
            AclCommand.class,
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
        // Help fits the terminal (80 columns when not on one); examples are printed as written.
        cl.setUsageHelpAutoWidth(true);
        examplesVerbatim(cl);
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
        // Kafka's clients log every failed login, refused request and lost connection at WARN or ERROR,
        // several lines each; the commands report the cause themselves, in one line. --verbose (or
        // BPS_KAFKA_LOG_LEVEL) lets Kafka's client logs through again.
        cl.setExecutionStrategy(parseResult -> {
            // not for broker: its network and security logs are the broker's own, about its clients
            boolean brokerCommand = parseResult.subcommand() != null && parseResult.subcommand().commandSpec().name().equals("broker");
            if (!verbose(parseResult) && System.getenv("BPS_KAFKA_LOG_LEVEL") == null && !brokerCommand) {
                quietKafkaClients();
            }
            return new CommandLine.RunLast().execute(parseResult);
        });
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            java.io.PrintWriter err = commandLine.getErr();
            org.apache.kafka.common.config.ConfigException badSetting = causeOfType(e, org.apache.kafka.common.config.ConfigException.class);
            String kafkaFailure = kafkaFailure(e, commandLine);
            if (kafkaFailure != null) {
                err.println("error: " + kafkaFailure);
            } else if (badSetting != null && !(e instanceof UserException)) {
                // e.g. -b ::garbage:: or an unresolvable host: "Invalid url in bootstrap.servers: …"
                err.println("error: invalid Kafka setting: " + badSetting.getMessage());
            } else if (e instanceof UserException || e instanceof io.backpropstreams.kafka.KafkaUnavailableException
                    || e instanceof io.backpropstreams.kafka.BrokerStartException) {
                err.println("error: " + e.getMessage());
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

    /**
     * Every command's footer (its examples) printed line for line, never re-wrapped: an example
     * broken at the terminal's width would no longer work when pasted. A line longer than the
     * terminal wraps visually only, and copies as one line.
     */
    static void examplesVerbatim(CommandLine cl) {
        cl.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_FOOTER, help -> {
            StringBuilder sb = new StringBuilder();
            for (String line : help.commandSpec().usageMessage().footer()) {
                sb.append(line.replace("%n", System.lineSeparator())).append(System.lineSeparator());
            }
            return sb.toString();
        });
        for (CommandLine sub : cl.getSubcommands().values()) {
            examplesVerbatim(sub);
        }
    }

    /** Kafka's client-side loggers: the clients' network and metadata layers, and the SASL/SSL code they share with brokers. */
    static final java.util.List<String> KAFKA_CLIENT_LOGGERS = java.util.List.of("org.apache.kafka.clients",
            "org.apache.kafka.common.network", "org.apache.kafka.common.security", "org.apache.kafka.common.utils.AppInfoParser");

    private static void quietKafkaClients() {
        java.util.Map<String, org.apache.logging.log4j.Level> off = new java.util.HashMap<>();
        for (String logger : KAFKA_CLIENT_LOGGERS) {
            off.put(logger, org.apache.logging.log4j.Level.OFF);
        }
        // loggers configured on their own in log4j2.xml (e.g. NetworkClient) do not inherit: name them too
        if (org.apache.logging.log4j.LogManager.getContext(false) instanceof org.apache.logging.log4j.core.LoggerContext ctx) {
            for (String name : ctx.getConfiguration().getLoggers().keySet()) {
                if (KAFKA_CLIENT_LOGGERS.stream().anyMatch(name::startsWith)) {
                    off.put(name, org.apache.logging.log4j.Level.OFF);
                }
            }
        }
        org.apache.logging.log4j.core.config.Configurator.setLevel(off);
    }

    /** One line for a failed login, a missing ACL or a cluster that does not answer, from the command's Kafka settings; else null. */
    private static String kafkaFailure(Exception e, CommandLine commandLine) {
        Object mixin = commandLine.getCommandSpec().mixins().containsKey("kafka")
                ? commandLine.getCommandSpec().mixins().get("kafka").userObject() : null;
        if (!(mixin instanceof KafkaOptions kafka) || e instanceof io.backpropstreams.kafka.KafkaUnavailableException) {
            return null;
        }
        try {
            return io.backpropstreams.client.FailureExplainer.explain(e, kafka.properties());
        } catch (RuntimeException unreadableConfig) {
            return null;
        }
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

    /** Prints the project version, written into the build's classes by Maven (so it is right from the jar and from classes alike). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws java.io.IOException {
            java.util.Properties p = new java.util.Properties();
            try (java.io.InputStream in = Main.class.getResourceAsStream("/backprop-streams-version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            return new String[] {"backprop-streams " + p.getProperty("version", "(unknown version)"),
                    "Java " + Runtime.version()};
        }
    }
}
