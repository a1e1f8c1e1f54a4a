package io.backpropstreams.topology;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one model-id rule, and messages that show a hostile id without passing it on raw. */
class ModelIdsTest {

    @Test
    void acceptsTheIdsPeopleUse() {
        for (String id : new String[] {"lecture", "xor", "m1", "mnist-784.v2", "A_B-c.9", "x".repeat(128), "_x", "-x"}) {
            assertTrue(ModelIds.isValid(id), id);
        }
    }

    @Test
    void refusesEmptyLongMarkupPathsAndInvisibleCharacters() {
        for (String id : new String[] {"", "x".repeat(129), "<img src=x onerror=alert(1)>", "a/b", "..", ".hidden", "a b",
                "caf\u00e9", "tab\there", "zero\u200bwidth", "quote\"", null}) {
            assertFalse(ModelIds.isValid(id), String.valueOf(id));
        }
        assertEquals("model id is empty; a model id is " + ModelIds.RULE, ModelIds.problem(""));
        assertNull(ModelIds.problem("lecture"));
    }

    @Test
    void quotesAnIdEscapedAndShortened() {
        assertEquals("\"a\\u0007\\u00e9\\\"\"", ModelIds.quote("a\u0007\u00e9\""));
        assertTrue(ModelIds.quote("y".repeat(500)).endsWith("…(500 characters)\""));
    }
}
