package io.backpropstreams.nn;

import io.backpropstreams.nn.LectureReproduction.Checkpoint;
import io.backpropstreams.nn.LectureReproduction.Figure;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Checks the core against every figure of the lecture's golden reference
 * ({@code shared/reference/lecture-golden.json}), copied here as literals so the tests never read
 * outside the project. Full-precision figures are checked to 1e-12 relative (absolute floor
 * 1e-15); the lecture's own printed figures are checked at the precision they are printed.
 */
class LectureGoldenTest {

    private static final double RELATIVE = 1e-12;
    private static final double ABSOLUTE_FLOOR = 1e-15;

    // ---- forward_before_training -------------------------------------------------------------
    private static final double NET_H1 = 0.3775;
    private static final double NET_H2 = 0.39249999999999996;
    private static final double OUT_H1 = 0.5932699921071872;
    private static final double OUT_H2 = 0.596884378259767;
    private static final double NET_O1 = 1.10590596705977;
    private static final double NET_O2 = 1.2249214040964653;
    private static final double OUT_O1 = 0.7513650695523157;
    private static final double OUT_O2 = 0.7729284653214625;
    private static final double E_O1 = 0.274811083176155;
    private static final double E_O2 = 0.023560025583847746;
    private static final double E_TOTAL = 0.2983711087600027;

    // ---- gradients_step1 ---------------------------------------------------------------------
    private static final double[] DE_DW = {
        0.0004385677344743465, 0.000877135468948693, 0.0004977127352608599, 0.0009954254705217198,
        0.08216704056423077, 0.08266762784753325, -0.02260254047747507, -0.022740242215978222,
    };
    private static final double DELTA_H1 = 0.00877135468948693;
    private static final double DELTA_H2 = 0.009954254705217196;
    private static final double DELTA_O1 = 0.13849856162855695;
    private static final double DELTA_O2 = -0.038098236516556236;

    // ---- lecture_post_figures (the lecture's text, at the precision it prints) ----------------
    private static final String PRINTED_E_BEFORE = "0.298371109";
    private static final String PRINTED_E_AFTER_1 = "0.291027924";
    private static final String PRINTED_E_AFTER_10000 = "0.0000351085";
    private static final String PRINTED_O1_AFTER_10000 = "0.015912196";
    private static final String PRINTED_O2_AFTER_10000 = "0.984065734";
    private static final String[] PRINTED_W_AFTER_1 = {
        "0.149780716", "0.19956143", "0.24975114", "0.29950229", "0.35891648", "0.408666186", "0.51130127", "0.561370121",
    };

    /** The flat index of w(k+1) in the lecture network's parameter vector [w1..w4, b, b, w5..w8, b, b]. */
    private static final int[] W_INDEX = {0, 1, 2, 3, 6, 7, 8, 9};

    private static final long[] CHECKPOINTS = {1, 2, 10, 100, 1000, 9999, 10000};

    /** One trajectory checkpoint: the state after {@code step} updates. */
    private record Golden(String combo, long step, double error, double outO1, double outO2,
                          double[] w, double[] biasHidden, double[] biasOutput) {
    }

    // ---- trajectories -------------------------------------------------------------------------
    private static final List<Golden> TRAJECTORIES = List.of(
            // simultaneous/frozen
            golden("simultaneous/frozen", 1, 0.29102777369359933, 0.7420881111907824, 0.7752849682944595,
                    w(0.1497807161327628, 0.19956143226552567, 0.24975114363236958, 0.29950228726473915,
                      0.35891647971788465, 0.4086661860762334, 0.5113012702387375, 0.5613701211079891),
                    b(0.35, 0.35), b(0.6, 0.6)),
            golden("simultaneous/frozen", 2, 0.28354713312241997, 0.7324768705997207, 0.7775819271030018,
                    w(0.1495927177634872, 0.19918543552697449, 0.2495330148608577, 0.29906602972171537,
                      0.31735386199923843, 0.3668504722463087, 0.522397326244698, 0.5725337466940144),
                    b(0.35, 0.35), b(0.6, 0.6)),
            golden("simultaneous/frozen", 10, 0.22091859205390404, 0.6451737282231507, 0.7940624612716817,
                    w(0.14935777574847958, 0.19871555149695921, 0.2490446949384014, 0.2980893898768028,
                      -0.025550143828731615, 0.021863082364079113, 0.6044820344767919, 0.6551172066631201),
                    b(0.35, 0.35), b(0.6, 0.6)),
            golden("simultaneous/frozen", 100, 0.02004682824942521, 0.17580714171563705, 0.8777429367258297,
                    w(0.1912020091466572, 0.2824040182933144, 0.2897908430448617, 0.3795816860897223,
                      -1.8133583581138764, -1.7766501168669946, 1.1205048465622143, 1.1742237076265867),
                    b(0.35, 0.35), b(0.6, 0.6)),
            golden("simultaneous/frozen", 1000, 0.001114349453733746, 0.04405288511514458, 0.9573029065083415,
                    w(0.2820419392605305, 0.4640838785210599, 0.3805890849512254, 0.5611781699024483,
                      -3.0640975297007556, -3.034730378052809, 2.0517051904569836, 2.110885730396752),
                    b(0.35, 0.35), b(0.6, 0.6)),
            golden("simultaneous/frozen", 9999, 3.510854812251261e-05, 0.015914185034957177, 0.9840637123033571,
                    w(0.37850624905947117, 0.6570124981189414, 0.47729695649769616, 0.7545939129953899,
                      -3.8929490892330536, -3.868388415953142, 2.861782695383448, 2.9256605505889897),
                    b(0.35, 0.35), b(0.6, 0.6)),
            golden("simultaneous/frozen", 10000, 3.510187782978859e-05, 0.01591362044355068, 0.9840642735146238,
                    w(0.3785099883501318, 0.6570199767002626, 0.47730070568478583, 0.7546014113695693,
                      -3.8929771988657245, -3.8684166877036152, 2.861810948620059, 2.9256889667716157),
                    b(0.35, 0.35), b(0.6, 0.6)),
            // simultaneous/trained
            golden("simultaneous/trained", 1, 0.28047144679143016, 0.7284417622337656, 0.7783769203009705,
                    w(0.1497807161327628, 0.19956143226552567, 0.24975114363236958, 0.29950228726473915,
                      0.35891647971788465, 0.4086661860762334, 0.5113012702387375, 0.5613701211079891),
                    b(0.3456143226552565, 0.3450228726473914), b(0.5307507191857215, 0.6190491182582781)),
            golden("simultaneous/trained", 2, 0.2619076230693008, 0.703669009336258, 0.7835089550971855,
                    w(0.14958544684490951, 0.19917089368981908, 0.24952483590410193, 0.29904967180820385,
                      0.3168354490539525, 0.3663383530621076, 0.5221107538318487, 0.5722430015788162),
                    b(0.3417089368981907, 0.34049671808203813), b(0.4596916700336254, 0.6373022744626964)),
            golden("simultaneous/trained", 10, 0.12552703804413207, 0.4800361147284623, 0.8164484890897346,
                    w(0.14924355299083236, 0.19848710598166475, 0.24893148792036401, 0.297862975840728,
                      -0.010639161179773177, 0.03731298261468553, 0.5946013398418177, 0.6450784563841612),
                    b(0.33487105981664744, 0.32862975840728), b(-0.09570237872460872, 0.7602383543239546)),
            golden("simultaneous/trained", 100, 0.006083131061206281, 0.09482409183379173, 0.9194937196628199,
                    w(0.1590237375006054, 0.2180474750012107, 0.25831505349523937, 0.3166301069904785,
                      -0.7549815729857524, -0.7082291535252727, 0.8989772189880595, 0.9498349837375194),
                    b(0.5304747500121066, 0.5163010699047855), b(-1.3246571463584522, 1.2585654699091167)),
            golden("simultaneous/trained", 1000, 0.00027070458789574324, 0.02674021545533896, 0.9738391101018441,
                    w(0.17259229050385366, 0.24518458100770787, 0.2718586472523723, 0.343717294504745,
                      -1.1860415647514957, -1.1393256232893179, 1.268205020686236, 1.3190925036765697),
                    b(0.8018458100770772, 0.7871729450474486), b(-1.9727139359609958, 1.812533845084999)),
            golden("simultaneous/trained", 9999, 2.4483375576262603e-06, 0.011587777845772156, 0.988458689963788,
                    w(0.18247604170666187, 0.26495208341332516, 0.28174974053065827, 0.3634994810613132,
                      -1.450005884422842, -1.4033057390178347, 1.5220611685981777, 1.5729638603175582),
                    b(0.99952083413323, 0.9849948106131451), b(-2.340579124652089, 2.1662716588696216)),
            golden("simultaneous/trained", 10000, 2.4475622359322466e-06, 0.011587527390870083, 0.9884589350256716,
                    w(0.18247629859909445, 0.2649525971981903, 0.2817499976086276, 0.3634999952172519,
                      -1.450012594107061, -1.403312449216215, 1.5220676561032973, 1.5729703483198136),
                    b(0.9995259719818814, 0.984999952172532), b(-2.34058821745986, 2.166280450585452)),
            // sequential/frozen
            golden("sequential/frozen", 1, 0.29102792390544197, 0.7420884384791137, 0.7752853846239224,
                    w(0.14981763856120295, 0.19963527712240592, 0.2497881851977662, 0.29957637039553237,
                      0.35891647971788465, 0.4086661860762334, 0.5113012702387375, 0.5613701211079891),
                    b(0.35, 0.35), b(0.6, 0.6)),
            golden("sequential/frozen", 2, 0.2835473640696851, 0.7324774410581788, 0.7775827801203584,
                    w(0.14966727570484678, 0.19933455140969358, 0.2496078133849986, 0.2992156267699972,
                      0.31735372178413035, 0.36685033206970946, 0.522397331790387, 0.5725337520352419),
                    b(0.35, 0.35), b(0.6, 0.6)),
            golden("sequential/frozen", 10, 0.22091633745848366, 0.6451716776284808, 0.7940673206032527,
                    w(0.1497484571099687, 0.19949691421993737, 0.24943663547289804, 0.2988732709457961,
                      -0.0255575965284291, 0.021855627484719857, 0.6044820590916107, 0.6551172213016602),
                    b(0.35, 0.35), b(0.6, 0.6)),
            golden("sequential/frozen", 100, 0.02003975195077381, 0.17577566798516053, 0.8777594912448209,
                    w(0.19260336826463145, 0.2852067365292627, 0.29119676941529515, 0.38239353883059013,
                      -1.8132873825082048, -1.7765776537317852, 1.1204721691780815, 1.174190508533394),
                    b(0.35, 0.35), b(0.6, 0.6)),
            golden("sequential/frozen", 1000, 0.0011139404339445356, 0.044046562046952446, 0.9573088317634244,
                    w(0.2834940164061778, 0.46698803281235457, 0.3820457354210241, 0.5640914708420478,
                      -3.063783872010327, -3.034412796558039, 2.0515260660948154, 2.110704470440847),
                    b(0.35, 0.35), b(0.6, 0.6)),
            golden("sequential/frozen", 9999, 3.509145381072163e-05, 0.015912760820058332, 0.9840651733718476,
                    w(0.3799154454946489, 0.6598308909892977, 0.4787102888841541, 0.7574205777683078,
                      -3.892490900214216, -3.8679247767405527, 2.8614616423001795, 2.925335866269654),
                    b(0.35, 0.35), b(0.6, 0.6)),
            golden("sequential/frozen", 10000, 3.5084786296312774e-05, 0.0159121963260343, 0.9840657344856291,
                    w(0.37991918286199317, 0.6598383657239862, 0.4787140361300491, 0.7574280722600978,
                      -3.8925190044940283, -3.867953043083819, 2.8614898899457444, 2.925364276805392),
                    b(0.35, 0.35), b(0.6, 0.6)),
            // sequential/trained
            golden("sequential/trained", 1, 0.2804840766059972, 0.7284691836243531, 0.7784103372228454,
                    w(0.14981763856120295, 0.19963527712240592, 0.2497881851977662, 0.29957637039553237,
                      0.35891647971788465, 0.4086661860762334, 0.5113012702387375, 0.5613701211079891),
                    b(0.34635277122405905, 0.3457637039553237), b(0.5307507191857215, 0.6190491182582781)),
            golden("sequential/trained", 2, 0.26192834808524407, 0.7037190589135128, 0.7835767370894496,
                    w(0.14966086689571695, 0.1993217337914339, 0.24960049972513393, 0.29920099945026785,
                      0.3168236788242213, 0.3663265824604402, 0.5221111759924638, 0.5722434085828019),
                    b(0.34321733791433884, 0.34200999450267866), b(0.4596934587593555, 0.6372974237171491)),
            golden("sequential/trained", 10, 0.12540320493905466, 0.47988438712863246, 0.8167514138272441,
                    w(0.14960864565721163, 0.1992172913144233, 0.24929766733512745, 0.2985953346702549,
                      -0.011204665970338985, 0.03674688838857813, 0.5946075118451192, 0.6450842252399964),
                    b(0.3421729131442332, 0.33595334670255006), b(-0.09568767693573287, 0.7600360888773451)),
            golden("sequential/trained", 100, 0.006053919318846785, 0.09462378287623155, 0.9196675465420835,
                    w(0.15959391507725448, 0.21918783015450904, 0.2588878488604627, 0.31777569772092534,
                      -0.7564828898483763, -0.7097373150874109, 0.8988807131240818, 0.9497404951807461),
                    b(0.5418783015450901, 0.5277569772092536), b(-1.3211583441751786, 1.2560958962820457)),
            golden("sequential/trained", 1000, 0.0002697846023284517, 0.026710152315064958, 0.9738649445534193,
                    w(0.17308633558100803, 0.24617267116201616, 0.2723553779203199, 0.3447107558406401,
                      -1.1875371958026228, -1.140835650929843, 1.268158566298646, 1.3190545261929503),
                    b(0.8117267116201636, 0.7971075584063945), b(-1.9668546109672314, 1.808140972491965)),
            golden("sequential/trained", 9999, 2.4381048904383838e-06, 0.01158407714158198, 0.9884615236789621,
                    w(0.18291221985048886, 0.2658244397009773, 0.28218848693836507, 0.3643769738767291,
                      -1.4515206684853055, -1.4048387563119615, 1.5221360373261439, 1.57305090191229),
                    b(1.0082443970098025, 0.9937697387672777), b(-2.3337704534187966, 2.1611091135760945)),
            golden("sequential/trained", 10000, 2.4373324124650675e-06, 0.01158382711768914, 0.9884617683899352,
                    w(0.1829124751974233, 0.26582495039484616, 0.2821887424679662, 0.36437748493593136,
                      -1.4515273758769498, -1.4048454643050654, 1.5221425262878732, 1.5730573914558919),
                    b(1.0082495039484913, 0.9937748493593002), b(-2.333779522170376, 2.1611178869987677))
    );

    private static Golden golden(String combo, long step, double error, double o1, double o2,
                                 double[] w, double[] bh, double[] bo) {
        return new Golden(combo, step, error, o1, o2, w, bh, bo);
    }

    private static double[] w(double... w) {
        return w;
    }

    private static double[] b(double... b) {
        return b;
    }

    /** Networks of the lecture setup (frozen biases) after 0, 1, 9,999 and 10,000 steps, per rule. */
    private static final Map<UpdateRule, Map<Long, Network>> LECTURE_RUNS = new HashMap<>();

    @BeforeAll
    static void trainLectureNetworks() {
        for (UpdateRule rule : UpdateRule.values()) {
            Network net = Lecture.network(Lecture.spec(rule, false));
            Map<Long, Network> runs = new TreeMap<>();
            runs.put(0L, net.copy());
            for (long s = 1; s <= 10_000; s++) {
                net.step(Lecture.INPUT, Lecture.TARGET);
                if (s == 1 || s == 9_999 || s == 10_000) {
                    runs.put(s, net.copy());
                }
            }
            LECTURE_RUNS.put(rule, runs);
        }
    }

    // ================================ forward_before_training ===================================

    @Test
    void forwardPassBeforeTrainingMatchesLectureFigures() {
        Network net = Lecture.network();
        double e = net.loss(Lecture.INPUT, Lecture.TARGET);

        double[] netH = net.netInput(1);
        double[] outH = net.layerOutput(1);
        double[] netO = net.netInput(2);
        double[] outO = net.layerOutput(2);
        assertClose(NET_H1, netH[0], "net_h1");
        assertClose(NET_H2, netH[1], "net_h2");
        assertClose(OUT_H1, outH[0], "out_h1");
        assertClose(OUT_H2, outH[1], "out_h2");
        assertClose(NET_O1, netO[0], "net_o1");
        assertClose(NET_O2, netO[1], "net_o2");
        assertClose(OUT_O1, outO[0], "out_o1");
        assertClose(OUT_O2, outO[1], "out_o2");
        assertClose(E_O1, Loss.SQUARED_ERROR.value(new double[] {outO[0]}, new double[] {Lecture.TARGET[0]}, 1), "E_o1");
        assertClose(E_O2, Loss.SQUARED_ERROR.value(new double[] {outO[1]}, new double[] {Lecture.TARGET[1]}, 1), "E_o2");
        assertClose(E_TOTAL, e, "E_total from loss()");

        double[] copied = new double[2];
        net.copyOutput(copied);
        assertClose(OUT_O1, copied[0], "copyOutput o1");
        assertClose(OUT_O2, copied[1], "copyOutput o2");
        double[] predicted = new double[2];
        net.predict(Lecture.INPUT, predicted);
        assertClose(OUT_O1, predicted[0], "predict o1");
        assertClose(OUT_O2, predicted[1], "predict o2");
    }

    @Test
    void gradientReturnsErrorBeforeTrainingForEveryRuleAndBiasSetting() {
        for (UpdateRule rule : UpdateRule.values()) {
            for (boolean trainBiases : new boolean[] {false, true}) {
                Network net = Lecture.network(Lecture.spec(rule, trainBiases));
                double e = net.gradient(Lecture.INPUT, Lecture.TARGET, new double[12]);
                assertClose(E_TOTAL, e, "E_total from gradient() under " + rule + ", trainBiases " + trainBiases);
            }
        }
    }

    // ==================================== gradients_step1 =======================================

    @Test
    void gradientAtInitialWeightsMatchesLectureDerivatives() {
        Network net = Lecture.network();
        double[] g = new double[net.layout().parameterCount()];
        net.gradient(Lecture.INPUT, Lecture.TARGET, g);

        for (int k = 0; k < 8; k++) {
            assertClose(DE_DW[k], g[W_INDEX[k]], "dE/dw" + (k + 1));
        }
        double[] deltaH = net.delta(1);
        double[] deltaO = net.delta(2);
        assertClose(DELTA_H1, deltaH[0], "delta_h1");
        assertClose(DELTA_H2, deltaH[1], "delta_h2");
        assertClose(DELTA_O1, deltaO[0], "delta_o1");
        assertClose(DELTA_O2, deltaO[1], "delta_o2");
        // ∂E/∂b = δ, reported even though the lecture keeps its biases frozen
        assertClose(DELTA_H1, g[4], "dE/db_h1");
        assertClose(DELTA_H2, g[5], "dE/db_h2");
        assertClose(DELTA_O1, g[10], "dE/db_o1");
        assertClose(DELTA_O2, g[11], "dE/db_o2");
    }

    @Test
    void gradientDoesNotTrain() {
        Network net = Lecture.network();
        double[] before = net.parameters();
        net.gradient(Lecture.INPUT, Lecture.TARGET, new double[12]);
        assertEquals(0L, net.step());
        assertBitIdentical(before, net.parameters(), "parameters after gradient()");
    }

    // ====================================== trajectories ========================================

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"simultaneous/frozen", "simultaneous/trained", "sequential/frozen", "sequential/trained"})
    void replayingLectureSample10000TimesReproducesGoldenTrajectory(String combo) {
        String[] parts = combo.split("/");
        UpdateRule rule = UpdateRule.parse(parts[0]);
        boolean trainBiases = parts[1].equals("trained");
        Map<Long, Golden> golden = new TreeMap<>();
        for (Golden g : TRAJECTORIES) {
            if (g.combo().equals(combo)) {
                golden.put(g.step(), g);
            }
        }
        assertEquals(CHECKPOINTS.length, golden.size(), "golden checkpoints for " + combo);

        Network net = Lecture.network(Lecture.spec(rule, trainBiases));
        int checked = 0;
        for (long s = 1; s <= 10_000; s++) {
            double returned = net.step(Lecture.INPUT, Lecture.TARGET);
            // step s returns the error before its update, i.e. the error after s − 1 steps
            if (s == 1) {
                assertClose(E_TOTAL, returned, combo + ": step 1 returns the error before training");
            } else if (golden.containsKey(s - 1)) {
                assertClose(golden.get(s - 1).error(), returned, combo + ": step " + s + " returns the error after " + (s - 1));
            }
            Golden g = golden.get(s);
            if (g == null) {
                continue;
            }
            checked++;
            String at = combo + " after " + s + " steps: ";
            assertEquals(s, net.step(), at + "step count");
            double e = net.loss(Lecture.INPUT, Lecture.TARGET);
            double[] out = new double[2];
            net.copyOutput(out);
            assertClose(g.error(), e, at + "E_total");
            assertClose(g.outO1(), out[0], at + "out_o1");
            assertClose(g.outO2(), out[1], at + "out_o2");
            double[] w = Lecture.w1ToW8(net);
            for (int k = 0; k < 8; k++) {
                assertClose(g.w()[k], w[k], at + "w" + (k + 1));
            }
            double[] bh = net.biases(1);
            double[] bo = net.biases(2);
            for (int j = 0; j < 2; j++) {
                assertClose(g.biasHidden()[j], bh[j], at + "b_hidden[" + j + "]");
                assertClose(g.biasOutput()[j], bo[j], at + "b_output[" + j + "]");
            }
        }
        assertEquals(CHECKPOINTS.length, checked, "checkpoints visited");
    }

    // ================================== lecture_post_figures ====================================

    @Test
    void printedErrorBeforeTrainingIsTheSimultaneousFrozenError() {
        Network net = LECTURE_RUNS.get(UpdateRule.SIMULTANEOUS).get(0L);
        assertRoundsTo(PRINTED_E_BEFORE, net.loss(Lecture.INPUT, Lecture.TARGET), "E_total before training");
    }

    @Test
    void printedWeightsAfterOneStepAreTheSimultaneousFrozenUpdate() {
        double[] sim = Lecture.w1ToW8(LECTURE_RUNS.get(UpdateRule.SIMULTANEOUS).get(1L));
        double[] seq = Lecture.w1ToW8(LECTURE_RUNS.get(UpdateRule.SEQUENTIAL).get(1L));
        for (int k = 0; k < 8; k++) {
            assertRoundsTo(PRINTED_W_AFTER_1[k], sim[k], "simultaneous w" + (k + 1) + "⁺");
        }
        // the hidden-layer weights tell the rules apart: the sequential ones miss the printed w1⁺..w4⁺
        for (int k = 0; k < 4; k++) {
            assertFalse(roundsTo(seq[k], PRINTED_W_AFTER_1[k]),
                    "sequential w" + (k + 1) + "⁺ = " + seq[k] + " should not round to " + PRINTED_W_AFTER_1[k]);
        }
    }

    @Test
    void printedErrorAfterFirstRoundIsTheSequentialFrozenError() {
        double seq = error(UpdateRule.SEQUENTIAL, 1);
        double sim = error(UpdateRule.SIMULTANEOUS, 1);
        assertRoundsTo(PRINTED_E_AFTER_1, seq, "sequential E after 1 step");
        assertFalse(roundsTo(sim, PRINTED_E_AFTER_1), "simultaneous E after 1 step " + sim + " should not round to " + PRINTED_E_AFTER_1);
    }

    @Test
    void replayingLectureSample10000TimesReproducesLectureOutputs() {
        Network seq = LECTURE_RUNS.get(UpdateRule.SEQUENTIAL).get(10_000L);
        double[] out = new double[2];
        seq.loss(Lecture.INPUT, Lecture.TARGET);
        seq.copyOutput(out);
        assertRoundsTo(PRINTED_O1_AFTER_10000, out[0], "sequential o1 after 10,000 steps");
        assertRoundsTo(PRINTED_O2_AFTER_10000, out[1], "sequential o2 after 10,000 steps");

        Network sim = LECTURE_RUNS.get(UpdateRule.SIMULTANEOUS).get(10_000L);
        sim.loss(Lecture.INPUT, Lecture.TARGET);
        sim.copyOutput(out);
        assertFalse(roundsTo(out[0], PRINTED_O1_AFTER_10000), "simultaneous o1 " + out[0] + " should not round to the printed o1");
    }

    @Test
    void printedErrorAfter10000RoundsIsTheSimultaneousErrorAfter9999Steps() {
        assertRoundsTo(PRINTED_E_AFTER_10000, error(UpdateRule.SIMULTANEOUS, 9_999), "simultaneous E after 9,999 steps");
        double sim10000 = error(UpdateRule.SIMULTANEOUS, 10_000);
        assertFalse(roundsTo(sim10000, PRINTED_E_AFTER_10000),
                "simultaneous E after 10,000 steps " + sim10000 + " must not round to " + PRINTED_E_AFTER_10000);
        double seq10000 = error(UpdateRule.SEQUENTIAL, 10_000);
        double seq9999 = error(UpdateRule.SEQUENTIAL, 9_999);
        assertFalse(roundsTo(seq10000, PRINTED_E_AFTER_10000), "sequential E after 10,000 steps " + seq10000);
        assertFalse(roundsTo(seq9999, PRINTED_E_AFTER_10000), "sequential E after 9,999 steps " + seq9999);
    }

    @Test
    void compareMarksEachLectureFigureWithTheRuleThatReproducesIt() {
        List<Figure> rows = LectureReproduction.compare(checkpoints(UpdateRule.SIMULTANEOUS), checkpoints(UpdateRule.SEQUENTIAL));

        List<String> expected = new ArrayList<>();
        expected.add("error before training|0.298371109|0|both");
        expected.add("error after the first round|0.291027924|1|sequential");
        for (int k = 0; k < 8; k++) {
            expected.add("w" + (k + 1) + "⁺ after the first round|" + PRINTED_W_AFTER_1[k] + "|1|"
                    + (k < 4 ? "simultaneous" : "both"));
        }
        expected.add("error after 10,000 rounds|0.0000351085|10000|neither");
        expected.add("error after 10,000 rounds|0.0000351085|9999|simultaneous");
        expected.add("o1 after 10,000 rounds|0.015912196|10000|sequential");
        expected.add("o2 after 10,000 rounds|0.984065734|10000|sequential");

        List<String> actual = new ArrayList<>();
        for (Figure f : rows) {
            actual.add(f.figure() + "|" + f.printed() + "|" + f.step() + "|" + f.reproducedBy());
        }
        assertEquals(expected, actual);

        // the numbers beside each printed figure are the golden ones
        Map<Long, Golden> sim = goldenOf("simultaneous/frozen");
        Map<Long, Golden> seq = goldenOf("sequential/frozen");
        assertClose(E_TOTAL, rows.get(0).simultaneous(), "row 0 simultaneous");
        assertClose(E_TOTAL, rows.get(0).sequential(), "row 0 sequential");
        assertClose(sim.get(1L).error(), rows.get(1).simultaneous(), "row 1 simultaneous");
        assertClose(seq.get(1L).error(), rows.get(1).sequential(), "row 1 sequential");
        for (int k = 0; k < 8; k++) {
            assertClose(sim.get(1L).w()[k], rows.get(2 + k).simultaneous(), "w" + (k + 1) + " simultaneous");
            assertClose(seq.get(1L).w()[k], rows.get(2 + k).sequential(), "w" + (k + 1) + " sequential");
        }
        assertClose(sim.get(10_000L).error(), rows.get(10).simultaneous(), "E 10000 simultaneous");
        assertClose(seq.get(10_000L).error(), rows.get(10).sequential(), "E 10000 sequential");
        assertClose(sim.get(9_999L).error(), rows.get(11).simultaneous(), "E 9999 simultaneous");
        assertClose(seq.get(9_999L).error(), rows.get(11).sequential(), "E 9999 sequential");
        assertClose(sim.get(10_000L).outO1(), rows.get(12).simultaneous(), "o1 simultaneous");
        assertClose(seq.get(10_000L).outO1(), rows.get(12).sequential(), "o1 sequential");
        assertClose(sim.get(10_000L).outO2(), rows.get(13).simultaneous(), "o2 simultaneous");
        assertClose(seq.get(10_000L).outO2(), rows.get(13).sequential(), "o2 sequential");

        // and the table's verdicts agree with an independent rounding of those numbers
        for (Figure f : rows) {
            String independent = roundsTo(f.simultaneous(), f.printed())
                    ? (roundsTo(f.sequential(), f.printed()) ? "both" : "simultaneous")
                    : (roundsTo(f.sequential(), f.printed()) ? "sequential" : "neither");
            assertEquals(independent, f.reproducedBy(), f.figure() + " at step " + f.step());
        }
    }

    @Test
    void compareLeavesOutTenThousandRoundRowsWithoutThoseCheckpoints() {
        Map<Long, Checkpoint> sim = checkpoints(UpdateRule.SIMULTANEOUS);
        Map<Long, Checkpoint> seq = checkpoints(UpdateRule.SEQUENTIAL);
        sim.remove(9_999L);
        seq.remove(9_999L);
        List<Figure> rows = LectureReproduction.compare(sim, seq);
        assertEquals(10, rows.size());
        assertTrue(rows.stream().noneMatch(f -> f.step() > 1), "no row past step 1");
    }

    @Test
    void snapshotsHoldTheParametersAtTheWantedSteps() {
        Map<Long, double[]> snaps = LectureReproduction.snapshots(Lecture.spec(UpdateRule.SIMULTANEOUS, false), 10_000,
                10_000, 1, 9_999, 20_000);
        assertEquals(List.of(0L, 1L, 9_999L, 10_000L), new ArrayList<>(snaps.keySet()));
        assertBitIdentical(Lecture.initialParameters(), snaps.get(0L), "step 0");
        for (long s : new long[] {1, 9_999, 10_000}) {
            assertBitIdentical(LECTURE_RUNS.get(UpdateRule.SIMULTANEOUS).get(s).parameters(), snaps.get(s), "step " + s);
        }
    }

    @Test
    void figureMatchesOnlyWithinHalfAUnitOfThePrintedLastDigit() {
        Figure f = new Figure("error after the first round", "0.291027924", 1, 0.2910279244, 0.2910279236);
        assertTrue(f.matches(0.291027924));
        assertTrue(f.matches(0.29102792449));
        assertTrue(f.matches(0.29102792351));
        assertFalse(f.matches(0.29102792451));
        assertFalse(f.matches(0.29102792349));
        assertEquals("both", f.reproducedBy());
        assertEquals("simultaneous", new Figure("x", "0.5", 0, 0.54, 0.56).reproducedBy());
        assertEquals("sequential", new Figure("x", "0.5", 0, 0.44, 0.46).reproducedBy());
        assertEquals("neither", new Figure("x", "0.5", 0, 0.44, 0.56).reproducedBy());
        Figure small = new Figure("e", "0.0000351085", 9_999, 3.510854812251261e-05, 3.510187782978859e-05);
        assertEquals("simultaneous", small.reproducedBy());
    }

    // ========================================= helpers ==========================================

    private static double error(UpdateRule rule, long step) {
        return LECTURE_RUNS.get(rule).get(step).loss(Lecture.INPUT, Lecture.TARGET);
    }

    private static Map<Long, Checkpoint> checkpoints(UpdateRule rule) {
        NetworkSpec spec = Lecture.spec(rule, false);
        Map<Long, double[]> snaps = LectureReproduction.snapshots(spec, 10_000, LectureReproduction.LECTURE_STEPS);
        Map<Long, Checkpoint> result = new TreeMap<>();
        snaps.forEach((s, p) -> result.put(s, LectureReproduction.evaluate(spec, s, p)));
        return result;
    }

    private static Map<Long, Golden> goldenOf(String combo) {
        Map<Long, Golden> m = new TreeMap<>();
        TRAJECTORIES.stream().filter(g -> g.combo().equals(combo)).forEach(g -> m.put(g.step(), g));
        return m;
    }

    /** True if {@code value}, rounded half-even to the decimals of {@code printed}, is {@code printed}. */
    static boolean roundsTo(double value, String printed) {
        BigDecimal p = new BigDecimal(printed);
        return new BigDecimal(value).setScale(p.scale(), RoundingMode.HALF_EVEN).compareTo(p) == 0;
    }

    private static void assertRoundsTo(String printed, double value, String what) {
        assertTrue(roundsTo(value, printed), what + ": " + value + " does not round to the lecture's " + printed);
    }

    static void assertClose(double expected, double actual, String what) {
        double tolerance = Math.max(RELATIVE * Math.abs(expected), ABSOLUTE_FLOOR);
        if (!(Math.abs(actual - expected) <= tolerance)) {
            fail(what + ": expected " + expected + " but was " + actual + " (|Δ| = " + Math.abs(actual - expected)
                    + ", tolerance " + tolerance + ")");
        }
    }

    static void assertBitIdentical(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            if (Double.doubleToRawLongBits(expected[i]) != Double.doubleToRawLongBits(actual[i])) {
                fail(what + ": index " + i + " expected " + expected[i] + " but was " + actual[i]);
            }
        }
    }
}
