package dev.harrier.dashboard;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import dev.harrier.testing.Browser;
import dev.harrier.testing.EngineHarness;
import dev.harrier.testing.StubServer;
import dev.harrier.testing.TestDatabase;
import dev.harrier.testing.kinds.HoldHandler;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real Chromium: sign in, a scrape's progress and items arriving live, cancel,
 * the dead letter's retry and retry-all, a schedule's trigger, and a job whose args hold markup
 * shown as text with no script run.
 */
@QuarkusTest
class DashboardBrowserTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static ChromeDriver browser;

    @TestHTTPResource("/ui/")
    URL ui;

    @Inject
    EngineHarness harness;

    private StubServer stub;

    @BeforeAll
    static void openBrowser() {
        browser = Browser.start();
    }

    @AfterAll
    static void closeBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        TestDatabase.clean();
        stub = new StubServer()
                .on("/slow", request -> {
                    // The stub's own event loop, one request at a time (concurrency 1): the bar moves in steps a browser sees.
                    pause(150);
                    request.response().end("<p>ok</p>");
                })
                .on("/missing", request -> request.response().setStatusCode(404).end("gone"));
        harness.start("dashboard");
        browser.get(ui.toString());
        browser.executeScript("sessionStorage.clear()");
        browser.navigate().refresh();
        signIn();
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.stopAll();
        stub.close();
    }

    /** Pages redraw live: an element read as it is replaced is read again, not an error. */
    private static WebDriverWait waiting() {
        WebDriverWait wait = new WebDriverWait(browser, WAIT);
        wait.ignoring(StaleElementReferenceException.class);
        return wait;
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static RequestSpecification api() {
        return given().header("Authorization", "Bearer test-key-default").contentType(ContentType.JSON);
    }

    private static String enqueue(String body) {
        return api().body(body).post("/api/v1/jobs").then().statusCode(201).extract().path("id");
    }

    private void signIn() {
        WebDriverWait wait = waiting();
        WebElement key = wait.until(d -> d.findElement(By.id("api-key")));
        key.sendKeys("test-key-default");
        browser.findElement(By.cssSelector("#sign-in button[type=submit]")).click();
        wait.until(d -> d.findElement(By.id("nav")).isDisplayed());
        wait.until(d -> !d.findElement(By.id("sign-in")).isDisplayed());
        wait.until(d -> !d.findElements(By.id("instances")).isEmpty());
        // Set once: a reload of the page would lose it.
        browser.executeScript("window.__sameDocument = true");
    }

    /**
     * With {@code -Dui.screenshots=docs/screenshots}, saves what the browser shows as
     * {@code <name>.png} there (the README's pictures: see "Dashboard").
     */
    private static void shot(String name) {
        String dir = System.getProperty("ui.screenshots");
        if (dir == null || dir.isBlank()) {
            return;
        }
        try {
            Files.createDirectories(Path.of(dir));
            Files.write(Path.of(dir, name + ".png"), browser.getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void open(String hash) {
        browser.executeScript("location.hash = arguments[0]", hash);
    }

    private boolean sameDocument() {
        return Boolean.TRUE.equals(browser.executeScript("return window.__sameDocument === true"));
    }

    private static String dbStatus(String id) {
        return TestDatabase.queryText("SELECT status::text FROM harrier.jobs WHERE id = '" + id + "'");
    }

    @Test
    void aScrapesProgressAndItemsArriveWithoutAReload() {
        List<String> urls = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            urls.add("\"" + stub.url("/slow") + "?page=" + i + "\"");
        }
        String id = enqueue("{\"kind\": \"scrape\", \"queue\": \"boards\", \"tags\": [\"user:42\"], \"args\": {\"urls\": ["
                + String.join(",", urls) + "], \"concurrency\": 1}}");
        open("#/");
        waiting().until(d -> d.findElement(By.tagName("main")).getText().contains("boards"));
        shot("overview");
        open("#/job/" + id);
        WebDriverWait wait = waiting();
        wait.until(d -> !d.findElements(By.id("job-progress")).isEmpty());
        List<Integer> seen = new ArrayList<>();
        wait.until(d -> {
            int value = Integer.parseInt(d.findElement(By.id("job-progress")).getDomProperty("value").replaceAll("\\..*", ""));
            if (seen.isEmpty() || seen.get(seen.size() - 1) != value) {
                seen.add(value);
                if (seen.size() == 3) {
                    shot("job");
                }
            }
            return "completed".equals(d.findElement(By.id("job-status")).getText());
        });
        assertThat(seen).as("the bar moved through values on its way").hasSizeGreaterThan(2);
        wait.until(d -> d.findElements(By.cssSelector("#job-items tr")).size() == 20);
        wait.until(d -> d.findElement(By.id("job-logs")).getText().contains("fetching 20 of 20 items"));
        wait.until(d -> d.findElement(By.id("job-logs")).getText().contains("finished: 20 ok"));
        assertThat(sameDocument()).as("no reload").isTrue();
    }

    @Test
    void theOverviewCountsAndDrawsWhatFinishesLive() {
        open("#/");
        WebDriverWait wait = waiting();
        // The stream's first counts event (it counts nothing: it sets where counting starts).
        wait.until(d -> !d.findElements(By.cssSelector("[data-ticks]")).isEmpty());
        for (int i = 0; i < 5; i++) {
            enqueue("{\"kind\": \"noop\", \"queue\": \"live\"}");
        }
        wait.until(d -> d.findElement(By.tagName("main")).getText().contains("live"));
        wait.until(d -> Boolean.TRUE.equals(browser.executeScript("return Array.from(document.querySelectorAll("
                + "'svg.chart rect.completed')).some((rect) => parseFloat(rect.getAttribute('height')) > 0)")));
        assertThat(sameDocument()).isTrue();
    }

    @Test
    void theOverviewReadsTheInstancesAgainWhileItIsOpen() {
        open("#/");
        WebDriverWait wait = waiting();
        wait.until(d -> !d.findElements(By.cssSelector("[data-ticks]")).isEmpty());
        assertThat(browser.findElement(By.id("instances")).getText()).doesNotContain("joined-later");
        TestDatabase.execute("INSERT INTO harrier.instances (id, host, version) VALUES ('joined-later', 'elsewhere', 'test')");
        wait.until(d -> d.findElement(By.id("instances")).getText().contains("joined-later"));
        assertThat(sameDocument()).as("no reload").isTrue();
    }

    @Test
    void aDatasetShowsWhatItsLastSyncChangedByState() {
        WebDriverWait wait = waiting();
        String first = enqueue("{\"kind\": \"sync\", \"args\": {\"dataset\": \"jobs.acme\", \"key\": [\"id\"], \"records\": "
                + "[{\"id\": 1, \"t\": \"a\"}, {\"id\": 2, \"t\": \"b\"}, {\"id\": 3, \"t\": \"c\"}]}}");
        wait.until(d -> "completed".equals(dbStatus(first)));
        String second = enqueue("{\"kind\": \"sync\", \"args\": {\"dataset\": \"jobs.acme\", \"key\": [\"id\"], \"records\": "
                + "[{\"id\": 1, \"t\": \"a\"}, {\"id\": 2, \"t\": \"B\"}, {\"id\": 4, \"t\": \"<b>d</b>\"}]}}");
        wait.until(d -> "completed".equals(dbStatus(second)));
        open("#/datasets");
        wait.until(d -> d.findElement(By.cssSelector("tr[data-dataset='jobs.acme']")).getText().contains("3"));
        browser.findElement(By.cssSelector("tr[data-dataset='jobs.acme'] a")).click();
        wait.until(d -> !d.findElements(By.cssSelector("section[data-state='new'] tbody tr")).isEmpty());
        assertThat(browser.findElements(By.cssSelector("section[data-state='new'] tbody tr"))).hasSize(1);
        assertThat(browser.findElement(By.cssSelector("section[data-state='new']")).getText()).contains("<b>d</b>");
        assertThat(browser.findElements(By.cssSelector("section[data-state='changed'] tbody tr"))).hasSize(1);
        assertThat(browser.findElements(By.cssSelector("section[data-state='expired'] tbody tr"))).hasSize(1);
        assertThat(sameDocument()).isTrue();
    }

    @Test
    void itFitsAPhoneAndWorksFromTheKeyboard() {
        WebDriverWait wait = waiting();
        enqueue("{\"kind\": \"noop\", \"queue\": \"a-queue-with-a-rather-long-name-for-a-phone\"}");
        try {
            browser.manage().window().setSize(new Dimension(390, 844));
            open("#/jobs");
            wait.until(d -> d.findElements(By.cssSelector("tr[data-job]")).size() == 1);
            assertThat(browser.executeScript("return document.documentElement.scrollWidth <= window.innerWidth + 1"))
                    .as("no sideways scrolling of the page: wide tables scroll in their own box").isEqualTo(true);
            shot("phone");
        } finally {
            browser.manage().window().setSize(new Dimension(1280, 900));
        }
        open("#/");
        wait.until(d -> !d.findElements(By.id("instances")).isEmpty());
        browser.executeScript("document.activeElement.blur(); window.scrollTo(0, 0)");
        Actions keys = new Actions(browser);
        keys.sendKeys(Keys.TAB).perform();
        assertThat(browser.switchTo().activeElement().getText()).isEqualTo("Skip to content");
        keys.sendKeys(Keys.TAB).sendKeys(Keys.TAB).sendKeys(Keys.TAB).perform();
        assertThat(browser.switchTo().activeElement().getText()).isEqualTo("Failed");
        keys.sendKeys(Keys.ENTER).perform();
        wait.until(d -> d.findElement(By.cssSelector("#page h1")).getText().equals("Failed jobs"));
        assertThat(sameDocument()).isTrue();
    }

    @Test
    void aRunningJobIsCancelledFromItsPage() {
        String id = enqueue("{\"kind\": \"test-hold\", \"args\": {\"key\": \"dashboard-cancel\", \"holdAttempts\": 1}}");
        waiting().until(d -> "running".equals(dbStatus(id)));
        open("#/job/" + id);
        WebDriverWait wait = waiting();
        wait.until(d -> "running".equals(d.findElement(By.id("job-status")).getText()));
        browser.findElement(By.id("cancel")).click();
        wait.until(d -> "cancelled".equals(d.findElement(By.id("job-status")).getText()));
        assertThat(dbStatus(id)).isEqualTo("cancelled");
        assertThat(HoldHandler.SAW_CANCEL).contains("dashboard-cancel");
    }

    @Test
    void theDeadLetterRetriesOneJobAndAllThatItsFiltersShow() {
        String one = enqueue("{\"kind\": \"http\", \"queue\": \"dl\", \"maxAttempts\": 1, \"args\": {\"url\": \"" + stub.url("/missing") + "\"}}");
        String two = enqueue("{\"kind\": \"http\", \"queue\": \"dl\", \"maxAttempts\": 1, \"args\": {\"url\": \"" + stub.url("/missing") + "\"}}");
        String other = enqueue("{\"kind\": \"http\", \"queue\": \"elsewhere\", \"maxAttempts\": 1, \"args\": {\"url\": \"" + stub.url("/missing") + "\"}}");
        WebDriverWait wait = waiting();
        wait.until(d -> "failed".equals(dbStatus(one)) && "failed".equals(dbStatus(two)) && "failed".equals(dbStatus(other)));
        harness.stopAll();

        open("#/failed");
        wait.until(d -> d.findElements(By.cssSelector("tr[data-job]")).size() == 3);
        shot("dead-letter");
        browser.findElement(By.cssSelector("tr[data-job='" + one + "'] button.retry")).click();
        wait.until(d -> !"failed".equals(dbStatus(one)));
        wait.until(d -> d.findElements(By.cssSelector("tr[data-job]")).size() == 2);

        open("#/failed?queue=dl");
        wait.until(d -> d.findElements(By.cssSelector("tr[data-job]")).size() == 1);
        browser.findElement(By.id("retry-all")).click();
        wait.until(d -> !"failed".equals(dbStatus(two)));
        assertThat(dbStatus(other)).as("outside the filters").isEqualTo("failed");
        assertThat(sameDocument()).isTrue();
    }

    @Test
    void aScheduleIsTriggeredFromTheSchedulesPage() {
        api().body("{\"cron\": \"0 8 * * *\", \"timeZone\": \"Europe/London\", \"job\": {\"kind\": \"noop\"}}")
                .put("/api/v1/schedules/morning").then().statusCode(201);
        open("#/schedules");
        WebDriverWait wait = waiting();
        WebElement row = wait.until(d -> d.findElement(By.cssSelector("tr[data-schedule='morning']")));
        assertThat(row.getText()).contains("Europe/London").contains("UTC");
        row.findElement(By.cssSelector("button.trigger")).click();
        wait.until(d -> TestDatabase.queryLong("SELECT count(*) FROM harrier.jobs WHERE schedule = 'morning'") == 1);
        wait.until(d -> d.findElement(By.cssSelector("p[role=status]")).getText().startsWith("Triggered"));
    }

    @Test
    void markupInAJobIsShownAsTextAndNoScriptRuns() {
        api().body("{}").put("/api/v1/kinds/dashboard-echo").then().statusCode(201);
        String payload = "<script>window.__xss = 1; alert(1)</script><img src=x onerror=\\\"window.__xss = 2\\\">";
        String id = enqueue("{\"kind\": \"dashboard-echo\", \"tags\": [\"" + payload + "\"], \"args\": {\"note\": \"" + payload + "\"}}");
        open("#/job/" + id);
        WebDriverWait wait = waiting();
        wait.until(d -> d.findElement(By.tagName("main")).getText().contains("<script>window.__xss = 1; alert(1)</script>"));
        open("#/jobs");
        wait.until(d -> d.findElements(By.cssSelector("tr[data-job]")).size() == 1);
        assertThat(browser.findElement(By.cssSelector("tr[data-job]")).getText()).contains("<img src=x");
        assertThat(browser.executeScript("return window.__xss === undefined")).isEqualTo(true);
        try {
            browser.switchTo().alert();
            throw new AssertionError("an alert opened: a script of the job ran");
        } catch (NoAlertPresentException expected) {
            // No script of the job ran.
        }
        given().get(ui.toString()).then().statusCode(200)
                .header("Content-Security-Policy", containsString("script-src 'self'"));
    }
}
