package io.backpropstreams.kafka;

import io.backpropstreams.client.UserException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.security.auth.SecurityProtocol;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The users of a secured embedded broker ({@code broker --sasl-users FILE}): SCRAM-SHA-256 logins
 * on the client listener, and ACLs enforced by Kafka's {@code StandardAuthorizer}, with one super
 * user (by default {@value #DEFAULT_SUPER_USER}) who may do anything, ACLs included.
 *
 * <p>The file has one {@code name=password} per line; blank lines and lines starting with
 * {@code #} are skipped, and the password is everything after the first {@code =}. It is read
 * once, at start, and never printed. The super user is written into the storage when it is
 * formatted (the broker itself logs in as that user); every user, the super user too, is then
 * created or updated through the Admin API at each start, so editing the file and restarting the
 * broker adds users and changes passwords.
 *
 * <p>The controller listener, which only the broker itself uses, authenticates with SASL PLAIN as
 * the super user: SCRAM cannot serve it, since SCRAM credentials live in the metadata the
 * controller serves, and with the authorizer on an unauthenticated controller listener would make
 * the broker {@code User:ANONYMOUS}, who may not register it.
 *
 * @param passwords user name to password, in file order
 * @param superUser the user with every right
 */
public record SaslUsers(Map<String, String> passwords, String superUser) {

    public static final String DEFAULT_SUPER_USER = "admin";
    public static final String MECHANISM = "SCRAM-SHA-256";
    private static final int ITERATIONS = 8192;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    /** The super user's password goes into JAAS text and the storage formatter's argument, which have their own syntax. */
    private static final Pattern SUPER_PASSWORD = Pattern.compile("[A-Za-z0-9._~!@#$%^&*()+/:?{}|<>-]{8,128}");

    public SaslUsers {
        passwords = Collections.unmodifiableMap(new LinkedHashMap<>(passwords));
    }

    /**
     * Reads {@code file}.
     *
     * @throws UserException naming the file and line of a malformed entry, a duplicate or invalid
     *                       name, an empty password, or a missing super user
     */
    public static SaslUsers read(Path file, String superUser) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new UserException("--sasl-users " + file + ": no such file");
        } catch (IOException e) {
            throw new UserException("--sasl-users " + file + " cannot be read: " + e.getMessage());
        }
        Map<String, String> users = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = "--sasl-users " + file + " line " + (i + 1);
            int eq = line.indexOf('=');
            if (eq < 0) {
                throw new UserException(where + ": expected name=password");
            }
            String name = line.substring(0, eq).strip();
            String password = line.substring(eq + 1).strip();
            if (!NAME.matcher(name).matches()) {
                // not echoed: on a malformed line the text before '=' may hold a password
                throw new UserException(where + ": the user name (before the first '=') must be 1 to 64 letters, digits, '.', '_' or '-'");
            }
            if (password.isEmpty()) {
                throw new UserException(where + ": user '" + name + "' has an empty password");
            }
            if (users.put(name, password) != null) {
                throw new UserException(where + ": user '" + name + "' is listed twice");
            }
        }
        if (!users.containsKey(superUser)) {
            throw new UserException("--sasl-users " + file + " has no line for the super user '" + superUser
                    + "' (the broker logs in as that user; see --super-user)");
        }
        if (!SUPER_PASSWORD.matcher(users.get(superUser)).matches()) {
            throw new UserException("--sasl-users " + file + ": the super user's password must be 8 to 128 characters of letters, "
                    + "digits and ._~!@#$%^&*()+/:?{}|<>- (no quotes, commas, backslashes or spaces)");
        }
        return new SaslUsers(users, superUser);
    }

    /** Secures {@code broker}: SASL_PLAINTEXT with SCRAM-SHA-256 for clients, the authorizer, this super user. */
    public EmbeddedKafkaBroker.Builder secure(EmbeddedKafkaBroker.Builder broker) {
        String password = passwords.get(superUser);
        return broker.securityProtocol(SecurityProtocol.SASL_PLAINTEXT)
                .scramCredential(MECHANISM + "=[name=" + superUser + ",password=" + password + ",iterations=" + ITERATIONS + "]")
                .brokerProperty("sasl.enabled.mechanisms", MECHANISM)
                .brokerProperty("sasl.mechanism.inter.broker.protocol", MECHANISM)
                .brokerProperty("listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config", scramJaas(superUser, password))
                .brokerProperty("listener.security.protocol.map", "SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT")
                .brokerProperty("sasl.mechanism.controller.protocol", "PLAIN")
                .brokerProperty("listener.name.controller.sasl.enabled.mechanisms", "PLAIN")
                .brokerProperty("listener.name.controller.plain.sasl.jaas.config",
                        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + superUser + "\" password=\""
                                + password + "\" user_" + superUser + "=\"" + password + "\";")
                .brokerProperty("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer")
                .brokerProperty("super.users", "User:" + superUser)
                .brokerProperty("allow.everyone.if.no.acl.found", "false")
                .clientProperty("sasl.mechanism", MECHANISM)
                .clientProperty("sasl.jaas.config", scramJaas(superUser, password));
    }

    /**
     * Creates or updates every user's SCRAM credential on the running broker, as the super user,
     * and waits until the broker lists them all.
     */
    public void apply(Admin admin) throws InterruptedException {
        List<UserScramCredentialAlteration> upserts = new ArrayList<>();
        passwords.forEach((name, password) -> upserts.add(new UserScramCredentialUpsertion(name,
                new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, ITERATIONS), password)));
        try {
            // a user no longer in the file may no longer log in
            for (String stale : admin.describeUserScramCredentials().users().get(30, TimeUnit.SECONDS)) {
                if (!passwords.containsKey(stale)) {
                    upserts.add(new org.apache.kafka.clients.admin.UserScramCredentialDeletion(stale, ScramMechanism.SCRAM_SHA_256));
                }
            }
            admin.alterUserScramCredentials(upserts).all().get(60, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!admin.describeUserScramCredentials(new ArrayList<>(passwords.keySet())).users().get(30, TimeUnit.SECONDS)
                    .containsAll(passwords.keySet())) {
                if (System.nanoTime() > deadline) {
                    throw new BrokerStartException("the broker did not list the users of --sasl-users within 60 s");
                }
                Thread.sleep(100);
            }
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new BrokerStartException("cannot create the users of --sasl-users: " + (e.getCause() == null ? e : e.getCause()), e);
        }
    }

    /** A client's {@code sasl.jaas.config} for SCRAM. */
    public static String scramJaas(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user + "\" password=\"" + password + "\";";
    }

    @Override
    public String toString() {
        // never the passwords
        return "SaslUsers" + passwords.keySet() + " (super user " + superUser + ")";
    }
}
