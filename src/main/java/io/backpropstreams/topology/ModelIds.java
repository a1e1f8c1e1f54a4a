package io.backpropstreams.topology;

/**
 * The one rule for model ids, enforced by {@code model create}, by the trainer for specs and
 * samples (dead letter {@code invalid-model-id}), and by the HTTP paths: 1 to {@value #MAX_LENGTH}
 * characters of {@code A-Z a-z 0-9 . _ -}, not starting with a dot.
 *
 * <p>Why so narrow: an id is a record key, a URL path segment, a metric label, a file name in
 * reports and text in an operator's browser. With these characters it is the same in all of them,
 * needs no escaping anywhere, and cannot carry markup ({@code <img onerror=…>}), path tricks
 * ({@code ../}, {@code /}) or invisible characters.
 */
public final class ModelIds {

    /** Longest id accepted. */
    public static final int MAX_LENGTH = 128;
    /** The rule, for messages and documentation. */
    public static final String RULE = "1 to " + MAX_LENGTH + " characters of A-Z a-z 0-9 . _ -, not starting with '.'";

    private ModelIds() {
    }

    /** True if {@code id} follows the rule (a loop, not a regex: the trainer checks every sample's key). */
    public static boolean isValid(String id) {
        if (id == null || id.isEmpty() || id.length() > MAX_LENGTH || id.charAt(0) == '.') {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Null if {@code id} is valid, else a message that shows the id safely (quoted, escaped, shortened). */
    public static String problem(String id) {
        if (isValid(id)) {
            return null;
        }
        if (id == null || id.isEmpty()) {
            return "model id is empty; a model id is " + RULE;
        }
        return "model id " + quote(id) + " is not valid; a model id is " + RULE;
    }

    /** {@code id} in double quotes, with anything outside printable ASCII as \\uXXXX, cut at 64 characters. */
    public static String quote(String id) {
        StringBuilder sb = new StringBuilder("\"");
        int n = Math.min(id.length(), 64);
        for (int i = 0; i < n; i++) {
            char c = id.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20 || c > 0x7e) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        if (id.length() > n) {
            sb.append("…(").append(id.length()).append(" characters)");
        }
        return sb.append('"').toString();
    }
}
