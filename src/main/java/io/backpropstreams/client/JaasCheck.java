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
    /** Option names of Kafka's login modules, safe to repeat in a message. */
    private static final java.util.Set<String> KNOWN_KEYS = java.util.Set.of("username", "password", "tokenauth", "serviceName",
            "useKeyTab", "storeKey", "keyTab", "principal", "unsecuredLoginStringClaim_sub", "required", "requisite", "sufficient", "optional");

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
            String raw = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            // Kafka quotes the token it stumbled on, which may be a piece of a badly quoted password
            Matcher q = QUOTED.matcher(raw);
            String reason = q.find() && !KNOWN_KEYS.contains(q.group(1)) ? q.replaceAll("'…'") : raw;
            throw new UserException("invalid sasl.jaas.config" + (source == null ? "" : " in " + source) + ": " + reason
                    + " (at character " + position(text, raw) + " of " + text.length()
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
