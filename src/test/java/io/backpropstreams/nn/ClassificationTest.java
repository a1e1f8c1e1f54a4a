package io.backpropstreams.nn;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** One-hot targets, argmax with the first index on ties, and the prequential verdict. */
class ClassificationTest {

    @Test
    void aOneHotTargetNamesTheIndexOfItsOne() {
        assertEquals(0, Classification.targetClass(new double[] {1, 0}));
        assertEquals(1, Classification.targetClass(new double[] {0, 1}));
        assertEquals(3, Classification.targetClass(new double[] {0, 0, 0, 1, 0, 0, 0, 0, 0, 0}));
        assertEquals(2, Classification.targetClass(new double[] {-0.0, 0, 1}), "-0.0 is a zero");
    }

    @Test
    void anythingElseIsNotOneHot() {
        int none = Classification.NOT_ONE_HOT;
        assertEquals(none, Classification.targetClass(new double[] {1}), "one output is a regression, however it reads");
        assertEquals(none, Classification.targetClass(new double[] {0}));
        assertEquals(none, Classification.targetClass(new double[] {}));
        assertEquals(none, Classification.targetClass(new double[] {0, 0}), "no class");
        assertEquals(none, Classification.targetClass(new double[] {1, 1}), "two classes");
        assertEquals(none, Classification.targetClass(new double[] {0, 1, 1}), "a second one after the first");
        assertEquals(none, Classification.targetClass(new double[] {0.01, 0.99}), "the lecture's soft target");
        assertEquals(none, Classification.targetClass(new double[] {0, 0.9999999999999999}), "exactly 1.0, not close to it");
        assertEquals(none, Classification.targetClass(new double[] {1, 0, 1e-300}), "exactly 0.0, not close to it");
        assertEquals(none, Classification.targetClass(new double[] {1, -1}));
        assertEquals(none, Classification.targetClass(new double[] {1, Double.NaN}));
    }

    @Test
    void argmaxIsTheFirstIndexOfTheLargestValue() {
        assertEquals(2, Classification.argmax(new double[] {0.1, 0.2, 0.7}));
        assertEquals(0, Classification.argmax(new double[] {0.9, 0.2, 0.7}));
        assertEquals(1, Classification.argmax(new double[] {-3, -1, -2}));
        assertEquals(0, Classification.argmax(new double[] {0.5, 0.5}), "ties go to the first index");
        assertEquals(1, Classification.argmax(new double[] {0.1, 0.5, 0.5, 0.3}), "ties go to the first of the largest");
        assertEquals(0, Classification.argmax(new double[] {4}));
        assertEquals(1, Classification.argmax(new double[] {Double.NaN, 0.2, Double.NaN, 0.1}), "NaN never wins");
        assertEquals(0, Classification.argmax(new double[] {Double.NaN, Double.NaN}));
        assertThrows(IllegalArgumentException.class, () -> Classification.argmax(new double[0]));
    }

    @Test
    void theVerdictIsWhetherTheOutputsArgmaxIsTheTargetsClass() {
        assertSame(Boolean.TRUE, Classification.correct(new double[] {0.2, 0.8}, new double[] {0, 1}));
        assertSame(Boolean.FALSE, Classification.correct(new double[] {0.8, 0.2}, new double[] {0, 1}));
        assertSame(Boolean.TRUE, Classification.correct(new double[] {0.5, 0.5}, new double[] {1, 0}), "a tie predicts class 0");
        assertSame(Boolean.FALSE, Classification.correct(new double[] {0.5, 0.5}, new double[] {0, 1}));
        assertSame(Boolean.TRUE, Classification.correct(new double[] {0.1, 0.1, 0.3, 0.2}, new double[] {0, 0, 1, 0}));
        assertNull(Classification.correct(new double[] {0.75, 0.77}, new double[] {0.01, 0.99}), "no verdict on a soft target");
        assertNull(Classification.correct(new double[] {0.9}, new double[] {1}), "nor on a single output");
        assertThrows(IllegalArgumentException.class, () -> Classification.correct(new double[] {0.9, 0.1, 0}, new double[] {1, 0}));
    }
}
