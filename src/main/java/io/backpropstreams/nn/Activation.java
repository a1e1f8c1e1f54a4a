package io.backpropstreams.nn;

import java.util.Locale;

/**
 * Element-wise activation functions of a dense layer.
 *
 * <p>Every derivative here is expressed through the activation's <em>output</em> {@code o = f(net)},
 * so backpropagation needs only the stored outputs of the forward pass:
 * <ul>
 *   <li>sigmoid: {@code f = 1/(1+e^-x)}, {@code f' = o(1-o)}</li>
 *   <li>tanh: {@code f = tanh x}, {@code f' = 1-o²}</li>
 *   <li>relu: {@code f = max(0,x)}, {@code f' = 1 if o > 0 else 0}</li>
 *   <li>linear: {@code f = x}, {@code f' = 1}</li>
 *   <li>softmax (output layer only, with categorical cross-entropy): {@code o_j = e^{z_j − m} / Σ_k e^{z_k − m}}
 *       with {@code m = max_k z_k}, so no exponential overflows; applied to the whole layer by
 *       {@link #softmax}, never element-wise. Its Jacobian is never formed: with categorical
 *       cross-entropy the output delta is {@code o − t} (see {@link Loss}).</li>
 * </ul>
 * Constants are only ever appended: stored states name an activation by its ordinal.
 */
public enum Activation {
    SIGMOID {
        @Override public double apply(double x) { return 1.0 / (1.0 + Math.exp(-x)); }
        @Override public double derivativeFromOutput(double o) { return o * (1.0 - o); }
    },
    TANH {
        @Override public double apply(double x) { return Math.tanh(x); }
        @Override public double derivativeFromOutput(double o) { return 1.0 - o * o; }
    },
    RELU {
        @Override public double apply(double x) { return x > 0.0 ? x : 0.0; }
        @Override public double derivativeFromOutput(double o) { return o > 0.0 ? 1.0 : 0.0; }
    },
    LINEAR {
        @Override public double apply(double x) { return x; }
        @Override public double derivativeFromOutput(double o) { return 1.0; }
    },
    SOFTMAX {
        @Override public double apply(double x) {
            throw new UnsupportedOperationException("softmax applies to a whole layer; see Activation.softmax");
        }
        @Override public double derivativeFromOutput(double o) {
            throw new UnsupportedOperationException("softmax has no element-wise derivative; it is used with categorical cross-entropy only");
        }
    };

    /**
     * {@code o = softmax(z)} over the first {@code n} entries, in the shifted form
     * {@code o_j = e^{z_j − m} / Σ_k e^{z_k − m}}, {@code m = max z}.
     *
     * @return {@code m + ln Σ_k e^{z_k − m}}, the log-sum-exp of {@code z}, for the loss
     */
    public static double softmax(double[] z, double[] o, int n) {
        double m = z[0];
        for (int j = 1; j < n; j++) {
            m = Math.max(m, z[j]);
        }
        double sum = 0.0;
        for (int j = 0; j < n; j++) {
            double e = StrictMath.exp(z[j] - m);
            o[j] = e;
            sum += e;
        }
        for (int j = 0; j < n; j++) {
            o[j] /= sum;
        }
        return m + StrictMath.log(sum);
    }

    /** {@code f(x)}. */
    public abstract double apply(double x);

    /** {@code f'(net)} written in terms of {@code o = f(net)}. */
    public abstract double derivativeFromOutput(double o);

    /** Lower-case name used in specs and on the command line. */
    public String id() {
        return id;
    }

    private final String id = name().toLowerCase(Locale.ROOT);

    /** Parses {@code sigmoid|tanh|relu|linear|softmax}, case-insensitively. */
    public static Activation parse(String name) {
        for (Activation a : values()) {
            if (a.id().equalsIgnoreCase(name.trim())) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown activation '" + name + "', expected one of sigmoid, tanh, relu, linear, softmax");
    }
}
