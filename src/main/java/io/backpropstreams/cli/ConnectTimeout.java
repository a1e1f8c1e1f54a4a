package io.backpropstreams.cli;

import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

import java.time.Duration;

/**
 * {@code --timeout SECONDS}: how long a short-lived command waits for the cluster to answer
 * before it fails with the address it tried. Kafka's clients would otherwise retry silently for a
 * minute or more.
 */
public final class ConnectTimeout {

    /** The default wait: long enough for a broker that is starting, short enough for a typo to show. */
    public static final int DEFAULT_SECONDS = 10;

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "" + DEFAULT_SECONDS,
            description = "Seconds to wait for the cluster to answer before failing (default ${DEFAULT-VALUE}).")
    int seconds;

    /** The wait; a usage error if it is not positive. */
    public Duration duration() {
        if (seconds < 1) {
            throw new ParameterException(mixee.commandLine(), "--timeout must be at least 1 second, got " + seconds);
        }
        return Duration.ofSeconds(seconds);
    }
}
