package io.backpropstreams.cli;

import io.backpropstreams.client.AclSets;
import io.backpropstreams.client.ClientConfigs;
import io.backpropstreams.client.UserException;
import io.backpropstreams.kafka.KafkaUnavailableException;
import io.backpropstreams.topology.TopicNames;
import io.backpropstreams.topology.TrainerTopology;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.SecurityDisabledException;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * {@code acl grant-trainer|grant-producer|list}: the ACLs of the product's principals through
 * Kafka's Admin API, so that no Kafka distribution ({@code kafka-acls.sh}) is needed. Run as a
 * user who may alter ACLs (the super user of {@code broker --sasl-users}).
 */
@Command(name = "acl",
        mixinStandardHelpOptions = true,
        description = "Grants the least-privilege ACLs the trainer and producers need, and lists ACLs (Kafka's Admin API).",
        subcommands = {AclCommand.GrantTrainer.class, AclCommand.GrantProducer.class, AclCommand.ListAcls.class})
public final class AclCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code acl grant-trainer PRINCIPAL}. */
    @Command(name = "grant-trainer", mixinStandardHelpOptions = true,
            description = {"Lets PRINCIPAL run the trainer: read its inputs, write its outputs, use its internal topics, "
                    + "consumer group and transactional ids. Nothing else: no topic deletion, no cluster rights."},
            footerHeading = "%nExample (as the super user):%n",
            footer = {"  backprop-streams acl grant-trainer User:trainer --config admin.properties"})
    static final class GrantTrainer implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        KafkaOptions kafka;
        @Mixin
        ConnectTimeout timeout;
        @Parameters(index = "0", paramLabel = "PRINCIPAL", description = "For example User:trainer.")
        String principal;
        @Option(names = "--application-id", paramLabel = "ID",
                description = "The trainer's application.id (default: application.id in --config, else "
                        + TrainerTopology.DEFAULT_APPLICATION_ID + ").")
        String applicationId;

        @Override
        public Integer call() throws Exception {
            Properties config = kafka.reachable(timeout);
            if (applicationId == null) {
                applicationId = config.getProperty("application.id", TrainerTopology.DEFAULT_APPLICATION_ID);
            }
            List<AclBinding> acls = AclSets.trainer(checkPrincipal(principal), applicationId, TopicNames.from(config),
                    TrainerTopology.repartitionTopics(applicationId));
            return grant(spec.commandLine().getOut(), config, acls, principal + " may now run the trainer (application.id "
                    + applicationId + ")");
        }
    }

    /** {@code acl grant-producer PRINCIPAL}. */
    @Command(name = "grant-producer", mixinStandardHelpOptions = true,
            description = {"Lets PRINCIPAL send samples (produce, replay) and ask for predictions (predict); "
                    + "with --models also create, reset, delete and list models."},
            footerHeading = "%nExample (as the super user):%n",
            footer = {"  backprop-streams acl grant-producer User:producer --models --config admin.properties"})
    static final class GrantProducer implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        KafkaOptions kafka;
        @Mixin
        ConnectTimeout timeout;
        @Parameters(index = "0", paramLabel = "PRINCIPAL", description = "For example User:producer.")
        String principal;
        @Option(names = "--models", description = "Also WRITE and READ on the models topic (model create|reset|delete|list).")
        boolean models;

        @Override
        public Integer call() throws Exception {
            Properties config = kafka.reachable(timeout);
            List<AclBinding> acls = AclSets.producer(checkPrincipal(principal), TopicNames.from(config), models);
            return grant(spec.commandLine().getOut(), config, acls, principal + " may now send samples and predict requests"
                    + (models ? " and manage models" : ""));
        }
    }

    /** {@code acl list}. */
    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Lists the cluster's ACLs, one line per principal and resource.",
            footerHeading = "%nExample:%n",
            footer = {"  backprop-streams acl list --principal User:trainer --config admin.properties"})
    static final class ListAcls implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        KafkaOptions kafka;
        @Mixin
        ConnectTimeout timeout;
        @Option(names = "--principal", paramLabel = "PRINCIPAL", description = "Only this principal's ACLs.")
        String principal;

        @Override
        public Integer call() throws Exception {
            Properties config = kafka.reachable(timeout);
            AclBindingFilter filter = new AclBindingFilter(ResourcePatternFilter.ANY, principal == null ? AccessControlEntryFilter.ANY
                    : new AccessControlEntryFilter(checkPrincipal(principal), null, org.apache.kafka.common.acl.AclOperation.ANY,
                    org.apache.kafka.common.acl.AclPermissionType.ANY));
            Collection<AclBinding> acls = withAdmin(config, admin -> admin.describeAcls(filter).values().get(30, TimeUnit.SECONDS));
            PrintWriter out = spec.commandLine().getOut();
            print(out, acls);
            out.flush();
            return 0;
        }
    }

    /** One line per principal, permission and resource: {@code User:trainer  ALLOW  TOPIC samples (LITERAL)  READ, DESCRIBE}. */
    static void print(PrintWriter out, Collection<AclBinding> acls) {
        if (acls.isEmpty()) {
            out.println("No ACLs.");
            return;
        }
        Map<String, List<AclBinding>> grouped = new TreeMap<>(acls.stream().collect(Collectors.groupingBy(b ->
                String.format("%-20s %-5s %s %s (%s)", b.entry().principal(), b.entry().permissionType(), b.pattern().resourceType(),
                        b.pattern().name(), b.pattern().patternType()))));
        grouped.forEach((key, bindings) -> out.println(key + "  " + bindings.stream().map(b -> b.entry().operation().toString())
                .sorted(Comparator.naturalOrder()).distinct().collect(Collectors.joining(", "))));
        out.println(acls.size() + " ACL" + (acls.size() == 1 ? "" : "s") + ".");
    }

    private static String checkPrincipal(String principal) {
        int colon = principal.indexOf(':');
        if (colon <= 0 || colon == principal.length() - 1) {
            throw new UserException("principal '" + principal + "' must be TYPE:NAME, for example User:trainer");
        }
        return principal;
    }

    private static int grant(PrintWriter out, Properties config, List<AclBinding> acls, String done) throws Exception {
        withAdmin(config, admin -> admin.createAcls(acls).all().get(30, TimeUnit.SECONDS));
        out.println("Granted " + acls.size() + " ACLs: " + done + ".");
        print(out, acls);
        out.flush();
        return 0;
    }

    private interface AdminCall<T> {
        T apply(Admin admin) throws Exception;
    }

    /** Runs {@code call} with an admin client, turning the usual failures into one line naming the cause. */
    private static <T> T withAdmin(Properties config, AdminCall<T> call) throws Exception {
        String bootstrap = config.getProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG);
        Properties props = ClientConfigs.forClient(config, AdminClientConfig.configNames());
        props.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
        try (Admin admin = Admin.create(props)) {
            return call.apply(admin);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof SecurityDisabledException) {
                throw new UserException("the cluster at " + bootstrap + " has no authorizer, so it keeps no ACLs "
                        + "(start it with broker --sasl-users, or set authorizer.class.name)");
            }
            if (c instanceof ClusterAuthorizationException) {
                throw new UserException("not authorized: altering or listing ACLs needs ALTER or DESCRIBE on the cluster; "
                        + "run this as the super user (--config admin.properties)");
            }
            if (c instanceof AuthenticationException) {
                throw new UserException("authentication failed at " + bootstrap + ": " + c.getMessage()
                        + " (check security.protocol, sasl.mechanism and the user name and password in sasl.jaas.config)");
            }
            throw e;
        } catch (java.util.concurrent.TimeoutException e) {
            throw KafkaUnavailableException.noAnswer(bootstrap, config, 30_000, e);
        }
    }
}
