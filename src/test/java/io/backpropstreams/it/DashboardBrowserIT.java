package io.backpropstreams.it;

import io.backpropstreams.avro.SampleCodec;
import io.backpropstreams.client.Clients;
import io.backpropstreams.service.Trainer;
import io.backpropstreams.service.TrainerService;
import io.backpropstreams.kafka.EmbeddedKafkaBroker;
import io.backpropstreams.nn.Lecture;
import io.backpropstreams.topology.TopicNames;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The live dashboard in a real browser: Debian's headless Chromium driven through its own
 * chromedriver (no Selenium Manager, nothing downloaded) while samples stream in. The page must
 * list the model, grow its learning curve and show its weights; the screenshot it leaves in
 * {@code target/dashboard.png} shows what a user sees; with {@code -Dbps.update.docs=true} it also
 * replaces the README's {@code docs/dashboard.png}.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DashboardBrowserIT {

    /** Debian's browser and its matching driver; other paths with -Dbps.it.chromium / -Dbps.it.chromedriver. */
    private static final Path CHROMIUM = Path.of(System.getProperty("bps.it.chromium", "/usr/bin/chromium"));
    private static final Path CHROMEDRIVER = Path.of(System.getProperty("bps.it.chromedriver", "/usr/bin/chromedriver"));
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Samples per 100 ms tick of the background producer: 500 a second. */
    private static final int PER_TICK = 50;
    /**
     * Selenium warns that it has no CDP bindings for Debian's Chromium version; this test uses
     * WebDriver only, so the warning is noise. Held in a field: JUL keeps loggers weakly.
     */
    private static final java.util.logging.Logger CDP_LOG = java.util.logging.Logger.getLogger("org.openqa.selenium.devtools");

    @TempDir
    static Path stateDir;
    @TempDir
    static Path chromeProfile;

    private static EmbeddedKafkaBroker kafka;
    private static TrainerService service;

    private final AtomicBoolean producing = new AtomicBoolean(true);
    private final AtomicLong sent = new AtomicLong();
    private final AtomicReference<Throwable> producerFailure = new AtomicReference<>();
    private Thread producer;
    private ChromeDriverService driverService;
    private WebDriver driver;

    /** Skipped, with the fix in the message, where the browser is not installed (checked per test so the report shows it). */
    private static void startTrainer() {
        CDP_LOG.setLevel(java.util.logging.Level.SEVERE);
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "no " + (Files.isExecutable(CHROMIUM) ? CHROMEDRIVER : CHROMIUM) + ": install chromium and chromium-driver "
                        + "(apt-get install -y chromium chromium-driver); .ci/run does");
        kafka = EmbeddedKafkaBroker.builder().start();
        Properties config = kafka.clientProperties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "dashboard-it-" + System.nanoTime());
        config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        service = TrainerService.start(config, 0, null, Trainer.DEFAULT_PARTITIONS, Duration.ofSeconds(60));
    }

    @AfterAll
    static void stopTrainer() {
        if (service != null) {
            service.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @AfterEach
    void stopBrowserAndProducer() throws InterruptedException {
        producing.set(false);
        if (producer != null) {
            producer.join(10_000);
        }
        if (driver != null) {
            driver.quit();
        }
        if (driverService != null) {
            driverService.stop();
        }
    }

    /**
     * The three models the page shows: the lecture's, and two others of other shapes trained on the same input;
     * {@link #CLASSIFIER} with a one-hot target, so that it classifies and gets an accuracy chart.
     */
    private static final List<String> MODELS = List.of("deep", "lecture", "wide");
    private static final String CLASSIFIER = "wide";

    @Test
    void dashboardShowsEachModelsCurveItsWeightsAndFitsANarrowWindowWithoutConsoleErrors() throws Exception {
        startTrainer();
        createModel("wide", "{\"layers\":[2,4,2],\"learningRate\":0.5,\"seed\":7}");
        createModel("deep", "{\"layers\":[2,3,3,2],\"activation\":\"tanh\",\"learningRate\":0.2,\"seed\":11}");
        startProducer();
        driver = browser();
        driver.get("http://127.0.0.1:" + service.httpPort() + "/");
        assertEquals("backprop-streams", driver.getTitle());

        // The page rebuilds its tables every second, so each table is read in one script call (a
        // consistent snapshot) rather than element by element (which would go stale in between).
        until(driver, "rows for " + MODELS + " in #models", d -> modelIds(d).equals(MODELS) && MODELS.stream().allMatch(m -> step(d, m) > 0));
        List<String> row = modelRow(driver, "lecture");
        assertEquals(6, row.size(), "plot, model, shape, step, loss EMA, samples/s: " + row);
        assertEquals("2-2-2", row.get(2), "shape column: " + row);
        assertTrue(Long.parseLong(row.get(3)) > 0, "step column: " + row);
        assertTrue(Double.parseDouble(row.get(4)) > 0, "loss EMA column: " + row);
        assertEquals("2-3-3-2", modelRow(driver, "deep").get(2));

        // all three are drawn by default: a loss-EMA legend entry each, with its latest value
        until(driver, "a loss-EMA legend entry for each model", d -> legend(d).stream()
                .filter(e -> e.get("kind").equals("loss EMA") && Long.parseLong((String) e.get("points")) > 0)
                .map(e -> e.get("model")).sorted().toList().equals(MODELS));

        // switching between the models: each becomes the inspected one, its raw loss is drawn in its colour,
        // its weights are shown, and the URL keeps the choice
        for (String model : List.of("wide", "deep", "lecture", "wide")) {
            clickRow(driver, model);
            until(driver, model + " to be inspected", d -> d.findElement(By.id("curve-model")).getText().equals(model)
                    && d.findElement(By.id("weights-model")).getText().equals(model));
            until(driver, "the loss of " + model + " in the legend", d -> legend(d).stream().anyMatch(e -> e.get("model").equals(model)
                    && e.get("kind").equals("loss") && Long.parseLong((String) e.get("points")) > 0 && isNumber((String) e.get("value"))));
            String colour = legend(driver).stream().filter(e -> e.get("model").equals(model) && e.get("kind").equals("loss"))
                    .map(e -> (String) e.get("colour")).findFirst().orElseThrow();
            until(driver, "the loss of " + model + " drawn in " + colour, d -> pixelsOf(d, "#curve", colour) > 50);
            assertTrue(driver.getCurrentUrl().contains("model=" + model), driver.getCurrentUrl());
            int layers = model.equals("deep") ? 3 : 2;
            until(driver, layers + " layer tables for " + model, d -> weightsShown(d).equals(model) && weightTables(d).size() == layers);
        }
        long before = curvePoints(driver);
        until(driver, "the learning curve to grow beyond " + before + " points", d -> curvePoints(d) > before);

        // the accuracy chart: the classifier's accuracy EMA only (the other two are regressions), drawn in its colour
        until(driver, "an accuracy-EMA legend entry for " + CLASSIFIER + " only", d -> {
            List<Map<String, Object>> acc = legend(d, "#accuracy-legend");
            return acc.size() == 1 && acc.get(0).get("model").equals(CLASSIFIER) && acc.get(0).get("kind").equals("accuracy EMA")
                    && isNumber((String) acc.get(0).get("value"));
        });
        double accuracyEma = number((String) legend(driver, "#accuracy-legend").get(0).get("value"));
        assertTrue(accuracyEma >= 0 && accuracyEma <= 1, "an accuracy EMA is in [0, 1]: " + accuracyEma);
        assertEquals(Boolean.FALSE, ((JavascriptExecutor) driver).executeScript("return document.getElementById('accuracy-section').hidden;"));
        String classifierColour = (String) legend(driver, "#accuracy-legend").get(0).get("colour");
        until(driver, "the accuracy EMA of " + CLASSIFIER + " drawn in " + classifierColour,
                d -> pixelsOf(d, "#accuracy-chart", classifierColour) > 20);

        // a drift detection on the drift topic is a dashed mark on the curve of its model, named under the chart
        long driftStep = step(driver, CLASSIFIER) / 2;
        try (KafkaProducer<String, byte[]> p = Clients.producer(kafka.clientProperties())) {
            io.backpropstreams.schema.DriftDetection detection = io.backpropstreams.schema.DriftDetection.newBuilder()
                    .setModelId(CLASSIFIER).setStep(driftStep).setDetector("page-hinkley").setStatistic(31.5).setLossEma(0.2)
                    .setOnDrift("none").setTimestamp(java.time.Instant.now()).build();
            p.send(new ProducerRecord<>(TopicNames.DEFAULTS.drift(), CLASSIFIER,
                    io.backpropstreams.avro.Serdes.DRIFT_DETECTION.encode(detection))).get(30, TimeUnit.SECONDS);
        }
        until(driver, "the drift mark of " + CLASSIFIER + " at step " + driftStep, d -> d.findElement(By.id("curve-drifts")).getText()
                .contains(CLASSIFIER + " at step " + driftStep + " (page-hinkley)"));

        // a reload keeps the inspected model (from the URL)
        driver.navigate().refresh();
        until(driver, "wide still inspected after a reload", d -> d.findElement(By.id("curve-model")).getText().equals("wide"));

        // the lecture's weights: two 2×2 layers, each row labelled, two weights and a bias, with a colour scale
        clickRow(driver, "lecture");
        until(driver, "two layer tables for the lecture", d -> weightsShown(d).equals("lecture") && weightTables(d).size() == 2);
        List<Map<String, Object>> layers = weightTables(driver);
        for (int l = 0; l < 2; l++) {
            String caption = (String) layers.get(l).get("caption");
            assertTrue(caption.startsWith("layer " + (l + 1) + ": 2×2 sigmoid"), caption);
            assertEquals(List.of("", l == 0 ? "x1" : "h1.1", l == 0 ? "x2" : "h1.2", "bias"), layers.get(l).get("columns"), "column labels");
            @SuppressWarnings("unchecked")
            List<List<String>> rows = (List<List<String>>) layers.get(l).get("rows");
            assertEquals(2, rows.size(), "rows of layer " + (l + 1) + ": " + rows);
            for (List<String> tds : rows) {
                assertEquals(3, tds.size(), "two weights and a bias: " + tds);
                Double.parseDouble(tds.get(0));
                Double.parseDouble(tds.get(1));
                assertTrue(tds.get(2).startsWith("b "), tds.get(2));
            }
            // the lecture's biases are frozen at b1 = 0.35 and b2 = 0.60
            assertEquals(l == 0 ? "b 0.3500" : "b 0.6000", rows.get(0).get(2), "bias of layer " + (l + 1));
            @SuppressWarnings("unchecked")
            List<String> scale = (List<String>) layers.get(l).get("scale");
            assertEquals(2, scale.size(), "a colour scale from -max to +max: " + scale);
            assertEquals(-Double.parseDouble(scale.get(0)), Double.parseDouble(scale.get(1)), 0.0, "symmetric scale: " + scale);
        }
        assertTrue(Long.parseLong(driver.findElement(By.id("weights-step")).getText()) > 0, "weights step");

        // throughput from /stats, with its history drawn, and the page is live (no failed request)
        until(driver, "a positive throughput", d -> number(d.findElement(By.id("throughput")).getText()) > 0);
        until(driver, "the throughput history drawn", d -> pixelsOf(d, "#throughput-chart", "#1f77b4") > 20);
        until(driver, "status live", d -> d.findElement(By.id("status")).getText().equals("live"));

        // stored script injection: a spec keyed with markup is refused (invalid-model-id), nothing of it reaches the page
        String markup = "<img src=x onerror=\"window.__injected=1\">";
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(kafka.clientProperties(),
                new org.apache.kafka.common.serialization.ByteArraySerializer(), new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            p.send(new ProducerRecord<>(TopicNames.DEFAULTS.models(), markup.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    "{\"layers\":[2,2],\"learningRate\":0.5}".getBytes(java.nio.charset.StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
        }
        until(driver, "the dashboard to count the invalid-model-id dead letter",
                d -> d.findElement(By.id("dead-letters")).getText().trim().matches("[1-9][0-9]*"));
        Object injected = ((JavascriptExecutor) driver).executeScript(
                "return {imgs: document.querySelectorAll('img').length, flag: window.__injected === 1,"
                        + " text: document.body.innerText.includes('onerror')};");
        assertEquals(Map.of("imgs", 0L, "flag", false, "text", false), injected, "nothing injected into the page");
        java.net.http.HttpResponse<String> page = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + service.httpPort() + "/")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").contains("script-src 'self'"),
                "the dashboard has a Content-Security-Policy: " + page.headers().map());

        // the picture for the README: three models drawn, a few seconds of training
        long shown = curvePoints(driver);
        until(driver, "the curve to reach " + (shown + 200) + " points", d -> curvePoints(d) > shown + 200);
        screenshot("dashboard.png");

        // a phone-sized window: the charts shrink with it and nothing overflows sideways
        driver.manage().window().setSize(new org.openqa.selenium.Dimension(400, 900));
        until(driver, "no horizontal overflow at 400 px", d -> {
            Map<String, Object> m = widths(d);
            return ((Number) m.get("scroll")).longValue() <= ((Number) m.get("client")).longValue()
                    && ((Number) m.get("canvas")).longValue() <= ((Number) m.get("client")).longValue();
        });
        Map<String, Object> narrow = widths(driver);
        assertTrue(((Number) narrow.get("client")).longValue() <= 400, "the window is narrow: " + narrow);
        clickRow(driver, "deep");
        until(driver, "deep drawn at 400 px", d -> d.findElement(By.id("curve-model")).getText().equals("deep")
                && pixelsOf(d, "#curve", colourOf(d, "deep")) > 20);
        Files.write(basedir().resolve("target/dashboard-400px.png"),
                ((ChromeDriver) driver).getScreenshotAs(OutputType.BYTES));

        // and all along, the browser's console had no error
        List<org.openqa.selenium.logging.LogEntry> errors = driver.manage().logs().get(org.openqa.selenium.logging.LogType.BROWSER)
                .getAll().stream().filter(e -> e.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue()).toList();
        assertTrue(errors.isEmpty(), "console errors: " + errors);

        assertNull(producerFailure.get(), "the producer failed: " + producerFailure.get());
        assertTrue(sent.get() > 0);

        // the report of the lecture's model, read back from the metrics topic: the README's second picture
        Path reports = basedir().resolve("target/report");
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        picocli.CommandLine cl = io.backpropstreams.cli.Main.commandLine();
        cl.setOut(new java.io.PrintWriter(out, true));
        cl.setErr(new java.io.PrintWriter(err, true));
        assertEquals(0, cl.execute("report", "--model", "lecture", "--output-dir", reports.toString(), "-b",
                kafka.bootstrapServers()), out + "\n" + err);
        Path reportPng = reports.resolve("lecture-curve.png");
        assertTrue(Files.size(reportPng) > 5_000, out.toString());
        assertEquals("step,loss,lossEma", Files.readAllLines(reports.resolve("lecture-curve.csv")).get(0), "a regression's CSV as before");
        assertTrue(!out.toString().contains("Accuracy"), "no accuracy line for a regression: " + out);
        // the classifier's report has its accuracy: two more CSV columns and a line in the summary
        java.io.StringWriter classifierOut = new java.io.StringWriter();
        cl.setOut(new java.io.PrintWriter(classifierOut, true));
        assertEquals(0, cl.execute("report", "--model", CLASSIFIER, "--output-dir", reports.toString(), "-b",
                kafka.bootstrapServers(), "--quiet"), classifierOut + "\n" + err);
        List<String> csv = Files.readAllLines(reports.resolve(CLASSIFIER + "-curve.csv"));
        assertEquals("step,loss,lossEma,accuracy,accuracyEma", csv.get(0));
        String[] lastRow = csv.get(csv.size() - 1).split(",");
        assertEquals(5, lastRow.length, csv.get(csv.size() - 1));
        assertTrue(Double.parseDouble(lastRow[3]) > 0.5, "one sample, learnt: the accuracy ends high: " + csv.get(csv.size() - 1));
        assertTrue(classifierOut.toString().lines().anyMatch(l -> l.matches("Accuracy: +[0-9.]+ \\([0-9,]+ of [0-9,]+ classified samples correct.*")),
                classifierOut.toString());
        if (Boolean.getBoolean("bps.update.docs")) {
            Files.copy(reportPng, basedir().resolve("docs/report-curve.png"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void createModel(String id, String spec) throws Exception {
        try (KafkaProducer<String, String> p = new KafkaProducer<>(kafka.clientProperties(),
                new org.apache.kafka.common.serialization.StringSerializer(), new org.apache.kafka.common.serialization.StringSerializer())) {
            p.send(new ProducerRecord<>(TopicNames.DEFAULTS.models(), id, spec)).get(30, TimeUnit.SECONDS);
        }
    }

    /** Writes the page as a PNG to target/NAME, and with -Dbps.update.docs=true to docs/NAME for the README. */
    private void screenshot(String name) throws java.io.IOException {
        Path basedir = basedir();
        Path png = basedir.resolve("target").resolve(name);
        Files.createDirectories(png.getParent());
        byte[] bytes = ((ChromeDriver) driver).getScreenshotAs(OutputType.BYTES);
        Files.write(png, bytes);
        if (Boolean.getBoolean("bps.update.docs")) {
            // refreshes the README's picture on demand: mvn verify -Dbps.update.docs=true -Dit.test=DashboardBrowserIT
            Files.write(basedir.resolve("docs").resolve(name), bytes);
        }
        assertTrue(bytes.length > 1000 && (bytes[0] & 0xff) == 0x89 && bytes[1] == 'P', "a PNG screenshot in " + png);
    }

    private void startProducer() {
        producer = new Thread(() -> {
            byte[] sample = SampleCodec.toAvro(Lecture.INPUT, Lecture.TARGET);
            byte[] oneHot = SampleCodec.toAvro(Lecture.INPUT, new double[] {0, 1});
            try (KafkaProducer<String, byte[]> p = Clients.producer(kafka.clientProperties())) {
                long next = System.nanoTime();
                while (producing.get()) {
                    for (int i = 0; i < PER_TICK; i++) {
                        String model = MODELS.get(i % MODELS.size());
                        p.send(new ProducerRecord<>(TopicNames.DEFAULTS.samples(), model, model.equals(CLASSIFIER) ? oneHot : sample));
                    }
                    sent.addAndGet(PER_TICK);
                    next += TimeUnit.MILLISECONDS.toNanos(100);
                    long sleep = next - System.nanoTime();
                    if (sleep > 0) {
                        TimeUnit.NANOSECONDS.sleep(sleep);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Throwable t) {
                producerFailure.set(t);
            }
        }, "dashboard-it-producer");
        producer.setDaemon(true);
        producer.start();
    }

    /** The project directory: Maven's basedir, or the working directory when run elsewhere. */
    private static Path basedir() {
        return Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
    }

    /** Chromium through the system chromedriver; giving the driver's path keeps Selenium Manager (and its downloads) out. */
    private WebDriver browser() throws Exception {
        Path basedir = basedir();
        Files.createDirectories(basedir.resolve("target"));
        System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, CHROMEDRIVER.toString());
        driverService = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .withLogFile(basedir.resolve("target/chromedriver.log").toFile())
                .withTimeout(Duration.ofSeconds(30))
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                "--no-first-run", "--no-default-browser-check", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-extensions", "--disable-default-apps", "--window-size=1280,1000",
                "--user-data-dir=" + chromeProfile);
        // the console's messages, so that the test can assert there is no error among them
        org.openqa.selenium.logging.LoggingPreferences logs = new org.openqa.selenium.logging.LoggingPreferences();
        logs.enable(org.openqa.selenium.logging.LogType.BROWSER, java.util.logging.Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriver chrome = new ChromeDriver(driverService, options);
        chrome.manage().timeouts().pageLoadTimeout(WAIT).scriptTimeout(WAIT);
        return chrome;
    }

    /** Waits until {@code condition} holds, re-trying while the page re-renders; fails with what the page shows. */
    private static void until(WebDriver driver, String what, Function<WebDriver, Boolean> condition) {
        try {
            new WebDriverWait(driver, WAIT, Duration.ofMillis(200)).until(d -> {
                try {
                    return condition.apply(d);
                } catch (org.openqa.selenium.StaleElementReferenceException | org.openqa.selenium.NoSuchElementException
                         | NumberFormatException e) {
                    return false; // the page re-renders every second
                }
            });
        } catch (TimeoutException e) {
            String page;
            try {
                page = driver.findElement(By.tagName("body")).getText();
            } catch (RuntimeException e2) {
                page = "(unreadable: " + e2 + ")";
            }
            throw new AssertionError("timed out after " + WAIT.toSeconds() + " s waiting for " + what
                    + "; the page shows:\n" + page + "\n(chromedriver log in target/chromedriver.log)", e);
        }
    }

    /** The model ids in #models, in order. */
    @SuppressWarnings("unchecked")
    private static List<String> modelIds(WebDriver d) {
        return (List<String>) ((JavascriptExecutor) d).executeScript(
                "return [...document.querySelectorAll('#models tbody tr')].map(tr => tr.dataset.model);");
    }

    /** The cells of the #models row of {@code model}, or null while there is none. */
    @SuppressWarnings("unchecked")
    private static List<String> modelRow(WebDriver d, String model) {
        return (List<String>) ((JavascriptExecutor) d).executeScript(
                "const tr = [...document.querySelectorAll('#models tbody tr')].find(tr => tr.dataset.model === arguments[0]);"
                        + "return tr ? [...tr.querySelectorAll('td')].map(td => td.textContent) : null;", model);
    }

    private static long step(WebDriver d, String model) {
        List<String> row = modelRow(d, model);
        return row == null || row.size() < 4 ? 0 : Long.parseLong(row.get(3));
    }

    /** Clicks the row of {@code model} (its model-id cell, as a user would). */
    private static void clickRow(WebDriver d, String model) {
        until(d, "a row for " + model, x -> modelRow(x, model) != null);
        ((JavascriptExecutor) d).executeScript(
                "[...document.querySelectorAll('#models tbody tr')].find(tr => tr.dataset.model === arguments[0]).children[1].click();", model);
    }

    /** The learning curve's legend: model, kind, points, value and colour of each entry. */
    private static List<Map<String, Object>> legend(WebDriver d) {
        return legend(d, "#curve-legend");
    }

    /** A chart's legend ({@code #curve-legend} or {@code #accuracy-legend}): model, kind, points, value and colour of each entry. */
    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> legend(WebDriver d, String list) {
        return (List<Map<String, Object>>) ((JavascriptExecutor) d).executeScript(
                "return [...document.querySelectorAll(arguments[0] + ' li')].map(li => ({model: li.dataset.model, kind: li.dataset.kind,"
                        + " points: li.dataset.points, colour: li.dataset.colour, value: li.querySelector('.value').textContent}));", list);
    }

    private static String colourOf(WebDriver d, String model) {
        return legend(d).stream().filter(e -> e.get("model").equals(model)).map(e -> (String) e.get("colour")).findFirst().orElse("#000000");
    }

    /** Each table of #weights: its caption, column labels, rows of cell texts, and its colour scale's end labels. */
    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> weightTables(WebDriver d) {
        return (List<Map<String, Object>>) ((JavascriptExecutor) d).executeScript(
                "return [...document.querySelectorAll('#weights .layer')].map(b => ({"
                        + "caption: b.querySelector('.caption').textContent,"
                        + "columns: [...b.querySelectorAll('thead th')].map(th => th.textContent),"
                        + "rows: [...b.querySelectorAll('tbody tr')].map(tr => [...tr.querySelectorAll('td')].map(td => td.textContent)),"
                        + "scale: [...b.querySelectorAll('.colour-scale span:not(.bar)')].map(s => s.textContent)}));");
    }

    /** The model whose weights #weights shows. */
    private static String weightsShown(WebDriver d) {
        return String.valueOf(((JavascriptExecutor) d).executeScript("return document.getElementById('weights').dataset.model;"));
    }

    /** The document's scroll and client widths, and the widest canvas. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> widths(WebDriver d) {
        return (Map<String, Object>) ((JavascriptExecutor) d).executeScript(
                "return {scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth,"
                        + " canvas: Math.max(0, ...[...document.querySelectorAll('canvas')].map(c => c.getBoundingClientRect().right))};");
    }

    private static boolean isNumber(String s) {
        try {
            Double.parseDouble(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static long curvePoints(WebDriver d) {
        return Long.parseLong(d.findElement(By.id("curve-points")).getText().trim());
    }

    private static double number(String text) {
        return Double.parseDouble(text.trim());
    }

    /** Pixels of the canvas in {@code container} within 40 of {@code hex} in each channel, opaque. */
    private static long pixelsOf(WebDriver d, String container, String hex) {
        Object n = ((JavascriptExecutor) d).executeScript(
                "const c = document.querySelector(arguments[0] + ' canvas'); if (!c) return 0;"
                        + "const r = parseInt(arguments[1].substr(1, 2), 16), g = parseInt(arguments[1].substr(3, 2), 16), b = parseInt(arguments[1].substr(5, 2), 16);"
                        + "const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;"
                        + "for (let i = 0; i < px.length; i += 4) {"
                        + "  if (px[i + 3] > 200 && Math.abs(px[i] - r) < 40 && Math.abs(px[i + 1] - g) < 40 && Math.abs(px[i + 2] - b) < 40) n++; }"
                        + "return n;", container, hex);
        return ((Number) n).longValue();
    }
}
