package io.backpropstreams.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The help a user reads: examples that work when pasted, text wrapped once (by picocli, to the
 * terminal), and usage errors in one line that say where to read more.
 */
class HelpTextTest {

    /** Every command of the tree, the root included. */
    private static List<CommandLine> allCommands() {
        List<CommandLine> all = new ArrayList<>();
        collect(Main.commandLine(), all);
        return all;
    }

    private static void collect(CommandLine cl, List<CommandLine> into) {
        into.add(cl);
        cl.getSubcommands().values().forEach(sub -> collect(sub, into));
    }

    @Test
    void everyExampleInHelpIsPrintedWholeAndParsesAsACommand() {
        int examples = 0;
        for (CommandLine cl : allCommands()) {
            for (int width : new int[] {60, 80, 200}) {
                cl.setUsageHelpAutoWidth(false);
                cl.setUsageHelpWidth(width);
                String help = cl.getUsageMessage(CommandLine.Help.Ansi.OFF);
                for (String line : cl.getCommandSpec().usageMessage().footer()) {
                    if (!line.contains("backprop-streams ")) {
                        continue;
                    }
                    assertTrue(help.lines().anyMatch(l -> l.equals(line)),
                            cl.getCommandSpec().qualifiedName() + " --help at " + width + " columns splits the example\n" + line + "\n" + help);
                    if (width == 80) {
                        examples++;
                        List<String> args = shellWords(line.substring(line.indexOf("backprop-streams ") + "backprop-streams ".length()));
                        try {
                            Main.commandLine().parseArgs(args.toArray(String[]::new));
                        } catch (CommandLine.ParameterException e) {
                            fail("the example '" + line.trim() + "' in " + cl.getCommandSpec().qualifiedName() + " --help does not parse: " + e.getMessage());
                        }
                    }
                }
            }
        }
        assertTrue(examples >= 20, "examples checked: " + examples);
    }

    @Test
    void descriptionsAreWholeParagraphsSoPicocliWrapsThemOnce() {
        for (CommandLine cl : allCommands()) {
            for (String line : cl.getCommandSpec().usageMessage().description()) {
                String paragraph = line.replaceAll("(%n)+$", "");
                assertTrue(paragraph.isEmpty() || paragraph.matches("(?s).*[.!?]$"),
                        cl.getCommandSpec().qualifiedName() + ": a description line that is not a whole paragraph"
                                + " (it would be wrapped by hand and again by picocli): '" + paragraph + "'");
            }
            cl.setUsageHelpAutoWidth(false);
            cl.setUsageHelpWidth(60);
            String narrow = cl.getUsageMessage(CommandLine.Help.Ansi.OFF);
            List<String> footer = List.of(cl.getCommandSpec().usageMessage().footer());
            for (String line : narrow.lines().toList()) {
                assertTrue(line.length() <= 60 || footer.stream().anyMatch(f -> f.equals(line)),
                        cl.getCommandSpec().qualifiedName() + " --help at 60 columns has a line of " + line.length() + ": " + line);
            }
        }
    }

    @Test
    void aUsageErrorIsOneLineAndWhereToReadMoreNotTheWholeHelp() {
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setErr(new PrintWriter(err, true));
        cl.setOut(new PrintWriter(new StringWriter(), true));
        int code = cl.execute("replay", "--times", "many");
        assertEquals(2, code, err.toString());
        List<String> lines = err.toString().lines().toList();
        assertEquals(2, lines.size(), "one line, then where to read more: " + err);
        assertTrue(lines.get(0).contains("--times") && lines.get(0).contains("many"), lines.get(0));
        assertEquals("Try 'backprop-streams replay --help' for its options and examples.", lines.get(1));
        assertFalse(err.toString().contains("Usage:"), err.toString());
    }

    @Test
    void anUnknownOptionNamesItAndNothingMore() {
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setErr(new PrintWriter(err, true));
        assertEquals(2, cl.execute("model", "list", "--jsn"), err.toString());
        assertTrue(err.toString().startsWith("Unknown option: '--jsn'"), err.toString());
        assertFalse(err.toString().contains("Usage:"), err.toString());
        assertTrue(err.toString().lines().count() <= 3, err.toString());
    }

    @Test
    void versionIsTheProjectVersionFromTheBuild() {
        StringWriter out = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        assertEquals(0, cl.execute("-V"));
        String first = out.toString().lines().findFirst().orElse("");
        assertTrue(first.matches("backprop-streams \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?"), first);
    }

    /** Splits like a POSIX shell for the examples' needs: spaces, single and double quotes, and a # comment to the end of the line. */
    static List<String> shellWords(String s) {
        List<String> words = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (char c : s.toCharArray()) {
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    w.append(c);
                }
            } else if (c == '#' && !inWord) {
                break;
            } else if (c == '\'' || c == '"') {
                quote = c;
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(w.toString());
                    w.setLength(0);
                    inWord = false;
                }
            } else {
                w.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            words.add(w.toString());
        }
        return words;
    }
}
