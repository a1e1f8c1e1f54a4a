package io.backpropstreams.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code predict}'s own checks, which come before it talks to Kafka. */
class PredictCommandTest {

    record Result(int exit, String err) {
    }

    static Result run(String... args) {
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setErr(new PrintWriter(err, true));
        cl.setOut(new PrintWriter(new StringWriter(), true));
        return new Result(cl.execute(args), err.toString());
    }

    @Test
    void theInputIsCommaSeparatedDecimals() {
        CommandLine.Model.CommandSpec spec = Main.commandLine().getSubcommands().get("predict").getCommandSpec();
        assertArrayEquals(new double[] {0.05, 0.1, -2.5e-3, 7, 0.5}, PredictCommand.parseInput(spec, "0.05, 0.10,-2.5e-3,7,.5"));
        // a leading minus is a value, not an option
        CommandLine.ParseResult parsed = Main.commandLine().parseArgs("predict", "--model", "m", "--input", "-0.5,1");
        assertEquals("-0.5,1", parsed.subcommand().matchedOptionValue("--input", ""));
    }

    @Test
    void aValueThatIsNotAFiniteDecimalIsAUsageErrorNamingIt() {
        for (String[] c : new String[][] {{"1,abc", "value 2 'abc'"}, {"1,,2", "value 2 ''"}, {"NaN", "value 1 'NaN'"},
                {"0x1p3", "value 1 '0x1p3'"}, {"1d", "value 1 '1d'"}, {"1e999", "value 1 '1e999' is out of range"}}) {
            Result r = run("predict", "--model", "m", "--input", c[0], "-b", "127.0.0.1:1", "--timeout", "1");
            assertEquals(2, r.exit(), r.err());
            assertTrue(r.err().startsWith("--input " + c[1]), r.err());
        }
    }

    @Test
    void anInvalidModelIdOrTimeoutIsAUsageError() {
        assertEquals(2, run("predict", "--model", "a/b", "--input", "1,2").exit());
        Result r = run("predict", "--model", "m", "--input", "1,2", "--timeout", "0");
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("--timeout must be at least 1 second, got 0"), r.err());
    }

    @Test
    void noClusterIsOneLineNamingTheAddressAfterTheTimeout() {
        Result r = run("predict", "--model", "m", "--input", "1,2", "-b", "127.0.0.1:1", "--timeout", "2");
        assertEquals(1, r.exit(), r.err());
        assertTrue(r.err().startsWith("error: ") && r.err().contains("127.0.0.1:1"), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
    }
}
