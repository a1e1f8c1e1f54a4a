package io.backpropstreams.avro;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SampleCodecTest {

    /** The fast JSON number parser must give exactly Double.parseDouble's bits, whatever way a client prints a number. */
    @Test
    void jsonNumbersDecodeToTheSameBitsAsDoubleParseDouble() {
        SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < 20_000; i++) {
            double v = (random.nextDouble() - 0.5) * Math.pow(10, random.nextInt(-320, 309));
            String text = switch (i % 5) {
                case 0 -> Double.toString(v);                                   // Java, Jackson
                case 1 -> String.format(Locale.ROOT, "%.17g", v);               // C printf, librdkafka tools
                case 2 -> String.format(Locale.ROOT, "%.6f", v);                // a rounded client
                case 3 -> Long.toString((long) (v * 1e6));                      // integers
                default -> String.format(Locale.ROOT, "%.15e", v).replace("e+0", "E");  // exponents
            };
            byte[] json = ("{\"input\":[" + text + "],\"target\":[1]}").getBytes(StandardCharsets.UTF_8);
            double decoded = SampleCodec.decode(json).input()[0];
            assertEquals(Double.doubleToRawLongBits(Double.parseDouble(text)), Double.doubleToRawLongBits(decoded), text);
        }
    }

    @Test
    void jsonAndAvroOfTheLectureSampleDecodeAlike() {
        double[] in = {0.05, 0.1};
        double[] out = {0.01, 0.99};
        SampleCodec.Vectors json = SampleCodec.decode(SampleCodec.toJson(in, out).getBytes(StandardCharsets.UTF_8));
        SampleCodec.Vectors avro = SampleCodec.decode(SampleCodec.toAvro(in, out));
        assertArrayEquals(in, json.input());
        assertArrayEquals(out, json.target());
        assertArrayEquals(json.input(), avro.input());
        assertArrayEquals(json.target(), avro.target());
    }

    @Test
    void badJsonKeepsItsReasons() {
        assertEquals("malformed-json", assertThrows(DecodingException.class,
                () -> SampleCodec.decode("{\"input\":[1,".getBytes(StandardCharsets.UTF_8))).reason());
        assertEquals("wrong-json-shape", assertThrows(DecodingException.class,
                () -> SampleCodec.decode("{\"input\":[\"1\"],\"target\":[1]}".getBytes(StandardCharsets.UTF_8))).reason());
        assertEquals("malformed-json", assertThrows(DecodingException.class,
                () -> SampleCodec.decode("{\"input\":[1],\"input\":[2],\"target\":[1]}".getBytes(StandardCharsets.UTF_8))).reason());
    }
}
