package io.backpropstreams.avro;

import io.backpropstreams.nn.Network;
import io.backpropstreams.nn.ParameterLayout;
import io.backpropstreams.schema.LayerWeights;
import io.backpropstreams.schema.WeightsUpdate;

import java.util.ArrayList;
import java.util.List;

/** Converts a network to the {@code WeightsUpdate} record it publishes, and back to a flat parameter vector. */
public final class WeightsUpdates {

    private WeightsUpdates() {
    }

    /**
     * The record for {@code network}'s current parameters.
     *
     * @param event           {@code step}, {@code create} or {@code reset}
     * @param sourcePartition partition of the record that caused the update
     * @param sourceOffset    offset of that record
     * @param timestamp       timestamp of that record, epoch millis
     */
    public static WeightsUpdate of(String modelId, String event, Network network, int sourcePartition, long sourceOffset, long timestamp) {
        ParameterLayout layout = network.layout();
        List<LayerWeights> layers = new ArrayList<>(layout.depth());
        for (int l = 1; l <= layout.depth(); l++) {
            layers.add(new LayerWeights(layout.size(l - 1), layout.size(l), network.spec().activations().get(l - 1).id(),
                    SampleCodec.asList(network.weights(l)), SampleCodec.asList(network.biases(l))));
        }
        // the all-arguments constructors: Avro's builders deep-copy every list
        return new WeightsUpdate(modelId, network.step(), event, layers, sourcePartition, sourceOffset,
                java.time.Instant.ofEpochMilli(timestamp));
    }

    /** The flat parameter vector ({@link ParameterLayout} order) that {@code update} carries. */
    public static double[] parameters(WeightsUpdate update) {
        int n = 0;
        for (LayerWeights lw : update.getLayers()) {
            n += lw.getWeights().size() + lw.getBiases().size();
        }
        double[] p = new double[n];
        int k = 0;
        for (LayerWeights lw : update.getLayers()) {
            for (Double w : lw.getWeights()) {
                p[k++] = w;
            }
            for (Double b : lw.getBiases()) {
                p[k++] = b;
            }
        }
        return p;
    }
}
