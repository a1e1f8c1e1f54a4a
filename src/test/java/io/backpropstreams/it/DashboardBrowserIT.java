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

    @Test
    void dashboardShowsTheModelItsGrowingCurveAndItsWeights() throws Exception {
        startTrainer();
        startProducer();
        driver = browser();
        driver.get("http://127.0.0.1:" + service.httpPort() + "/");
        assertEquals("backprop-streams", driver.getTitle());

        // The page rebuilds its tables every second, so each table is read in one script call (a
        // consistent snapshot) rather than element by element (which would go stale in between).
        until(driver, "a row for 'lecture' in #models", d -> lectureRow(d) != null);
        List<String> row = lectureRow(driver);
        assertEquals(5, row.size(), "model, shape, step, loss EMA, samples/s: " + row);
        assertEquals("2-2-2", row.get(1), "shape column: " + row);
        assertTrue(Long.parseLong(row.get(2)) > 0, "step column: " + row);
        assertTrue(Double.parseDouble(row.get(3)) > 0, "loss EMA column: " + row);

        // the first model is selected by itself, and its learning curve grows while samples arrive
        until(driver, "the lecture to be selected", d -> d.findElement(By.id("curve-model")).getText().equals("lecture"));
        until(driver, "points on the learning curve", d -> curvePoints(d) > 0);
        long before = curvePoints(driver);
        until(driver, "the learning curve to grow beyond " + before + " points", d -> curvePoints(d) > before);

        // the weights: two 2×2 layers, each row two weights and a bias, all numbers
        until(driver, "two layer tables in #weights", d -> weightTables(d).size() == 2);
        List<Map<String, Object>> layers = weightTables(driver);
        assertEquals(2, layers.size(), "layer tables: " + layers);
        for (int l = 0; l < 2; l++) {
            String caption = (String) layers.get(l).get("caption");
            assertTrue(caption.startsWith("layer " + (l + 1) + ": 2×2 sigmoid"), caption);
            @SuppressWarnings("unchecked")
            List<List<String>> rows = (List<List<String>>) layers.get(l).get("rows");
            assertEquals(2, rows.size(), "rows of layer " + (l + 1) + ": " + rows);
            for (List<String> tds : rows) {
                assertEquals(3, tds.size(), "two weights and a bias: " + tds);
                Double.parseDouble(tds.get(0));
                Double.parseDouble(tds.get(1));
                assertTrue(tds.get(2).startsWith("b "), tds.get(2));
                Double.parseDouble(tds.get(2).substring(2));
            }
            // the lecture's biases are frozen at b1 = 0.35 and b2 = 0.60
            assertEquals(l == 0 ? "b 0.3500" : "b 0.6000", rows.get(0).get(2), "bias of layer " + (l + 1));
        }
        assertTrue(Long.parseLong(driver.findElement(By.id("weights-step")).getText()) > 0, "weights step");

        // throughput from /stats, and the page is live (no failed request)
        until(driver, "a positive throughput", d -> number(d.findElement(By.id("throughput")).getText()) > 0);
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

        // the curve is drawn: the loss-EMA line (#1f77b4) has pixels on uPlot's canvas
        until(driver, "the loss-EMA line on the canvas", d -> bluePixels(d) > 50);

        // let the curve span a few seconds of training for the picture, then take it
        long shown = curvePoints(driver);
        until(driver, "the curve to reach " + (shown + 500) + " points", d -> curvePoints(d) > shown + 500);
        Path basedir = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
        Path png = basedir.resolve("target/dashboard.png");
        Files.createDirectories(png.getParent());
        byte[] bytes = ((ChromeDriver) driver).getScreenshotAs(OutputType.BYTES);
        Files.write(png, bytes);
        if (Boolean.getBoolean("bps.update.docs")) {
            // refreshes the README's picture on demand: mvn verify -Dbps.update.docs=true -Dit.test=DashboardBrowserIT
            Files.write(basedir.resolve("docs/dashboard.png"), bytes);
        }
        assertTrue(bytes.length > 1000 && (bytes[0] & 0xff) == 0x89 && bytes[1] == 'P', "a PNG screenshot in " + png);

        assertNull(producerFailure.get(), "the producer failed: " + producerFailure.get());
        assertTrue(sent.get() > 0);
    }

    private void startProducer() {
        producer = new Thread(() -> {
            byte[] sample = SampleCodec.toAvro(Lecture.INPUT, Lecture.TARGET);
            try (KafkaProducer<String, byte[]> p = Clients.producer(kafka.clientProperties())) {
                long next = System.nanoTime();
                while (producing.get()) {
                    for (int i = 0; i < PER_TICK; i++) {
                        p.send(new ProducerRecord<>(TopicNames.DEFAULTS.samples(), Lecture.MODEL_ID, sample));
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

    /** Chromium through the system chromedriver; giving the driver's path keeps Selenium Manager (and its downloads) out. */
    private WebDriver browser() throws Exception {
        Path basedir = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
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

    /** The cells of the #models row of 'lecture', or null while there is none. */
    @SuppressWarnings("unchecked")
    private static List<String> lectureRow(WebDriver d) {
        return (List<String>) ((JavascriptExecutor) d).executeScript(
                "const tr = [...document.querySelectorAll('#models tbody tr')].find(tr => tr.dataset.model === 'lecture');"
                        + "return tr ? [...tr.querySelectorAll('td')].map(td => td.textContent) : null;");
    }

    /** Each table of #weights: its caption and its rows of cell texts. */
    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> weightTables(WebDriver d) {
        return (List<Map<String, Object>>) ((JavascriptExecutor) d).executeScript(
                "return [...document.querySelectorAll('#weights table')].map(t => ({"
                        + "caption: t.caption ? t.caption.textContent : '',"
                        + "rows: [...t.querySelectorAll('tr')].map(tr => [...tr.querySelectorAll('td')].map(td => td.textContent))}));");
    }

    private static long curvePoints(WebDriver d) {
        return Long.parseLong(d.findElement(By.id("curve-points")).getText().trim());
    }

    private static double number(String text) {
        return Double.parseDouble(text.trim());
    }

    private static long bluePixels(WebDriver d) {
        Object n = ((JavascriptExecutor) d).executeScript(
                "const c = document.querySelector('#curve canvas'); if (!c) return 0;"
                        + "const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;"
                        + "for (let i = 0; i < px.length; i += 4) {"
                        + "  if (px[i + 3] > 128 && px[i + 2] > 140 && px[i] < 90 && px[i + 1] > 80 && px[i + 1] < 160) n++; }"
                        + "return n;");
        return ((Number) n).longValue();
    }
}
