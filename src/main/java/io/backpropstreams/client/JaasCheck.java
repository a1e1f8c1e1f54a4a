package io.backpropstreams.client;

import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.security.JaasContext;

import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks {@code sasl.jaas.config} with Kafka's own parser before any client is created, so that a
 * typo gives one line naming the problem and where it is, instead of Kafka's "Failed to create
 * new KafkaAdminClient". The message never quotes the text: it holds a password.
 */
public final class JaasCheck {

    private static final Pattern QUOTED = Pattern.compile("'([^']*)'");

    private JaasCheck() {
    }

    /** @throws UserException naming {@code source}, Kafka's reason and the character position, if the value does not parse */
    public static void check(Properties config, String source) {
        String text = config.getProperty(SaslConfigs.SASL_JAAS_CONFIG);
        if (text == null) {
            return;
        }
        try {
            JaasContext.loadClientContext(Map.of(SaslConfigs.SASL_JAAS_CONFIG, new Password(text)));
        } catch (IllegalArgumentException | org.apache.kafka.common.KafkaException e) {
            String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new UserException("invalid sasl.jaas.config" + (source == null ? "" : " in " + source) + ": " + reason
                    + " (at character " + position(text, reason) + " of " + text.length()
                    + "; the form is: org.apache.kafka.common.security.scram.ScramLoginModule required username=\"NAME\" password=\"PASSWORD\";)");
        }
    }

    /** Where Kafka's complaint points: the key or flag it names, else the end of the text. 1-based. */
    static int position(String text, String reason) {
        Matcher m = QUOTED.matcher(reason);
        if (m.find() && !m.group(1).isEmpty()) {
            int at = text.indexOf(m.group(1));
            if (at >= 0) {
                return at + 1;
            }
        }
        if (reason.startsWith("Login module not specified")) {
            return 1;
        }
        if (reason.startsWith("Login module control flag")) {
            // right after the module's class name
            String trimmed = text.stripLeading();
            int lead = text.length() - trimmed.length();
            int end = trimmed.indexOf(' ');
            return lead + (end < 0 ? trimmed.length() : end) + 1;
        }
        return text.length();
    }
}
