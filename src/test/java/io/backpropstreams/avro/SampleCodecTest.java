package io.backpropstreams.avro;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
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

    /**
     * The bulk read of an Avro double array gives the bits Avro's own {@code readDouble} gives, for
     * any bit pattern and whether the writer put the array in one block or several.
     */
    @Test
    void avroDoubleArraysDecodeBitForBitInOneBlockOrMany() throws java.io.IOException {
        SplittableRandom random = new SplittableRandom(11);
        double[] input = new double[1000];
        for (int i = 0; i < input.length; i++) {
            input[i] = switch (i % 4) {
                case 0 -> Double.longBitsToDouble(random.nextLong() & 0x7fefffffffffffffL);  // any finite pattern
                case 1 -> Double.MIN_VALUE * random.nextInt(1, 1000);                        // subnormals
                case 2 -> -0.0;
                default -> random.nextDouble() - 0.5;
            };
        }
        double[] target = {1.0, -2.5};
        byte[] single = SampleCodec.toAvro(input, target);
        SampleCodec.Vectors v = SampleCodec.decode(single);
        for (int i = 0; i < input.length; i++) {
            assertEquals(Double.doubleToRawLongBits(input[i]), Double.doubleToRawLongBits(v.input()[i]), "input[" + i + "]");
        }
        assertArrayEquals(target, v.target());

        // the same datum written by Avro's blocking encoder: arrays in blocks of about 64 bytes
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(single, 0, 10);
        org.apache.avro.io.BinaryEncoder blocking = new org.apache.avro.io.EncoderFactory().configureBlockSize(64)
                .blockingBinaryEncoder(out, null);
        new org.apache.avro.specific.SpecificDatumWriter<>(io.backpropstreams.schema.Sample.class)
                .write(new io.backpropstreams.schema.Sample(java.util.Arrays.stream(input).boxed().toList(), List.of(1.0, -2.5), null), blocking);
        blocking.flush();
        byte[] blocked = out.toByteArray();
        // several blocks, each with a negative count and its byte size: longer than the single block
        org.junit.jupiter.api.Assertions.assertTrue(blocked.length > single.length + 100, blocked.length + " vs " + single.length);
        SampleCodec.Vectors b = SampleCodec.decode(blocked);
        for (int i = 0; i < input.length; i++) {
            assertEquals(Double.doubleToRawLongBits(input[i]), Double.doubleToRawLongBits(b.input()[i]), "blocked input[" + i + "]");
        }
        assertArrayEquals(target, b.target());

        byte[] truncated = java.util.Arrays.copyOf(single, single.length - 20);
        assertEquals("undecodable-avro", assertThrows(DecodingException.class, () -> SampleCodec.decode(truncated)).reason());
    }
}
