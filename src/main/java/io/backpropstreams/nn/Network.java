package io.backpropstreams.nn;

import java.util.Arrays;
import java.util.List;

/**
 * A dense feed-forward network trained one sample at a time: the vectorized core.
 *
 * <p>All parameters live in one flat {@code double[]} laid out as {@link ParameterLayout} describes:
 * {@code W_l[j][i] = params[weightOffset(l) + j·n_{l−1} + i]}. Activations and deltas live in
 * buffers sized once for the shape, so {@link #step} allocates nothing.
 *
 * <p>One step on {@code (x, t)}:
 * <pre>
 *   forward    a₀ = x,  a_l = f_l(W_l·a_{l−1} + b_l)
 *   loss       E = loss(a_L, t)                       (returned: the error before the update)
 *   output     δ_L = ∂E/∂net_L
 *   hidden     δ_{l−1} = f'_{l−1}(a_{l−1}) ⊙ (W_lᵀ·δ_l)
 *   gradient   ∂E/∂W_l = δ_l·a_{l−1}ᵀ,   ∂E/∂b_l = δ_l
 *   update     SGD: p ← p − η·g;   momentum: v ← μ·v − η·g, p ← p + v;   the others: see {@link Optimizer}
 * </pre>
 * The rate {@code η} of each step comes from the spec's {@link Schedule}. With
 * {@code standardizeInputs}, {@code a₀} is the standardised input (see {@link InputStandardizer}). A
 * softmax output layer is computed in the shifted (log-sum-exp) form, and its categorical
 * cross-entropy from the net inputs.
 *
 * <p>Plain SGD and momentum without weight decay or clipping update the weights in place, layer by
 * layer, as they always have (the lecture's bits). Every other optimizer, and any weight decay or
 * gradient clipping, goes through the general path: the whole gradient into a buffer, clipped to
 * its global norm, then an element-wise update of the parameters and the optimizer's state vectors.
 * Under {@link UpdateRule#SIMULTANEOUS} every δ is computed before any weight moves (the true
 * gradient). Under {@link UpdateRule#SEQUENTIAL} the layers are updated from the output backwards
 * and each δ_{l−1} uses the already updated W_l.
 *
 * <p>A wide first layer trained by plain SGD is kept input-major ({@link #inputRows}) so that both its
 * forward pass and its update are axpys that C2 vectorises; each {@code out[j]} still adds its terms
 * in the order i = 0, 1, 2…, so the bits are those of the row-major dot product. That layer's update
 * is applied lazily: it stays pending until the next forward pass, which applies it in the same
 * sweep over the weights (one read and one write per step instead of two). Anything that reads the
 * parameters (a query, a copy, the codec, a snapshot) flushes it first, so what is stored and
 * published is exactly the eager state.
 *
 * <p>A step that would make the loss, a delta or any parameter non-finite is refused with
 * {@link StepRejectedException} and leaves the network untouched. For the simultaneous rule this
 * costs nothing per parameter: the core keeps an upper bound on {@code max|p|} (and {@code max|v|})
 * and proves the update finite from {@code η·max|δ_l|·max|a_{l−1}|} before applying it. Only when
 * that bound gets close to overflow (or under the sequential rule, whose later deltas depend on
 * earlier updates) does it take the exact path: copy, update, scan, restore on failure.
 *
 * <p>Not thread-safe: one network belongs to one stream task.
 */
public final class Network {

    private static final double BOUND_LIMIT = 1e300;
    /** Under plain SGD, layers with at least this many inputs update their weights through {@link #rowBuffer}. */
    private static final int ROW_BUFFER_MIN = 32;
    /** First layers with at least this many inputs are kept input-major under plain SGD (see {@link #inputRows}). */
    private static final int INPUT_MAJOR_MIN = 32;
    /** Layers with fewer inputs than this backpropagate input by input (see {@link #backpropagate}): one AVX-512 vector of doubles. */
    private static final int NARROW = 8;

    private final NetworkSpec spec;
    private final ParameterLayout layout;
    private final int depth;
    private final int[] size;
    private final Activation[] activation;
    private final double[] params;
    /** Momentum's velocity on the in-place path; null otherwise (the general path keeps its state in {@link #moments}). */
    private final double[] velocity;
    /** The optimizer's state vectors ({@link Optimizer#stateVectors()} of them, one entry per parameter). */
    private final double[][] moments;
    private long step;
    /** Updates since the optimizer's state was last zeroed: Adam's {@code t − 1} and the schedule's {@code t}. */
    private long optimizerStep;
    /** The rate of the step being applied. */
    private double eta;
    /** The running input statistics, or null when inputs are used as they come. */
    private final InputStandardizer standardizer;
    /** True when steps take the general optimizer path ({@link #applyGeneral}). */
    private final boolean general;
    /** The general path's gradient buffer; null on the in-place path. */
    private final double[] gradientBuffer;
    /** The log-sum-exp of the softmax output layer's net inputs in the last forward pass. */
    private double logSumExp;

    private final double[][] net;
    private final double[][] out;
    private final double[][] delta;
    private double paramBound;
    private double velocityBound;
    private double[] backup;
    private final double[] rowBuffer;

    /**
     * The first layer's weights, input-major, when the first layer is wide and trained by plain SGD
     * under the simultaneous rule: {@code inputRows[i][j] = W_1[j][i]}, one array per input. Then
     * the forward pass and the update of that layer are axpys over {@code j} on arrays of their own,
     * which C2 vectorises, where the row-major dot products stay scalar. These rows are the
     * authoritative copy while {@link #paramsStale}; {@link #params} is brought up to date (the
     * same values, row-major) before anyone reads it. Null otherwise.
     */
    private final double[][] inputRows;
    /** True when {@link #params}' first-layer weights lag {@link #inputRows}. */
    private boolean paramsStale;
    /** True while {@link #applyChecked} updates {@link #params} directly (rows are reloaded after). */
    private boolean updatingRowMajor;
    /** The four partial sums of each first-layer neuron, as {@link #dot} keeps them. */
    private final double[][] partial;
    /** {@code η·δ_1[j]} of the step being applied, or of the pending update (see {@link #updatePending}). */
    private final double[] scaledDelta;
    /** The first layer's input {@code a_0} of the step whose update is pending. */
    private final double[] pendingInput;
    /**
     * True when the last step's first-layer update {@code inputRows[i][j] −= scaledDelta[j]·pendingInput[i]}
     * is accepted but not yet applied. The next forward pass applies it, fused with its own
     * products (one read and one write of the weights per step instead of two passes); anything
     * else that reads the weights applies it first ({@link #flushPendingUpdate}).
     */
    private boolean updatePending;
    /**
     * True for the lecture's shape, [2,2,2], trained by plain SGD under the simultaneous rule, with
     * element-wise activations, inputs used as they come and no weight decay or clipping: its steps
     * take {@link #lectureShapedStep}.
     */
    private final boolean lectureShaped;

    /**
     * {@link #step} for a {@link #lectureShaped} network, written out for its two layers of two:
     * the same operations in the same order as the general path, with every value in a local.
     *
     * <p>With two neurons a layer, the general path's loops, calls and arrays cost more than its
     * arithmetic: this step takes about 65 to 78 ns against 100 to 110 for the general one (about
     * what a hand-written step without any checks takes). The bits are the general path's:
     * <ul>
     *   <li>a net input is {@code ((0.0 + w_0·a_0) + w_1·a_1) + b}: {@link #dot} with two inputs
     *       starts from its four zero partial sums, and {@link #activate} adds the bias;</li>
     *   <li>a hidden delta is {@code ((0.0 + W_2[0][i]·δ_0) + W_2[1][i]·δ_1)·f'(a_i)}, as
     *       {@link #backpropagate} sums it for a narrow layer;</li>
     *   <li>each weight moves by {@code (η·δ_j)·a_i} and each bias by {@code η·δ_j}, from deltas all
     *       taken before any weight moves (the simultaneous rule).</li>
     * </ul>
     * The loss and the output deltas come from {@link Loss} itself, and the buffers that
     * {@link #layerOutput}, {@link #netInput} and {@link #delta} read are filled as the general path
     * fills them. The finiteness proof is {@link #applyWithinBound}'s with the sums written out;
     * when it cannot prove the step finite (a NaN or an infinite sum makes {@code bound <= BOUND_LIMIT}
     * false), {@link #applyWithinBound} and the exact path decide as for any other network.
     */
    private double lectureShapedStep(double[] input, double[] target) {
        checkSample(input, target);
        double[] p = params;
        int w1 = layout.weightOffset(1);
        int b1 = layout.biasOffset(1);
        int w2 = layout.weightOffset(2);
        int b2 = layout.biasOffset(2);
        Activation f1 = activation[1];
        Activation f2 = activation[2];
        double x0 = input[0];
        double x1 = input[1];
        double z10 = dotOfTwo(p, w1, x0, x1) + p[b1];
        double z11 = dotOfTwo(p, w1 + 2, x0, x1) + p[b1 + 1];
        double h0 = f1.apply(z10);
        double h1 = f1.apply(z11);
        double z20 = dotOfTwo(p, w2, h0, h1) + p[b2];
        double z21 = dotOfTwo(p, w2 + 2, h0, h1) + p[b2 + 1];
        double[] a0 = out[0];
        double[] a1 = out[1];
        double[] a2 = out[2];
        double[] n1 = net[1];
        double[] n2 = net[2];
        a0[0] = x0;
        a0[1] = x1;
        n1[0] = z10;
        n1[1] = z11;
        a1[0] = h0;
        a1[1] = h1;
        n2[0] = z20;
        n2[1] = z21;
        a2[0] = f2.apply(z20);
        a2[1] = f2.apply(z21);
        Loss lossFunction = spec.loss();
        double loss = lossFunction.value(a2, target, 2);
        if (!Double.isFinite(loss)) {
            throw new StepRejectedException("loss would be " + loss + " at step " + (step + 1));
        }
        double[] dd2 = delta[2];
        lossFunction.outputDelta(a2, target, f2, dd2, 2);
        double d20 = dd2[0];
        double d21 = dd2[1];
        double eta = spec.schedule().rate(spec.learningRate(), optimizerStep);
        this.eta = eta;
        double d10 = ((0.0 + p[w2] * d20) + p[w2 + 2] * d21) * f1.derivativeFromOutput(h0);
        double d11 = ((0.0 + p[w2 + 1] * d20) + p[w2 + 3] * d21) * f1.derivativeFromOutput(h1);
        double[] dd1 = delta[1];
        dd1[0] = d10;
        dd1[1] = d11;
        boolean biases = spec.trainBiases();
        double one = biases ? 1.0 : 0.0;
        double bound1 = eta * (Math.abs(d10) + Math.abs(d11)) * (Math.abs(x0) + Math.abs(x1) + one);
        double bound2 = eta * (Math.abs(d20) + Math.abs(d21)) * (Math.abs(h0) + Math.abs(h1) + one);
        double bound = paramBound + Math.max(Math.max(0.0, bound1), bound2);
        if (bound <= BOUND_LIMIT) {
            double s = moveRowOfTwo(p, w1, eta * d10, x0, x1);
            double t = moveRowOfTwo(p, w1 + 2, eta * d11, x0, x1);
            double u = moveRowOfTwo(p, w2, eta * d20, h0, h1);
            double v = moveRowOfTwo(p, w2 + 2, eta * d21, h0, h1);
            if (biases) {
                p[b1] -= s;
                p[b1 + 1] -= t;
                p[b2] -= u;
                p[b2 + 1] -= v;
            }
            paramBound = bound;
        } else if (!applyWithinBound()) {
            applyChecked(false);
        }
        step++;
        optimizerStep++;
        return loss;
    }

    /** A fresh network (step 0, zero velocity) with a copy of {@code params}. */
    public Network(NetworkSpec spec, double[] params) {
        this(spec, params, 0L, null);
    }

    /**
     * Restores a network from its state, as it was before optimizers other than momentum existed.
     *
     * @param params   parameter vector, copied
     * @param step     number of steps already taken, ≥ 0
     * @param velocity momentum state, copied; null means zero (or not used)
     */
    public Network(NetworkSpec spec, double[] params, long step, double[] velocity) {
        this(spec, params, step, step, velocity == null ? null : new double[][] {velocity}, null);
    }

    /**
     * Restores a network from its whole state.
     *
     * @param params        parameter vector, copied
     * @param step          number of steps already taken, ≥ 0
     * @param optimizerStep updates since the optimizer state was zeroed, in {@code [0, step]}
     * @param moments       the optimizer's state vectors, copied; null means zero
     * @param standardizer  input statistics, copied; null means none yet (fresh ones if the spec standardises)
     */
    public Network(NetworkSpec spec, double[] params, long step, long optimizerStep, double[][] moments, InputStandardizer standardizer) {
        this.spec = spec;
        this.layout = new ParameterLayout(spec.layers());
        this.depth = layout.depth();
        this.size = spec.layers().stream().mapToInt(Integer::intValue).toArray();
        this.activation = new Activation[depth + 1];
        for (int l = 1; l <= depth; l++) {
            activation[l] = spec.activations().get(l - 1);
        }
        if (params == null || params.length != layout.parameterCount()) {
            throw new IllegalArgumentException("shape " + spec.layers() + " has " + layout.parameterCount()
                    + " parameters, got " + (params == null ? 0 : params.length));
        }
        Initializers.requireFinite(params, "parameter vector");
        if (step < 0) {
            throw new IllegalArgumentException("step count must be ≥ 0, got " + step);
        }
        if (optimizerStep < 0 || optimizerStep > step) {
            throw new IllegalArgumentException("optimizer step must be in [0, " + step + "], got " + optimizerStep);
        }
        this.params = params.clone();
        this.step = step;
        this.optimizerStep = optimizerStep;
        int vectors = spec.optimizer().stateVectors();
        if (moments != null && moments.length != vectors) {
            throw new IllegalArgumentException(spec.optimizer().id() + " keeps " + vectors + " state vectors, got " + moments.length);
        }
        this.moments = new double[vectors][];
        for (int k = 0; k < vectors; k++) {
            if (moments != null && moments[k].length != params.length) {
                throw new IllegalArgumentException((spec.optimizer().usesMomentum() ? "velocity" : "optimizer state vector " + k)
                        + " has " + moments[k].length + " values, expected " + params.length);
            }
            this.moments[k] = moments == null ? new double[params.length] : moments[k].clone();
            Initializers.requireFinite(this.moments[k], spec.optimizer().usesMomentum() ? "velocity" : "optimizer state");
        }
        this.general = spec.usesGradientBuffer();
        this.velocity = spec.optimizer() == Optimizer.MOMENTUM && !general ? this.moments[0] : null;
        this.gradientBuffer = general ? new double[params.length] : null;
        if (spec.standardizeInputs()) {
            if (standardizer != null && standardizer.mean().length != size[0]) {
                throw new IllegalArgumentException("input statistics cover " + standardizer.mean().length + " inputs, the network has " + size[0]);
            }
            this.standardizer = standardizer == null ? new InputStandardizer(size[0]) : standardizer.copy();
        } else {
            this.standardizer = null;
        }
        this.net = new double[depth + 1][];
        this.out = new double[depth + 1][];
        this.delta = new double[depth + 1][];
        for (int l = 0; l <= depth; l++) {
            net[l] = new double[size[l]];
            out[l] = new double[size[l]];
            delta[l] = new double[size[l]];
        }
        int widest = 0;
        for (int l = 0; l < depth; l++) {
            widest = Math.max(widest, size[l]);
        }
        this.rowBuffer = new double[widest];
        this.paramBound = maxAbs(this.params, 0, this.params.length);
        this.velocityBound = this.velocity == null ? 0.0 : maxAbs(this.velocity, 0, this.velocity.length);
        // plain SGD, every weight moved in place from deltas all taken first: what both special paths below rely on
        boolean plainSimultaneousSgd = spec.optimizer() == Optimizer.SGD && !general && spec.updateRule() == UpdateRule.SIMULTANEOUS;
        boolean inputMajor = plainSimultaneousSgd && size[0] >= INPUT_MAJOR_MIN;
        this.inputRows = inputMajor ? new double[size[0]][size[1]] : null;
        this.partial = inputMajor ? new double[4][size[1]] : null;
        this.scaledDelta = inputMajor ? new double[size[1]] : null;
        this.pendingInput = inputMajor ? new double[size[0]] : null;
        if (inputMajor) {
            loadInputRows();
        }
        this.lectureShaped = plainSimultaneousSgd && spec.layers().equals(List.of(2, 2, 2)) && this.standardizer == null
                && activation[1] != Activation.SOFTMAX && activation[2] != Activation.SOFTMAX && spec.loss() != Loss.CATEGORICAL_CROSS_ENTROPY;
    }

    /** {@link #inputRows} from {@link #params}. */
    private void loadInputRows() {
        int nIn = size[0];
        int w = layout.weightOffset(1);
        for (int j = 0; j < size[1]; j++) {
            int row = w + j * nIn;
            for (int i = 0; i < nIn; i++) {
                inputRows[i][j] = params[row + i];
            }
        }
        paramsStale = false;
    }

    /** Applies the pending first-layer update to {@link #inputRows} on its own, exactly as {@link #fusedAxpy} would. */
    private void flushPendingUpdate() {
        if (!updatePending) {
            return;
        }
        double[] sd = scaledDelta;
        int n = size[1];
        for (int i = 0; i < size[0]; i++) {
            double ai = pendingInput[i];
            double[] r = inputRows[i];
            for (int j = 0; j < n; j++) {
                r[j] -= sd[j] * ai;
            }
        }
        updatePending = false;
    }

    /** Brings {@link #params}' first-layer weights up to date from {@link #inputRows}; a no-op when they are. */
    private void syncParams() {
        flushPendingUpdate();
        if (!paramsStale) {
            return;
        }
        int nIn = size[0];
        int w = layout.weightOffset(1);
        for (int i = 0; i < nIn; i++) {
            double[] r = inputRows[i];
            for (int j = 0; j < size[1]; j++) {
                params[w + j * nIn + i] = r[j];
            }
        }
        paramsStale = false;
    }

    /**
     * One training step: forward, loss, backpropagation and update, in place.
     *
     * @return the loss of the forward pass <em>before</em> the update (the prequential error);
     *         the outputs of that pass are readable with {@link #copyOutput(double[])}
     * @throws IllegalArgumentException if a vector has the wrong length or a non-finite value
     * @throws StepRejectedException    if the step would make anything non-finite; nothing changes
     */
    public double step(double[] input, double[] target) {
        if (lectureShaped) {
            return lectureShapedStep(input, target);
        }
        checkSample(input, target);
        if (standardizer != null) {
            standardizer.learn(input);
        }
        double loss;
        try {
            loss = forwardAndLoss(input, target);
            if (!Double.isFinite(loss)) {
                throw new StepRejectedException("loss would be " + loss + " at step " + (step + 1));
            }
            spec.loss().outputDelta(out[depth], target, activation[depth], delta[depth], size[depth]);
            eta = spec.schedule().rate(spec.learningRate(), optimizerStep);
            if (spec.updateRule() == UpdateRule.SIMULTANEOUS) {
                for (int l = depth; l > 1; l--) {
                    backpropagate(l);
                }
                if (general) {
                    applyGeneral();
                } else if (!applyWithinBound()) {
                    applyChecked(false);
                }
            } else {
                applyChecked(true);
            }
        } catch (StepRejectedException e) {
            if (standardizer != null) {
                standardizer.undo();
            }
            throw e;
        }
        step++;
        optimizerStep++;
        return loss;
    }

    /** {@code (0.0 + w[k]·a0) + w[k+1]·a1}: {@link #dot} of a row of two, in its order. */
    private static double dotOfTwo(double[] w, int k, double a0, double a1) {
        return (0.0 + w[k] * a0) + w[k + 1] * a1;
    }

    /** {@code w[k] −= s·a0}, {@code w[k+1] −= s·a1}: a row of two moved by {@code s = η·δ_j}; returns {@code s} for the bias. */
    private static double moveRowOfTwo(double[] w, int k, double s, double a0, double a1) {
        w[k] -= s * a0;
        w[k + 1] -= s * a1;
        return s;
    }

    /**
     * Forward pass only: writes the outputs into {@code output} (length {@code n_L}). Does not train.
     */
    public void predict(double[] input, double[] output) {
        checkVector(input, size[0], "input");
        if (output.length != size[depth]) {
            throw new IllegalArgumentException("output buffer has " + output.length + " values, the network gives " + size[depth]);
        }
        forward(input);
        System.arraycopy(out[depth], 0, output, 0, size[depth]);
    }

    /** The loss of the current parameters on {@code (input, target)}. Does not train. */
    public double loss(double[] input, double[] target) {
        checkSample(input, target);
        return forwardAndLoss(input, target);
    }

    /**
     * The true gradient {@code ∂E/∂p} of the current parameters, written into {@code gradient}
     * (length {@link ParameterLayout#parameterCount()}), bias entries included even when biases are
     * frozen. Does not train.
     *
     * @return the loss at the current parameters
     */
    public double gradient(double[] input, double[] target, double[] gradient) {
        checkSample(input, target);
        if (gradient.length != params.length) {
            throw new IllegalArgumentException("gradient buffer has " + gradient.length + " values, expected " + params.length);
        }
        double loss = forwardAndLoss(input, target);
        spec.loss().outputDelta(out[depth], target, activation[depth], delta[depth], size[depth]);
        for (int l = depth; l > 1; l--) {
            backpropagate(l);
        }
        fillGradient(gradient);
        return loss;
    }

    /** {@code ∂E/∂W_l[j][i] = δ_l[j]·a_{l−1}[i]} and {@code ∂E/∂b_l[j] = δ_l[j]} from the current deltas. */
    private void fillGradient(double[] gradient) {
        for (int l = 1; l <= depth; l++) {
            int nIn = size[l - 1];
            double[] a = out[l - 1];
            double[] d = delta[l];
            int w = layout.weightOffset(l);
            int b = layout.biasOffset(l);
            for (int j = 0; j < size[l]; j++) {
                double dj = d[j];
                int row = w + j * nIn;
                for (int i = 0; i < nIn; i++) {
                    gradient[row + i] = dj * a[i];
                }
                gradient[b + j] = dj;
            }
        }
    }

    /** Copies the outputs of the last forward pass into {@code dst}. */
    public void copyOutput(double[] dst) {
        System.arraycopy(out[depth], 0, dst, 0, size[depth]);
    }

    /** The net inputs {@code net_l = W_l·a_{l−1} + b_l} of the last forward pass, copied. */
    public double[] netInput(int l) {
        return net[l].clone();
    }

    /** The outputs {@code a_l} of layer {@code l} in the last forward pass, copied. */
    public double[] layerOutput(int l) {
        return out[l].clone();
    }

    /** The deltas {@code δ_l} of the last step or gradient call, copied. */
    public double[] delta(int l) {
        return delta[l].clone();
    }

    private double forwardAndLoss(double[] input, double[] target) {
        forward(input);
        if (spec.loss() == Loss.CATEGORICAL_CROSS_ENTROPY) {
            return Loss.categorical(net[depth], logSumExp, target, size[depth]);
        }
        return spec.loss().value(out[depth], target, size[depth]);
    }

    private void forward(double[] input) {
        if (standardizer != null) {
            standardizer.transform(input, out[0]);
        } else {
            System.arraycopy(input, 0, out[0], 0, size[0]);
        }
        for (int l = 1; l <= depth; l++) {
            if (l == 1 && inputRows != null) {
                forwardInputMajor(out[0], net[1]);
            } else {
                weightedSums(l);
            }
            activate(l);
        }
    }

    /** {@code z = W_l·a_{l−1}} into {@link #net}, without the biases, each row summed as {@link #dot} sums it. */
    private void weightedSums(int l) {
        int nIn = size[l - 1];
        int n = size[l];
        double[] a = out[l - 1];
        double[] z = net[l];
        int w = layout.weightOffset(l);
        int j = 0;
        // four rows per pass: four times the independent sums, one load of a[i] for all four
        for (; j < n - 3; j += 4) {
            dot4(params, w + j * nIn, a, nIn, z, j);
        }
        for (; j < n; j++) {
            z[j] = dot(params, w + j * nIn, a, nIn);
        }
    }

    /** {@code net_l = z + b_l} and {@code a_l = f_l(net_l)}, in place of the weighted sums in {@link #net}. */
    private void activate(int l) {
        int n = size[l];
        double[] z = net[l];
        double[] o = out[l];
        int b = layout.biasOffset(l);
        Activation f = activation[l];
        if (f == Activation.SOFTMAX) {
            for (int j = 0; j < n; j++) {
                z[j] += params[b + j];
            }
            logSumExp = Activation.softmax(z, o, n);
            return;
        }
        for (int j = 0; j < n; j++) {
            double s = z[j] + params[b + j];
            z[j] = s;
            o[j] = f.apply(s);
        }
    }

    /**
     * The first layer's {@code z[j] = W_1[j]·a} from {@link #inputRows}, bit for bit as {@link #dot}
     * sums it: four partial sums per neuron ({@code i ≡ 0, 1, 2, 3 mod 4} below {@code n − 3}, each
     * in increasing {@code i}), combined as {@code (s0 + s1) + (s2 + s3)}, then the remaining terms
     * in order. Each partial sum is an axpy over {@code j}: {@code p_k[j] += rows[i][j]·a[i]}.
     */
    private void forwardInputMajor(double[] a, double[] z) {
        int nIn = size[0];
        int n = size[1];
        double[] p0 = partial[0];
        double[] p1 = partial[1];
        double[] p2 = partial[2];
        double[] p3 = partial[3];
        Arrays.fill(p0, 0, n, 0.0);
        Arrays.fill(p1, 0, n, 0.0);
        Arrays.fill(p2, 0, n, 0.0);
        Arrays.fill(p3, 0, n, 0.0);
        boolean pending = updatePending;
        int i = 0;
        int limit = nIn - 3;
        for (; i < limit; i += 4) {
            addRow(p0, i, a[i], pending);
            addRow(p1, i + 1, a[i + 1], pending);
            addRow(p2, i + 2, a[i + 2], pending);
            addRow(p3, i + 3, a[i + 3], pending);
        }
        for (int j = 0; j < n; j++) {
            z[j] = (p0[j] + p1[j]) + (p2[j] + p3[j]);
        }
        for (; i < nIn; i++) {
            addRow(z, i, a[i], pending);
        }
        updatePending = false;
    }

    /**
     * {@code y += rows[i]·s}; with the pending update, the row is first brought up to date in the
     * same sweep ({@link #fusedAxpy}).
     */
    private void addRow(double[] y, int i, double s, boolean pending) {
        if (pending) {
            fusedAxpy(y, inputRows[i], scaledDelta, pendingInput[i], s, size[1]);
        } else {
            axpy(y, inputRows[i], s, size[1]);
        }
    }

    /**
     * The pending update of one input's row fused with the next forward pass's products:
     * {@code r[j] ← r[j] − sd[j]·ap}, then {@code y[j] += r[j]·s}, the same two roundings as the
     * update and the {@link #axpy} done one after the other.
     */
    private static void fusedAxpy(double[] y, double[] r, double[] sd, double ap, double s, int n) {
        for (int j = 0; j < n; j++) {
            double w = r[j] - sd[j] * ap;
            r[j] = w;
            y[j] += w * s;
        }
    }

    /** {@code y[j] += x[j]·s} for {@code j < n}: the index is the loop variable itself, so C2 vectorises it. */
    private static void axpy(double[] y, double[] x, double s, int n) {
        for (int j = 0; j < n; j++) {
            y[j] += x[j] * s;
        }
    }

    /** {@code δ_{l−1} = f'(a_{l−1}) ⊙ (W_lᵀ·δ_l)}, reading the current {@code W_l}. */
    private void backpropagate(int l) {
        int nIn = size[l - 1];
        double[] dPrev = delta[l - 1];
        double[] d = delta[l];
        int w = layout.weightOffset(l);
        Activation f = activation[l - 1];
        double[] a = out[l - 1];
        if (nIn < NARROW) {
            // too narrow to vectorise over i: one sum per input, in the same order j = 0, 1, 2… and
            // from the same 0.0 as below, without the zeroing pass and the second sweep
            int n = size[l];
            for (int i = 0; i < nIn; i++) {
                double t = 0.0;
                for (int j = 0, k = w + i; j < n; j++, k += nIn) {
                    t += params[k] * d[j];
                }
                dPrev[i] = t * f.derivativeFromOutput(a[i]);
            }
            return;
        }
        Arrays.fill(dPrev, 0, nIn, 0.0);
        for (int j = 0; j < size[l]; j++) {
            double dj = d[j];
            int row = w + j * nIn;
            for (int i = 0; i < nIn; i++) {
                dPrev[i] += params[row + i] * dj;
            }
        }
        for (int i = 0; i < nIn; i++) {
            dPrev[i] *= f.derivativeFromOutput(a[i]);
        }
    }

    /**
     * {@code W_l ← W_l − η·δ_l·a_{l−1}ᵀ} (and {@code b_l} when trained), through the optimizer.
     * One small method per case: momentum, the deferred input-major first layer, wide rows through
     * the row buffer, and narrow rows in place.
     */
    private void update(int l) {
        if (velocity != null) {
            updateWithMomentum(l);
        } else if (l == 1 && inputRows != null && !updatingRowMajor) {
            deferInputMajorUpdate();
        } else if (size[l - 1] >= ROW_BUFFER_MIN) {
            updateThroughRowBuffer(l);
        } else {
            updateInPlace(l);
        }
    }

    /**
     * The input-major first layer: {@code W_1[j][i] − (η·δ_j)·a_i} as {@link #updateInPlace} computes it,
     * for each input an axpy over the neurons, left pending for the next forward pass to apply in the
     * same sweep over the weights. The biases are updated now.
     */
    private void deferInputMajorUpdate() {
        flushPendingUpdate();
        int n = size[1];
        double[] d = delta[1];
        double[] sd = scaledDelta;
        for (int j = 0; j < n; j++) {
            sd[j] = eta * d[j];
        }
        System.arraycopy(out[0], 0, pendingInput, 0, size[0]);
        updatePending = true;
        paramsStale = true;
        updateBiases(1);
    }

    /**
     * {@link #updateInPlace} for wide rows. C2 (JDK 17) does not vectorize {@code p[row + i] -= s·a[i]}:
     * the store and the load have different index invariants, so it must assume they overlap. Through
     * a row buffer indexed like {@code a[]} it does; the two copies are intrinsic block moves. Same
     * operations, same results.
     */
    private void updateThroughRowBuffer(int l) {
        int nIn = size[l - 1];
        double[] a = out[l - 1];
        double[] d = delta[l];
        double[] p = params;
        double[] r = rowBuffer;
        int w = layout.weightOffset(l);
        for (int j = 0; j < size[l]; j++) {
            double s = eta * d[j];
            int row = w + j * nIn;
            System.arraycopy(p, row, r, 0, nIn);
            for (int i = 0; i < nIn; i++) {
                r[i] -= s * a[i];
            }
            System.arraycopy(r, 0, p, row, nIn);
        }
        updateBiases(l);
    }

    /** Plain SGD on a narrow layer: {@code W_l[j][i] −= (η·δ_j)·a_i}, and {@code b_l[j] −= η·δ_j} with the same {@code η·δ_j}. */
    private void updateInPlace(int l) {
        int nIn = size[l - 1];
        double[] a = out[l - 1];
        double[] d = delta[l];
        double[] p = params;
        int w = layout.weightOffset(l);
        int b = layout.biasOffset(l);
        boolean biases = spec.trainBiases();
        for (int j = 0; j < size[l]; j++) {
            double s = eta * d[j];
            int row = w + j * nIn;
            for (int i = 0; i < nIn; i++) {
                p[row + i] -= s * a[i];
            }
            if (biases) {
                p[b + j] -= s;
            }
        }
    }

    /** Plain SGD on the biases of layer {@code l}, when they are trained: {@code b_l[j] −= η·δ_j}. */
    private void updateBiases(int l) {
        if (!spec.trainBiases()) {
            return;
        }
        double[] d = delta[l];
        int b = layout.biasOffset(l);
        for (int j = 0; j < size[l]; j++) {
            params[b + j] -= eta * d[j];
        }
    }

    /** Momentum: {@code v ← μ·v − η·g}, {@code p ← p + v}, weight by weight, then the bias of each neuron. */
    private void updateWithMomentum(int l) {
        int nIn = size[l - 1];
        double[] a = out[l - 1];
        double[] d = delta[l];
        int w = layout.weightOffset(l);
        int b = layout.biasOffset(l);
        boolean biases = spec.trainBiases();
        double mu = spec.momentum();
        for (int j = 0; j < size[l]; j++) {
            double s = eta * d[j];
            int row = w + j * nIn;
            for (int i = 0; i < nIn; i++) {
                double v = mu * velocity[row + i] - s * a[i];
                velocity[row + i] = v;
                params[row + i] += v;
            }
            if (biases) {
                double v = mu * velocity[b + j] - s;
                velocity[b + j] = v;
                params[b + j] += v;
            }
        }
    }

    /**
     * Applies the simultaneous update if the parameter bound proves every result finite.
     * By the triangle inequality {@code |p − η·δ_j·a_i| ≤ max|p| + η·max|δ_l|·max|a_{l−1}|}, and
     * {@code max|x| ≤ Σ|x|}: the proof uses the sums ({@link #sumAbs}), which cost no branch per
     * entry. Which path applies the update never changes its bits. Only when a sum is not finite
     * (a NaN or infinite entry, or finite entries whose sum overflows) are the exact maxima taken.
     *
     * @return false if the bound cannot prove it; nothing has changed then
     */
    private boolean applyWithinBound() {
        double stepBound = 0.0;
        for (int l = 1; l <= depth; l++) {
            double d = sumAbs(delta[l], size[l]);
            double a = sumAbs(out[l - 1], size[l - 1]);
            if (!Double.isFinite(d) || !Double.isFinite(a)) {
                // a non-finite entry, or finite ones whose sum overflows: decide on the maxima
                d = maxAbs(delta[l], 0, size[l]);
                a = maxAbs(out[l - 1], 0, size[l - 1]);
            }
            if (!Double.isFinite(d) || !Double.isFinite(a)) {
                throw new StepRejectedException("layer " + l + " delta or activation would be non-finite (max |δ| = "
                        + d + ", max |a| = " + a + ") at step " + (step + 1));
            }
            if (spec.trainBiases()) {
                a = Math.max(a, 1.0);
            }
            stepBound = Math.max(stepBound, eta * d * a);
        }
        for (int attempt = 0; attempt < 2; attempt++) {
            double newVelocity = velocity == null ? stepBound : spec.momentum() * velocityBound + stepBound;
            double newParams = paramBound + newVelocity;
            if (newParams <= BOUND_LIMIT) {
                for (int l = 1; l <= depth; l++) {
                    update(l);
                }
                paramBound = newParams;
                velocityBound = velocity == null ? 0.0 : newVelocity;
                return true;
            }
            syncParams();
            paramBound = maxAbs(params, 0, params.length);
            velocityBound = velocity == null ? 0.0 : maxAbs(velocity, 0, velocity.length);
        }
        return false;
    }

    /**
     * The general optimizer path (see {@link Optimizer} and {@link OptimizerSettings}): the gradient
     * of every parameter into {@link #gradientBuffer}, clipped to its global L2 norm over the trained
     * parameters, then one element-wise update of each trained parameter and its state. A step that
     * would make a parameter or a state entry non-finite is undone and refused.
     */
    private void applyGeneral() {
        double[] g = gradientBuffer;
        fillGradient(g);
        OptimizerSettings o = spec.settings();
        boolean biases = spec.trainBiases();
        if (o.clipNorm() > 0) {
            double sumSquares = 0.0;
            for (int l = 1; l <= depth; l++) {
                sumSquares += sumOfSquares(g, layout.weightOffset(l), layout.weightCount(l));
                if (biases) {
                    sumSquares += sumOfSquares(g, layout.biasOffset(l), size[l]);
                }
            }
            double norm = Math.sqrt(sumSquares);
            if (norm == Double.POSITIVE_INFINITY) {
                // ‖g‖ beyond ~1e154: the squares overflow; the norm of g/max|g| does not
                norm = scaledNorm(g, biases);
            }
            if (norm > o.clipNorm()) {
                double scale = o.clipNorm() / norm;
                for (int k = 0; k < g.length; k++) {
                    g[k] *= scale;
                }
            }
        }
        int n = params.length;
        if (backup == null) {
            backup = new double[n * (1 + moments.length)];
        }
        System.arraycopy(params, 0, backup, 0, n);
        for (int v = 0; v < moments.length; v++) {
            System.arraycopy(moments[v], 0, backup, n * (v + 1), n);
        }
        long t = optimizerStep + 1;
        for (int l = 1; l <= depth; l++) {
            updateRange(layout.weightOffset(l), layout.weightOffset(l) + layout.weightCount(l), t);
            if (biases) {
                updateRange(layout.biasOffset(l), layout.biasOffset(l) + size[l], t);
            }
        }
        int bad = firstNonFinite();
        if (bad >= 0) {
            System.arraycopy(backup, 0, params, 0, n);
            for (int v = 0; v < moments.length; v++) {
                System.arraycopy(backup, n * (v + 1), moments[v], 0, n);
            }
            throw new StepRejectedException("step " + (step + 1) + " would make parameter " + (bad % n)
                    + (bad < n ? "" : " or its " + spec.optimizer().id() + " state") + " non-finite (learning rate " + eta + ")");
        }
    }

    /** One optimizer update of the parameters {@code [from, to)} from {@link #gradientBuffer}, at update number {@code t ≥ 1}. */
    private void updateRange(int from, int to, long t) {
        double[] p = params;
        double[] g = gradientBuffer;
        OptimizerSettings o = spec.settings();
        double lr = eta;
        double l2 = spec.optimizer() == Optimizer.ADAMW ? 0.0 : o.weightDecay();
        switch (spec.optimizer()) {
            case SGD -> {
                for (int k = from; k < to; k++) {
                    p[k] -= lr * (g[k] + l2 * p[k]);
                }
            }
            case MOMENTUM, NESTEROV -> {
                double[] v = moments[0];
                double mu = spec.momentum();
                boolean nesterov = spec.optimizer() == Optimizer.NESTEROV;
                for (int k = from; k < to; k++) {
                    double step = lr * (g[k] + l2 * p[k]);
                    double vk = mu * v[k] - step;
                    v[k] = vk;
                    p[k] += nesterov ? mu * vk - step : vk;
                }
            }
            case ADAGRAD, RMSPROP -> {
                double[] sq = moments[0];
                boolean rms = spec.optimizer() == Optimizer.RMSPROP;
                double rho = o.beta2();
                double eps = o.epsilon();
                for (int k = from; k < to; k++) {
                    double gk = g[k] + l2 * p[k];
                    double s = rms ? rho * sq[k] + (1.0 - rho) * gk * gk : sq[k] + gk * gk;
                    sq[k] = s;
                    p[k] -= lr * gk / (Math.sqrt(s) + eps);
                }
            }
            case ADAM, ADAMW -> {
                double[] m = moments[0];
                double[] v = moments[1];
                double b1 = o.beta1();
                double b2 = o.beta2();
                double eps = o.epsilon();
                double c1 = 1.0 - StrictMath.pow(b1, (double) t);
                double c2 = 1.0 - StrictMath.pow(b2, (double) t);
                double decoupled = spec.optimizer() == Optimizer.ADAMW ? lr * o.weightDecay() : 0.0;
                for (int k = from; k < to; k++) {
                    double pk = p[k] - decoupled * p[k];
                    double gk = g[k] + l2 * p[k];
                    double mk = b1 * m[k] + (1.0 - b1) * gk;
                    double vk = b2 * v[k] + (1.0 - b2) * gk * gk;
                    m[k] = mk;
                    v[k] = vk;
                    p[k] = pk - lr * (mk / c1) / (Math.sqrt(vk / c2) + eps);
                }
            }
        }
    }

    /** {@code ‖g‖} over the trained parameters as {@code m·‖g/m‖}, {@code m = max|g_k|}: no square overflows. */
    private double scaledNorm(double[] g, boolean biases) {
        double m = 0.0;
        for (int l = 1; l <= depth; l++) {
            m = Math.max(m, maxAbs(g, layout.weightOffset(l), layout.weightOffset(l) + layout.weightCount(l)));
            if (biases) {
                m = Math.max(m, maxAbs(g, layout.biasOffset(l), layout.biasOffset(l) + size[l]));
            }
        }
        double s = 0.0;
        for (int l = 1; l <= depth; l++) {
            s += scaledSquares(g, layout.weightOffset(l), layout.weightCount(l), m);
            if (biases) {
                s += scaledSquares(g, layout.biasOffset(l), size[l], m);
            }
        }
        return m * Math.sqrt(s);
    }

    private static double scaledSquares(double[] v, int from, int count, double m) {
        double s = 0.0;
        for (int k = from; k < from + count; k++) {
            double r = v[k] / m;
            s += r * r;
        }
        return s;
    }

    private static double sumOfSquares(double[] v, int from, int count) {
        double s = 0.0;
        for (int k = from; k < from + count; k++) {
            s += v[k] * v[k];
        }
        return s;
    }

    /** The index of the first non-finite parameter ({@code k}) or state entry ({@code n·(v+1) + k}), or −1. */
    private int firstNonFinite() {
        int n = params.length;
        for (int k = 0; k < n; k++) {
            if (!Double.isFinite(params[k])) {
                return k;
            }
        }
        for (int v = 0; v < moments.length; v++) {
            double[] m = moments[v];
            for (int k = 0; k < n; k++) {
                if (!Double.isFinite(m[k])) {
                    return n * (v + 1) + k;
                }
            }
        }
        return -1;
    }

    /**
     * Zeroes the optimizer's state (velocity, moments) and restarts its update count, so Adam's bias
     * correction and the learning-rate schedule start over; the parameters stay. What a drift
     * detection may ask for ({@code "onDrift": "reset-optimizer"}).
     */
    public void resetOptimizer() {
        for (double[] m : moments) {
            Arrays.fill(m, 0.0);
        }
        optimizerStep = 0;
        velocityBound = 0.0;
    }

    /**
     * The exact path: saves the state, updates, scans every parameter and restores the saved state
     * if any became non-finite. {@code sequential} recomputes each hidden delta after the layer
     * above has moved.
     */
    private void applyChecked(boolean sequential) {
        if (inputRows == null) {
            applyCheckedRowMajor(sequential);
            return;
        }
        // the rare exact path works on params; the first layer's rows follow it, whatever the outcome
        syncParams();
        updatingRowMajor = true;
        try {
            applyCheckedRowMajor(sequential);
        } finally {
            updatingRowMajor = false;
            loadInputRows();
        }
    }

    private void applyCheckedRowMajor(boolean sequential) {
        int n = params.length;
        if (backup == null) {
            backup = new double[velocity == null ? n : 2 * n];
        }
        System.arraycopy(params, 0, backup, 0, n);
        if (velocity != null) {
            System.arraycopy(velocity, 0, backup, n, n);
        }
        for (int l = depth; l >= 1; l--) {
            if (sequential && l < depth) {
                backpropagate(l + 1);
            }
            update(l);
        }
        int bad = -1;
        double badValue = 0.0;
        for (int k = 0; k < n && bad < 0; k++) {
            if (!Double.isFinite(params[k]) || (velocity != null && !Double.isFinite(velocity[k]))) {
                bad = k;
                badValue = params[k];
            }
        }
        if (bad >= 0) {
            System.arraycopy(backup, 0, params, 0, n);
            if (velocity != null) {
                System.arraycopy(backup, n, velocity, 0, n);
            }
            throw new StepRejectedException("step " + (step + 1) + " would make parameter " + bad + " " + badValue
                    + " (learning rate " + eta + ")");
        }
        paramBound = maxAbs(params, 0, n);
        velocityBound = velocity == null ? 0.0 : maxAbs(velocity, 0, n);
    }

    private void checkSample(double[] input, double[] target) {
        checkVector(input, size[0], "input");
        checkVector(target, size[depth], "target");
    }

    private static void checkVector(double[] v, int expected, String what) {
        if (v == null || v.length != expected) {
            throw new IllegalArgumentException(what + " has " + (v == null ? 0 : v.length) + " values, the network expects " + expected);
        }
        for (int i = 0; i < v.length; i++) {
            if (!Double.isFinite(v[i])) {
                throw new IllegalArgumentException(what + "[" + i + "] is " + v[i] + "; values must be finite");
            }
        }
    }

    static double dot(double[] w, int off, double[] a, int n) {
        double s0 = 0.0;
        double s1 = 0.0;
        double s2 = 0.0;
        double s3 = 0.0;
        int i = 0;
        // "i < n - 3", not "i + 3 < n": only this form is a counted loop for C2 (range checks hoisted)
        int limit = n - 3;
        for (; i < limit; i += 4) {
            s0 += w[off + i] * a[i];
            s1 += w[off + i + 1] * a[i + 1];
            s2 += w[off + i + 2] * a[i + 2];
            s3 += w[off + i + 3] * a[i + 3];
        }
        double s = (s0 + s1) + (s2 + s3);
        for (; i < n; i++) {
            s += w[off + i] * a[i];
        }
        return s;
    }

    /**
     * {@code z[j+k] = dot(w, off + k·n, a, n)} for {@code k = 0..3} in one pass, each row summed
     * exactly as {@link #dot} sums it.
     */
    static void dot4(double[] w, int off, double[] a, int n, double[] z, int j) {
        int off1 = off + n;
        int off2 = off1 + n;
        int off3 = off2 + n;
        double s0 = 0.0;
        double s1 = 0.0;
        double s2 = 0.0;
        double s3 = 0.0;
        double t0 = 0.0;
        double t1 = 0.0;
        double t2 = 0.0;
        double t3 = 0.0;
        double u0 = 0.0;
        double u1 = 0.0;
        double u2 = 0.0;
        double u3 = 0.0;
        double v0 = 0.0;
        double v1 = 0.0;
        double v2 = 0.0;
        double v3 = 0.0;
        int i = 0;
        int limit = n - 3;
        for (; i < limit; i += 4) {
            double a0 = a[i];
            double a1 = a[i + 1];
            double a2 = a[i + 2];
            double a3 = a[i + 3];
            s0 += w[off + i] * a0;
            t0 += w[off1 + i] * a0;
            u0 += w[off2 + i] * a0;
            v0 += w[off3 + i] * a0;
            s1 += w[off + i + 1] * a1;
            t1 += w[off1 + i + 1] * a1;
            u1 += w[off2 + i + 1] * a1;
            v1 += w[off3 + i + 1] * a1;
            s2 += w[off + i + 2] * a2;
            t2 += w[off1 + i + 2] * a2;
            u2 += w[off2 + i + 2] * a2;
            v2 += w[off3 + i + 2] * a2;
            s3 += w[off + i + 3] * a3;
            t3 += w[off1 + i + 3] * a3;
            u3 += w[off2 + i + 3] * a3;
            v3 += w[off3 + i + 3] * a3;
        }
        double s = (s0 + s1) + (s2 + s3);
        double t = (t0 + t1) + (t2 + t3);
        double u = (u0 + u1) + (u2 + u3);
        double v = (v0 + v1) + (v2 + v3);
        for (; i < n; i++) {
            double ai = a[i];
            s += w[off + i] * ai;
            t += w[off1 + i] * ai;
            u += w[off2 + i] * ai;
            v += w[off3 + i] * ai;
        }
        z[j] = s;
        z[j + 1] = t;
        z[j + 2] = u;
        z[j + 3] = v;
    }

    /**
     * {@code Σ|v[i]|} over the first {@code n} entries, an upper bound of {@code max|v[i]|} for the
     * finiteness proof of {@link #applyWithinBound}: every term is ≥ 0 and rounding is monotonic, so
     * the rounded sum is never below its largest term. Unlike {@link #maxAbs} it has no branch per
     * entry (for a layer of two the maximum's branch is mispredicted about every other step), and a
     * NaN entry makes it NaN, so a NaN is never bounded away. Four partial sums, so that a wide
     * layer is not one chain of dependent additions.
     */
    private static double sumAbs(double[] v, int n) {
        double s0 = 0.0;
        double s1 = 0.0;
        double s2 = 0.0;
        double s3 = 0.0;
        int i = 0;
        for (int limit = n - 3; i < limit; i += 4) {
            s0 += Math.abs(v[i]);
            s1 += Math.abs(v[i + 1]);
            s2 += Math.abs(v[i + 2]);
            s3 += Math.abs(v[i + 3]);
        }
        double s = (s0 + s1) + (s2 + s3);
        for (; i < n; i++) {
            s += Math.abs(v[i]);
        }
        return s;
    }

    /**
     * {@code max|v[i]|} over the range, or NaN as soon as an entry is NaN: a NaN must never be
     * bounded away, or a NaN delta would pass the finiteness proof of {@link #applyWithinBound}.
     */
    private static double maxAbs(double[] v, int from, int to) {
        double m = 0.0;
        for (int i = from; i < to; i++) {
            double x = Math.abs(v[i]);
            if (!(x <= m)) {
                if (Double.isNaN(x)) {
                    return x;
                }
                m = x;
            }
        }
        return m;
    }

    /** True if this network's steps take {@link #lectureShapedStep}; for tests. */
    boolean usesLectureShapedStep() {
        return lectureShaped;
    }

    /** The spec this network was built from. */
    public NetworkSpec spec() {
        return spec;
    }

    /** Where each layer's weights and biases sit in {@link #parameters()}. */
    public ParameterLayout layout() {
        return layout;
    }

    /** Number of steps applied so far. */
    public long step() {
        return step;
    }

    /** A copy of the flat parameter vector. */
    public double[] parameters() {
        syncParams();
        return params.clone();
    }

    /** Parameter {@code k} of the flat vector. */
    public double parameter(int k) {
        syncParams();
        return params[k];
    }

    /** Writes the parameter vector into {@code dst} in one bulk copy (for serialisation). */
    public void writeParameters(java.nio.DoubleBuffer dst) {
        syncParams();
        dst.put(params);
    }

    /** Writes optimizer state vector {@code v} into {@code dst} in one bulk copy. */
    public void writeMoment(int v, java.nio.DoubleBuffer dst) {
        dst.put(moments[v]);
    }

    /** A copy of the momentum velocity, or null for an optimizer without one. */
    public double[] velocity() {
        return spec.optimizer().usesMomentum() ? moments[0].clone() : null;
    }

    /** Copies of the optimizer's state vectors ({@link Optimizer#stateVectors()} of them). */
    public double[][] moments() {
        double[][] copy = new double[moments.length][];
        for (int v = 0; v < moments.length; v++) {
            copy[v] = moments[v].clone();
        }
        return copy;
    }

    /** Updates since the optimizer's state was last zeroed (equal to {@link #step()} unless it was reset). */
    public long optimizerStep() {
        return optimizerStep;
    }

    /** A copy of the running input statistics, or null when inputs are not standardised. */
    public InputStandardizer standardizer() {
        return standardizer == null ? null : standardizer.copy();
    }

    /** A copy of layer {@code l}'s weight matrix, row-major ({@code n_l·n_{l−1}} values). */
    public double[] weights(int l) {
        syncParams();
        return Arrays.copyOfRange(params, layout.weightOffset(l), layout.weightOffset(l) + layout.weightCount(l));
    }

    /** A copy of layer {@code l}'s biases. */
    public double[] biases(int l) {
        return Arrays.copyOfRange(params, layout.biasOffset(l), layout.biasOffset(l) + size[l]);
    }

    /** An independent copy with the same spec, parameters, step, optimizer state and input statistics. */
    public Network copy() {
        syncParams();
        return new Network(spec, params, step, optimizerStep, moments, standardizer);
    }
}
