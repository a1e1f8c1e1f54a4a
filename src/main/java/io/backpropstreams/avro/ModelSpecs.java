package io.backpropstreams.avro;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backpropstreams.nn.Activation;
import io.backpropstreams.nn.Initializers;
import io.backpropstreams.nn.Lecture;
import io.backpropstreams.nn.Loss;
import io.backpropstreams.nn.NetworkSpec;
import io.backpropstreams.nn.Optimizer;
import io.backpropstreams.nn.OptimizerSettings;
import io.backpropstreams.nn.Schedule;
import io.backpropstreams.schema.DriftSpec;
import io.backpropstreams.schema.LearningRateSchedule;
import io.backpropstreams.nn.UpdateRule;
import io.backpropstreams.schema.ModelSpec;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Converts between the {@code ModelSpec} record, its JSON form and the numeric core.
 *
 * <p>The JSON form, used by files and tools:
 * <pre>
 * {"layers":[2,2,2], "activation":"sigmoid", "learningRate":0.5, "updateRule":"simultaneous",
 *  "trainBiases":false, "weights":[[..],[..]], "biases":[[..],[..]], "seed":42, "publishEvery":1}
 * </pre>
 * {@code activation} may instead be a per-layer list {@code activations}. Optional: {@code loss}
 * (squared | cross-entropy | categorical-cross-entropy), {@code optimizer} (sgd | momentum | nesterov |
 * adam | adamw | rmsprop | adagrad), {@code momentum}, {@code beta1}, {@code beta2}, {@code epsilon},
 * {@code weightDecay}, {@code clipNorm}, {@code schedule} ({@code {"kind": "constant" | "inverse-time" |
 * "exponential" | "step", "decay": …, "every": …}}), {@code standardizeInputs}, {@code drift}
 * ({@code {"detector": "page-hinkley" | "adwin", "onDrift": "none" | "reset-optimizer" | "reinitialize",
 * …the detector's parameters}}), {@code init} (lecture | xavier | he | explicit). Without {@code init},
 * explicit {@code weights} mean explicit initialisation and their absence means Xavier from {@code seed}.
 */
public final class ModelSpecs {

    /**
     * What a spec turns into: the network's spec, its initial parameters, how often to publish, and
     * the drift detection (null for none).
     */
    public record Definition(NetworkSpec spec, double[] parameters, int publishEvery, DriftSpec drift) {
    }

    private static final Set<String> SCHEDULE_FIELDS = Set.of("kind", "decay", "every");

    /** Most parameters a model may have; see {@link NetworkSpec#MAX_PARAMETERS}. */
    public static final long MAX_PARAMETERS = NetworkSpec.MAX_PARAMETERS;

    /** Duplicate keys are an error: {@code {"layers":[2,2],"layers":[9,9]}} must not mean the last one. */
    private static final ObjectMapper MAPPER = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    private static final Set<String> FIELDS = Set.of("layers", "activation", "activations", "loss", "learningRate",
            "updateRule", "trainBiases", "init", "seed", "weights", "biases", "publishEvery", "optimizer", "momentum",
            "beta1", "beta2", "epsilon", "weightDecay", "clipNorm", "schedule", "standardizeInputs", "drift");

    private ModelSpecs() {
    }

    /** The built-in lecture model as a spec: 2-2-2 sigmoid, lecture weights, frozen biases, η 0.5, simultaneous. */
    public static ModelSpec lecture() {
        return ModelSpec.newBuilder()
                .setLayers(List.of(2, 2, 2))
                .setActivations(List.of("sigmoid"))
                .setLearningRate(Lecture.LEARNING_RATE)
                .setInit("lecture")
                .build();
    }

    /**
     * Decodes a spec value: Avro single-object encoding or the JSON form.
     *
     * @throws DecodingException {@code invalid-spec}, {@code unknown-schema} or {@code undecodable-avro}
     */
    public static ModelSpec decode(byte[] bytes) {
        if (AvroSerde.isSingleObjectEncoded(bytes)) {
            return Serdes.MODEL_SPEC.decode(bytes);
        }
        return fromJson(new String(bytes, StandardCharsets.UTF_8));
    }

    /**
     * Parses the JSON form.
     *
     * @throws DecodingException reason {@code invalid-spec}, naming the offending field
     */
    public static ModelSpec fromJson(String json) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw invalid("spec is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw invalid("spec must be a JSON object");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw invalid("spec has unknown field '" + f + "'; known fields: " + new java.util.TreeSet<>(FIELDS));
            }
        }
        ModelSpec.Builder b = ModelSpec.newBuilder();
        JsonNode layers = root.get("layers");
        if (layers == null || !layers.isArray()) {
            throw invalid("spec needs 'layers', an array of neuron counts such as [2,2,2]");
        }
        if (layers.size() > NetworkSpec.MAX_LAYERS) {
            throw invalid("'layers' has " + layers.size() + " entries; a model may have at most " + NetworkSpec.MAX_LAYERS + " layers");
        }
        List<Integer> sizes = new ArrayList<>();
        for (JsonNode n : layers) {
            if (!n.isIntegralNumber()) {
                throw invalid("'layers' must hold whole numbers, got " + n);
            }
            if (!n.canConvertToInt()) {
                throw invalid("'layers' entry " + n + " is out of range; a layer has 1 to " + Integer.MAX_VALUE
                        + " neurons (and a model at most " + String.format(Locale.ROOT, "%,d", MAX_PARAMETERS) + " parameters)");
            }
            sizes.add(n.intValue());
        }
        b.setLayers(sizes);
        if (root.has("activation") && root.has("activations")) {
            throw invalid("give either 'activation' or 'activations', not both");
        }
        if (root.has("activations")) {
            JsonNode array = root.get("activations");
            if (!array.isArray() || array.size() > NetworkSpec.MAX_LAYERS) {
                throw invalid("'activations' must be an array of names, one per layer after the input, got " + shorten(array));
            }
            List<String> acts = new ArrayList<>();
            for (JsonNode n : array) {
                if (!n.isTextual()) {
                    throw invalid("'activations' must hold names such as \"sigmoid\", got " + shorten(n));
                }
                acts.add(n.asText());
            }
            b.setActivations(acts);
        } else {
            b.setActivations(List.of(text(root, "activation", "sigmoid")));
        }
        b.setLoss(text(root, "loss", "squared"));
        JsonNode lr = root.get("learningRate");
        if (lr == null || !lr.isNumber()) {
            throw invalid("spec needs 'learningRate', a number" + (lr == null ? "" : ", got " + lr));
        }
        b.setLearningRate(lr.asDouble());
        b.setUpdateRule(text(root, "updateRule", "simultaneous"));
        b.setTrainBiases(bool(root, "trainBiases", false));
        JsonNode seed = root.get("seed");
        if (seed != null && (!seed.isIntegralNumber() || !seed.canConvertToLong())) {
            throw invalid("'seed' must be a whole number (a 64-bit integer), got " + shorten(seed));
        }
        b.setSeed(seed == null ? 0L : seed.longValue());
        b.setWeights(matrices(root, "weights"));
        b.setBiases(matrices(root, "biases"));
        b.setInit(text(root, "init", b.getWeights() != null ? "explicit" : "xavier"));
        JsonNode pe = root.get("publishEvery");
        if (pe != null && (!pe.isIntegralNumber() || !pe.canConvertToInt())) {
            throw invalid("'publishEvery' must be a whole number, got " + pe);
        }
        b.setPublishEvery(pe == null ? 1 : pe.asInt());
        b.setOptimizer(text(root, "optimizer", "sgd"));
        JsonNode mu = root.get("momentum");
        if (mu != null && !mu.isNumber()) {
            throw invalid("'momentum' must be a number in [0, 1), got " + shorten(mu));
        }
        b.setMomentum(mu == null ? 0.0 : mu.asDouble());
        b.setBeta1(optionalNumber(root, "beta1"));
        b.setBeta2(optionalNumber(root, "beta2"));
        b.setEpsilon(optionalNumber(root, "epsilon"));
        Double wd = optionalNumber(root, "weightDecay");
        b.setWeightDecay(wd == null ? 0.0 : wd);
        Double clip = optionalNumber(root, "clipNorm");
        b.setClipNorm(clip == null ? 0.0 : clip);
        b.setSchedule(schedule(root.get("schedule")));
        b.setStandardizeInputs(bool(root, "standardizeInputs", false));
        b.setDrift(drift(root.get("drift")));
        ModelSpec spec = b.build();
        toDefinition(spec);
        return spec;
    }

    /** The JSON form of a spec. */
    public static String toJson(ModelSpec spec) {
        ObjectNode o = MAPPER.createObjectNode();
        ArrayNode layers = o.putArray("layers");
        spec.getLayers().forEach(layers::add);
        if (spec.getActivations().size() == 1) {
            o.put("activation", spec.getActivations().get(0));
        } else {
            ArrayNode a = o.putArray("activations");
            spec.getActivations().forEach(a::add);
        }
        o.put("loss", spec.getLoss());
        o.put("learningRate", spec.getLearningRate());
        o.put("updateRule", spec.getUpdateRule());
        o.put("trainBiases", spec.getTrainBiases());
        o.put("init", spec.getInit());
        o.put("seed", spec.getSeed());
        putMatrices(o, "weights", spec.getWeights());
        putMatrices(o, "biases", spec.getBiases());
        o.put("publishEvery", spec.getPublishEvery());
        o.put("optimizer", spec.getOptimizer());
        o.put("momentum", spec.getMomentum());
        putIfSet(o, "beta1", spec.getBeta1());
        putIfSet(o, "beta2", spec.getBeta2());
        putIfSet(o, "epsilon", spec.getEpsilon());
        if (spec.getWeightDecay() != 0.0) {
            o.put("weightDecay", spec.getWeightDecay());
        }
        if (spec.getClipNorm() != 0.0) {
            o.put("clipNorm", spec.getClipNorm());
        }
        if (spec.getSchedule() != null) {
            o.putObject("schedule").put("kind", spec.getSchedule().getKind())
                    .put("decay", spec.getSchedule().getDecay()).put("every", spec.getSchedule().getEvery());
        }
        if (spec.getStandardizeInputs()) {
            o.put("standardizeInputs", true);
        }
        if (spec.getDrift() != null) {
            ObjectNode d = o.putObject("drift");
            d.put("detector", spec.getDrift().getDetector());
            d.put("onDrift", spec.getDrift().getOnDrift());
            if (spec.getDrift().getDirection() != null) {
                d.put("direction", spec.getDrift().getDirection());
            }
            new java.util.TreeMap<>(spec.getDrift().getSettings()).forEach((k, v) -> d.put(k.toString(), v));
        }
        return o.toString();
    }

    /**
     * Validates a spec and builds the network definition it describes.
     *
     * @throws DecodingException reason {@code invalid-spec}, with the offending value
     */
    public static Definition toDefinition(ModelSpec s) {
        try {
            List<Integer> layers = s.getLayers();
            if (layers.size() < 2) {
                throw invalid("'layers' needs at least 2 entries (input and output), got " + layers);
            }
            // NetworkSpec checks the layer count, sizes, activation count and parameter limit (in checked
            // arithmetic) before Initializers allocates anything.
            List<Activation> activations = new ArrayList<>();
            if (s.getActivations().size() == 1) {
                activations.addAll(Collections.nCopies(layers.size() - 1, Activation.parse(s.getActivations().get(0))));
            } else {
                for (String a : s.getActivations()) {
                    activations.add(Activation.parse(a));
                }
            }
            Optimizer optimizer = Optimizer.parse(s.getOptimizer());
            OptimizerSettings d = OptimizerSettings.defaults(optimizer);
            OptimizerSettings settings = new OptimizerSettings(
                    s.getBeta1() == null ? d.beta1() : s.getBeta1(),
                    s.getBeta2() == null ? d.beta2() : s.getBeta2(),
                    s.getEpsilon() == null ? d.epsilon() : s.getEpsilon(),
                    s.getWeightDecay(), s.getClipNorm());
            Schedule schedule = s.getSchedule() == null ? Schedule.CONSTANT
                    : new Schedule(Schedule.Kind.parse(s.getSchedule().getKind()), s.getSchedule().getDecay(), s.getSchedule().getEvery());
            NetworkSpec spec = new NetworkSpec(layers, activations, Loss.parse(s.getLoss()), s.getLearningRate(),
                    UpdateRule.parse(s.getUpdateRule()), s.getTrainBiases(), optimizer, s.getMomentum(), settings, schedule,
                    s.getStandardizeInputs());
            DriftSpec drift = s.getDrift();
            if (drift != null) {
                DriftSpecs.validate(drift);
                // reinitialize keeps a copy of the initial parameters beside the network's state
                long bytes = spec.stateBytes() + (DriftSpecs.OnDrift.parse(drift.getOnDrift()) == DriftSpecs.OnDrift.REINITIALIZE
                        ? 8L * NetworkSpec.parameterCount(layers) : 0);
                if (bytes > NetworkSpec.MAX_STATE_BYTES) {
                    throw invalid(String.format(Locale.ROOT, "layers %s with %s and onDrift %s keep %,d bytes of state; a model may"
                            + " keep at most %,d so that it fits in one Kafka record", layers, optimizer.id(), drift.getOnDrift(), bytes,
                            NetworkSpec.MAX_STATE_BYTES));
                }
            }
            if (s.getPublishEvery() < 1) {
                throw invalid("'publishEvery' must be at least 1, got " + s.getPublishEvery());
            }
            String init = s.getInit().toLowerCase(Locale.ROOT);
            double[] params = switch (init) {
                case "lecture" -> {
                    if (!layers.equals(List.of(2, 2, 2))) {
                        throw invalid("init 'lecture' needs layers [2,2,2], got " + layers);
                    }
                    yield Lecture.initialParameters();
                }
                case "xavier" -> withBiases(spec, Initializers.xavier(spec, s.getSeed()), s.getBiases());
                case "he" -> withBiases(spec, Initializers.he(spec, s.getSeed()), s.getBiases());
                case "explicit" -> {
                    if (s.getWeights() == null) {
                        throw invalid("init 'explicit' needs 'weights'");
                    }
                    yield Initializers.explicit(spec, toArrays(s.getWeights()), s.getBiases() == null ? null : toArrays(s.getBiases()));
                }
                default -> throw invalid("unknown init '" + s.getInit() + "', expected lecture, xavier, he or explicit");
            };
            return new Definition(spec, params, s.getPublishEvery(), drift);
        } catch (DecodingException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw invalid(e.getMessage());
        }
    }

    private static double[] withBiases(NetworkSpec spec, double[] params, List<List<Double>> biases) {
        if (biases == null) {
            return params;
        }
        io.backpropstreams.nn.ParameterLayout layout = new io.backpropstreams.nn.ParameterLayout(spec.layers());
        List<double[]> weights = new ArrayList<>();
        for (int l = 1; l <= layout.depth(); l++) {
            weights.add(java.util.Arrays.copyOfRange(params, layout.weightOffset(l), layout.weightOffset(l) + layout.weightCount(l)));
        }
        return Initializers.explicit(spec, weights, toArrays(biases));
    }

    private static List<double[]> toArrays(List<List<Double>> lists) {
        List<double[]> out = new ArrayList<>(lists.size());
        for (List<Double> l : lists) {
            out.add(SampleCodec.toArray(l));
        }
        return out;
    }

    private static List<List<Double>> matrices(JsonNode root, String field) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isArray()) {
            throw invalid("'" + field + "' must be an array of arrays of numbers, one per layer");
        }
        List<List<Double>> result = new ArrayList<>();
        int l = 0;
        for (JsonNode row : n) {
            l++;
            if (!row.isArray()) {
                throw invalid("'" + field + "' layer " + l + " must be an array of numbers, got " + row);
            }
            List<Double> values = new ArrayList<>();
            for (JsonNode v : row) {
                if (!v.isNumber()) {
                    throw invalid("'" + field + "' layer " + l + " holds a non-number " + v);
                }
                values.add(v.asDouble());
            }
            result.add(values);
        }
        return result;
    }

    private static void putMatrices(ObjectNode o, String field, List<List<Double>> m) {
        if (m == null) {
            return;
        }
        ArrayNode outer = o.putArray(field);
        for (List<Double> row : m) {
            ArrayNode inner = outer.addArray();
            row.forEach(inner::add);
        }
    }

    private static Double optionalNumber(JsonNode root, String field) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isNumber()) {
            throw invalid("'" + field + "' must be a number, got " + shorten(n));
        }
        return n.asDouble();
    }

    private static void putIfSet(ObjectNode o, String field, Double value) {
        if (value != null) {
            o.put(field, value);
        }
    }

    private static LearningRateSchedule schedule(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isObject()) {
            throw invalid("'schedule' must be an object such as {\"kind\": \"inverse-time\", \"decay\": 0.001}, got " + shorten(n));
        }
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!SCHEDULE_FIELDS.contains(f)) {
                throw invalid("'schedule' has unknown field '" + f + "'; known fields: " + new java.util.TreeSet<>(SCHEDULE_FIELDS));
            }
        }
        JsonNode kind = n.get("kind");
        if (kind == null || !kind.isTextual()) {
            throw invalid("'schedule' needs 'kind': constant, inverse-time, exponential or step");
        }
        Double decay = optionalNumber(n, "decay");
        JsonNode every = n.get("every");
        if (every != null && (!every.isIntegralNumber() || !every.canConvertToLong())) {
            throw invalid("schedule 'every' must be a whole number, got " + shorten(every));
        }
        return LearningRateSchedule.newBuilder().setKind(kind.asText()).setDecay(decay == null ? 0.0 : decay)
                .setEvery(every == null ? 1L : every.asLong()).build();
    }

    private static DriftSpec drift(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isObject()) {
            throw invalid("'drift' must be an object such as {\"detector\": \"page-hinkley\"}, got " + shorten(n));
        }
        JsonNode detector = n.get("detector");
        if (detector == null || !detector.isTextual()) {
            throw invalid("'drift' needs 'detector': page-hinkley or adwin");
        }
        java.util.Map<String, Double> settings = new java.util.HashMap<>();
        String onDrift = "none";
        String direction = null;
        for (Iterator<java.util.Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            java.util.Map.Entry<String, JsonNode> e = it.next();
            String f = e.getKey();
            if (f.equals("detector")) {
                continue;
            }
            if (f.equals("onDrift")) {
                if (!e.getValue().isTextual()) {
                    throw invalid("'drift.onDrift' must be none, reset-optimizer or reinitialize, got " + shorten(e.getValue()));
                }
                onDrift = e.getValue().asText();
                continue;
            }
            if (f.equals("direction")) {
                if (!e.getValue().isTextual()) {
                    throw invalid("'drift.direction' must be increase, decrease or both, got " + shorten(e.getValue()));
                }
                direction = e.getValue().asText();
                continue;
            }
            if (!e.getValue().isNumber()) {
                throw invalid("'drift." + f + "' must be a number, got " + shorten(e.getValue()));
            }
            settings.put(f, e.getValue().asDouble());
        }
        return DriftSpec.newBuilder().setDetector(detector.asText()).setOnDrift(onDrift).setDirection(direction).setSettings(settings).build();
    }

    private static String text(JsonNode root, String field, String dflt) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isTextual()) {
            throw invalid("'" + field + "' must be a string, got " + n);
        }
        return n.asText();
    }

    private static boolean bool(JsonNode root, String field, boolean dflt) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isBoolean()) {
            throw invalid("'" + field + "' must be true or false, got " + n);
        }
        return n.asBoolean();
    }

    /** A value for a message, cut at 80 characters so that a huge field does not become a huge dead-letter header. */
    private static String shorten(Object value) {
        String text = String.valueOf(value);
        return text.length() <= 80 ? text : text.substring(0, 80) + "…(" + text.length() + " characters)";
    }

    private static DecodingException invalid(String message) {
        return new DecodingException("invalid-spec", message);
    }
}
