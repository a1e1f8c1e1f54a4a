package io.backpropstreams.client;

import io.backpropstreams.kafka.KafkaUnavailableException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;

import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the Kafka failures every command can meet into one line naming the cause, the same way
 * in every command: a failed login, a missing ACL, and a cluster that does not answer (or answers
 * in another protocol than the client speaks).
 */
public final class FailureExplainer {

    private FailureExplainer() {
    }

    /**
     * One line for {@code e}, or null if it is none of these failures.
     *
     * @param config the command's client properties, {@code bootstrap.servers} included
     */
    public static String explain(Throwable e, Properties config) {
        String bootstrap = config.getProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG);
        AuthenticationException authentication = causeOfType(e, AuthenticationException.class);
        if (authentication != null) {
            return "authentication failed at " + bootstrap + ": " + authentication.getMessage()
                    + " (check security.protocol, sasl.mechanism and the user name and password in sasl.jaas.config)";
        }
        AuthorizationException authorization = causeOfType(e, AuthorizationException.class);
        if (authorization != null) {
            if (e instanceof UserException && e.getMessage().startsWith("not authorized")) {
                return e.getMessage();
            }
            return "not authorized: " + principal(config) + " was refused: " + authorization.getMessage()
                    + " (ACLs: the super user grants them with acl grant-trainer or acl grant-producer)";
        }
        org.apache.kafka.common.errors.TimeoutException timeout = causeOfType(e, org.apache.kafka.common.errors.TimeoutException.class);
        if (timeout != null && bootstrap != null) {
            if (clusterAnswers(config)) {
                String m = e.getMessage() == null ? timeout.getMessage() : e.getMessage();
                return m.contains("not present in metadata")
                        ? m + " (the cluster answers, so the topic does not exist or this user may not DESCRIBE it; run creates "
                        + "the trainer's topics)"
                        : null;
            }
            return KafkaUnavailableException.noAnswer(bootstrap, config, 0, timeout).getMessage();
        }
        return null;
    }

    /** True if the cluster describes itself within 5 s. */
    private static boolean clusterAnswers(Properties config) {
        Properties p = ClientConfigs.forClient(config, AdminClientConfig.configNames());
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        try (Admin admin = Admin.create(p)) {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs(5000)).nodes().get(6, TimeUnit.SECONDS);
            return true;
        } catch (Exception ex) {
            return false;
        }
    }

    /** "user 'name'" from a SASL JAAS config, or "the configured principal". */
    public static String principal(Properties config) {
        Matcher m = Pattern.compile("username\\s*=\\s*\"([^\"]*)\"").matcher(config.getProperty(SaslConfigs.SASL_JAAS_CONFIG, ""));
        return m.find() ? "user '" + m.group(1) + "'" : "the configured principal";
    }

    private static <T extends Throwable> T causeOfType(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
