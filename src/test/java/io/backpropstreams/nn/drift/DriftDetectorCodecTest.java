package io.backpropstreams.nn.drift;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A detector restored from its bytes, or copied, continues bit for bit as the original: the same
 * detections, the same statistic bits, the same bytes again. This is what keeps a model's drift
 * reports exactly once across a crash and a restore from the changelog.
 */
class DriftDetectorCodecTest {

    private static final double[] LOSS = LossStreams.logisticRegression(4, 9_000, 0.05, 3.0, LossStreams.SWITCH);

    static Stream<Arguments> detectorsAndCuts() {
        List<DriftSettings> settings = List.of(
                DriftSettings.defaults(PageHinkley.ID),
                DriftSettings.defaults(PageHinkley.ID).withDirection(Direction.BOTH).with("alpha", 1 - 0.0001).with("threshold", 5),
                DriftSettings.defaults(Adwin.ID),
                DriftSettings.defaults(Adwin.ID).withDirection(Direction.BOTH),
                DriftSettings.defaults(Adwin.ID).with("clock", 1).with("maxBuckets", 2).with("minWindowLength", 1).with("gracePeriod", 0));
        List<Arguments> cases = new ArrayList<>();
        for (DriftSettings s : settings) {
            for (int cut : new int[]{0, 1, 31, 32, 4_999, 5_020, 5_030, 7_777}) {
                cases.add(Arguments.of(s, cut));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} restored after {1} values")
    @MethodSource("detectorsAndCuts")
    void restoredAndCopiedDetectorsContinueBitForBitAsTheOriginal(DriftSettings settings, int cut) {
        DriftDetector original = settings.newDetector();
        for (int t = 0; t < cut; t++) {
            original.update(LOSS[t]);
        }
        byte[] bytes = original.encode();
        assertEquals(original.encodedSize(), bytes.length);
        DriftDetector restored = DriftDetector.decode(bytes);
        DriftDetector copy = original.copy();
        assertEquals(settings, restored.settings());
        assertEquals(original.seen(), restored.seen());
        assertArrayEquals(bytes, restored.encode(), "re-encoded at once");
        int detections = 0;
        for (int t = cut; t < LOSS.length; t++) {
            boolean expected = original.update(LOSS[t]);
            assertEquals(expected, restored.update(LOSS[t]), "restored, step " + t);
            assertEquals(expected, copy.update(LOSS[t]), "copy, step " + t);
            long bits = Double.doubleToRawLongBits(original.statistic());
            assertEquals(bits, Double.doubleToRawLongBits(restored.statistic()), "restored statistic, step " + t);
            assertEquals(bits, Double.doubleToRawLongBits(copy.statistic()), "copy statistic, step " + t);
            detections += expected ? 1 : 0;
        }
        assertArrayEquals(original.encode(), restored.encode(), "restored state at the end");
        assertArrayEquals(original.encode(), copy.encode(), "copy's state at the end");
        if (cut < LossStreams.SWITCH) {
            assertTrue(detections >= 1, "the continuation crosses the switch and detects it");
        }
    }

    @Test
    void aCopyEvolvesIndependently() {
        for (String id : DriftSettings.DETECTORS) {
            DriftDetector d = DriftSettings.defaults(id).newDetector();
            for (int t = 0; t < 200; t++) {
                d.update(LOSS[t]);
            }
            byte[] before = d.encode();
            DriftDetector c = d.copy();
            for (int t = 200; t < 6_000; t++) {
                c.update(LOSS[t]);
            }
            assertArrayEquals(before, d.encode(), id + ": feeding the copy left the original alone");
        }
    }

    @Test
    void decodesFromInsideALargerRecordAndLeavesTheRestToTheCaller() {
        DriftDetector ph = new PageHinkley();
        DriftDetector adwin = new Adwin();
        for (int t = 0; t < 3_000; t++) {
            ph.update(LOSS[t]);
            adwin.update(LOSS[t]);
        }
        ByteBuffer buf = ByteBuffer.allocate(3 + ph.encodedSize() + adwin.encodedSize() + 4);
        buf.put((byte) 1).put((byte) 2).put((byte) 3);
        ph.encode(buf);
        adwin.encode(buf);
        buf.putInt(0xCAFE);
        assertEquals(buf.capacity(), buf.position(), "encode writes exactly encodedSize bytes");
        buf.flip().position(3);
        DriftDetector ph2 = DriftDetector.decode(buf);
        assertEquals(3 + ph.encodedSize(), buf.position());
        DriftDetector adwin2 = DriftDetector.decode(buf);
        assertEquals(0xCAFE, buf.getInt());
        assertInstanceOf(PageHinkley.class, ph2);
        assertInstanceOf(Adwin.class, adwin2);
        assertArrayEquals(ph.encode(), ph2.encode());
        assertArrayEquals(adwin.encode(), adwin2.encode());
    }

    @Test
    void everyTruncationIsRejectedAsTruncated() {
        for (String id : DriftSettings.DETECTORS) {
            DriftDetector d = DriftSettings.defaults(id).newDetector();
            for (int t = 0; t < 1_000; t++) {
                d.update(LOSS[t]);
            }
            byte[] bytes = d.encode();
            for (int n = 0; n < bytes.length; n++) {
                byte[] prefix = Arrays.copyOf(bytes, n);
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DriftDetector.decode(prefix),
                        id + " cut to " + n + " bytes");
                assertEquals("drift detector state is truncated (" + n + " bytes)", e.getMessage(), id + " cut to " + n);
            }
        }
    }

    @Test
    void corruptStatesAreRejectedWithTheirReason() {
        byte[] ph = new PageHinkley().encode();
        byte[] adwin = new Adwin().encode();
        Adwin filled = new Adwin();
        for (int t = 0; t < 100; t++) {
            filled.update(LOSS[t]);
        }
        byte[] rows = filled.encode();

        assertEquals("not a drift detector state: unknown tag 88", message(with(ph, 0, (byte) 'X')));
        assertEquals("unsupported page-hinkley state version 2, expected 1", message(with(ph, 1, (byte) 2)));
        assertEquals("unsupported adwin state version 0, expected 1", message(with(adwin, 1, (byte) 0)));
        assertEquals("drift detector state has unknown direction 7", message(with(ph, 2, (byte) 7)));
        assertEquals("drift threshold must be > 0, got 0", message(putDouble(ph, 2 + 1 + 4 + 8, 0.0)));
        assertEquals("drift detector state has 1 trailing bytes", message(Arrays.copyOf(ph, ph.length + 1)));
        // ADWIN's width is at offset 2+1+8+16+8+8 = 43: claim one value more than the buckets hold
        ByteBuffer b = ByteBuffer.wrap(rows.clone());
        b.putLong(43, b.getLong(43) + 1);
        assertEquals("adwin state claims a window of 101 values but its buckets hold 100", message(b.array()));
    }

    private static String message(byte[] bytes) {
        return assertThrows(IllegalArgumentException.class, () -> DriftDetector.decode(bytes)).getMessage();
    }

    private static byte[] with(byte[] bytes, int index, byte value) {
        byte[] copy = bytes.clone();
        copy[index] = value;
        return copy;
    }

    private static byte[] putDouble(byte[] bytes, int index, double value) {
        byte[] copy = bytes.clone();
        ByteBuffer.wrap(copy).putDouble(index, value);
        return copy;
    }
}
