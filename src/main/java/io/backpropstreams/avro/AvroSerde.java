package io.backpropstreams.avro;

import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A Kafka serde for a generated Avro record in Avro's <em>single-object encoding</em>: the two
 * marker bytes {@code C3 01}, the schema's 8-byte CRC-64-AVRO fingerprint, then the binary datum.
 * Any Avro library can read these records given the {@code .avsc} file; no schema registry is
 * involved. Nulls map to nulls, so tombstones pass through.
 *
 * <p>Records written with an earlier version of the schema carry that version's fingerprint; the
 * serde also decodes them, resolving each to the current one (new fields take their defaults), so
 * that a topic written before an upgrade still reads after it.
 *
 * @param <T> the generated record class
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T> {

    private final Schema schema;
    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;
    private final byte[] fingerprint;
    private final org.apache.avro.specific.SpecificDatumReader<T> reader;

    /**
     * A serde for records of {@code schema} (pass the generated class's {@code getClassSchema()}) that
     * also reads records written with the earlier versions of that schema the jar keeps, as
     * {@code /schemas/previous/<Name>-1.avsc}, {@code -2}, …: every field added since has a default,
     * so Avro's schema resolution fills it in.
     */
    public AvroSerde(Schema schema) {
        this.schema = schema;
        this.fingerprint = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putLong(org.apache.avro.SchemaNormalization.parsingFingerprint64(schema)).array();
        this.encoder = new BinaryMessageEncoder<>(SpecificData.get(), schema);
        this.decoder = new BinaryMessageDecoder<>(SpecificData.get(), schema);
        this.reader = new org.apache.avro.specific.SpecificDatumReader<>(schema, schema, SpecificData.get());
        for (Schema previous : previousVersions(schema.getName())) {
            decoder.addSchema(previous);
        }
    }

    /** The earlier versions of the named schema kept in the jar, oldest first. */
    public static java.util.List<Schema> previousVersions(String name) {
        java.util.List<Schema> versions = new java.util.ArrayList<>();
        for (int v = 1; ; v++) {
            try (java.io.InputStream in = AvroSerde.class.getResourceAsStream("/schemas/previous/" + name + "-" + v + ".avsc")) {
                if (in == null) {
                    return versions;
                }
                versions.add(new Schema.Parser().parse(in));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the previous schema " + name + "-" + v, e);
            }
        }
    }

    /** The record schema. */
    public Schema schema() {
        return schema;
    }

    /** The 10 bytes every record of this schema starts with: {@code C3 01} and the fingerprint, little-endian. */
    public byte[] singleObjectHeader() {
        byte[] h = new byte[10];
        h[0] = (byte) 0xC3;
        h[1] = 0x01;
        System.arraycopy(fingerprint, 0, h, 2, 8);
        return h;
    }

    /** Single-object encoding of {@code record}. */
    public byte[] encode(T record) {
        ReusableBuffer out = BUFFER.get();
        out.reset();
        try {
            encoder.encode(record, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** A per-thread output buffer that keeps its capacity, so that encoding does not regrow it per record. */
    private static final class ReusableBuffer extends java.io.ByteArrayOutputStream {
        ReusableBuffer() {
            super(4096);
        }
    }

    private static final ThreadLocal<ReusableBuffer> BUFFER = ThreadLocal.withInitial(ReusableBuffer::new);

    /**
     * Decodes single-object-encoded bytes.
     *
     * @throws DecodingException {@code unknown-schema} for a foreign fingerprint, {@code undecodable-avro} otherwise
     */
    public T decode(byte[] bytes) {
        return decode(bytes, null);
    }

    /**
     * Decodes into {@code reuse} where possible (its arrays are refilled), or a new record if null.
     *
     * @throws DecodingException as {@link #decode(byte[])}
     */
    public T decode(byte[] bytes, T reuse) {
        try {
            if (bytes.length >= 10 && java.util.Arrays.equals(bytes, 2, 10, fingerprint, 0, 8)) {
                // Written with this very schema: read the datum directly, and insist that it ends the record
                // (Avro stops where the record ends; bytes after it mean a damaged record).
                org.apache.avro.io.BinaryDecoder d = org.apache.avro.io.DecoderFactory.get()
                        .binaryDecoder(bytes, 10, bytes.length - 10, null);
                T record = reader.read(reuse, d);
                if (!d.isEnd()) {
                    throw new DecodingException("undecodable-avro", "bytes do not decode as Avro " + schema.getName()
                            + ": the record is followed by trailing bytes");
                }
                return record;
            }
            return decoder.decode(new java.io.ByteArrayInputStream(bytes), reuse);
        } catch (DecodingException e) {
            throw e;
        } catch (org.apache.avro.message.MissingSchemaException e) {
            throw new DecodingException("unknown-schema", "Avro record has an unknown schema fingerprint; expected "
                    + schema.getFullName() + ": " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw new DecodingException("undecodable-avro", "bytes do not decode as Avro " + schema.getName() + ": "
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage()), e);
        }
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, data) -> data == null ? null : encode(data);
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, data) -> {
            if (data == null) {
                return null;
            }
            try {
                return decode(data);
            } catch (DecodingException e) {
                throw new SerializationException(e.getMessage(), e);
            }
        };
    }

    /** True if {@code bytes} start with the single-object-encoding marker {@code C3 01}. */
    public static boolean isSingleObjectEncoded(byte[] bytes) {
        return bytes != null && bytes.length >= 2 && (bytes[0] & 0xFF) == 0xC3 && bytes[1] == 0x01;
    }
}
