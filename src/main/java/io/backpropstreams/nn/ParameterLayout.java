package io.backpropstreams.nn;

import java.util.List;

/**
 * Where each layer's weights and biases sit in a model's single flat parameter vector.
 *
 * <p>Layers follow one another; each is its weight matrix, row-major, then its biases:
 * <pre>
 *   [ W₁ (n₁×n₀) | b₁ (n₁) | W₂ (n₂×n₁) | b₂ (n₂) | … ]
 *   W_l[j][i] = params[weightOffset(l) + j·n_{l−1} + i]   (input i → neuron j)
 *   b_l[j]    = params[biasOffset(l) + j]
 * </pre>
 * Layers are numbered from 1 (the first weight layer) to {@link #depth()}. For the lecture network,
 * layer 1 is {@code [w1,w2,w3,w4]} and layer 2 is {@code [w5,w6,w7,w8]}.
 */
public final class ParameterLayout {

    private final int[] sizes;
    private final int[] weightOffset;
    private final int[] biasOffset;
    private final int count;

    /** Layout for the given neuron counts, input layer first. */
    public ParameterLayout(List<Integer> layers) {
        sizes = layers.stream().mapToInt(Integer::intValue).toArray();
        weightOffset = new int[sizes.length];
        biasOffset = new int[sizes.length];
        int off = 0;
        for (int l = 1; l < sizes.length; l++) {
            weightOffset[l] = off;
            off += sizes[l] * sizes[l - 1];
            biasOffset[l] = off;
            off += sizes[l];
        }
        count = off;
    }

    /** Number of weight layers. */
    public int depth() {
        return sizes.length - 1;
    }

    /** Neurons in layer {@code l} (0 is the input layer). */
    public int size(int l) {
        return sizes[l];
    }

    /** Offset of {@code W_l[0][0]}. */
    public int weightOffset(int l) {
        return weightOffset[l];
    }

    /** Offset of {@code b_l[0]}. */
    public int biasOffset(int l) {
        return biasOffset[l];
    }

    /** Number of weights in layer {@code l}: {@code n_l · n_{l−1}}. */
    public int weightCount(int l) {
        return sizes[l] * sizes[l - 1];
    }

    /** Total number of parameters, weights and biases. */
    public int parameterCount() {
        return count;
    }
}
