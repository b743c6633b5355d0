package dev.harrier.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.harrier.testing.Browser;
import dev.harrier.testing.ExampleProcess;
import dev.harrier.testing.TestDatabase;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Seed 001 as {@code examples/run.sh 001} starts it (each of the ten stages shortened to 1 s): the
 * app's page, in Chromium, submits a search, follows the job's step and details with a read token,
 * resumes after a reload from {@code ?job=} in its URL, and shows the result; a failing search shows
 * its error.
 */
class LongAnalysisExampleIT {

    @BeforeAll
    static void clean() {
        TestDatabase.cleanIfMigrated();
    }

    @Test
    void thePageFollowsTheAnalysisResumesAfterAReloadAndShowsTheResultOrTheError() throws Exception {
        try (ExampleProcess example = ExampleProcess.start("001", 1, Map.of("STAGE_SECONDS", "1"))) {
            ChromeDriver browser = Browser.start();
            try {
                WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(40));
                browser.get(example.stub(0) + "/");
                browser.findElement(By.id("query")).clear();
                browser.findElement(By.id("query")).sendKeys("home espresso");
                browser.findElement(By.cssSelector("#search button")).click();
                wait.until(d -> d.getCurrentUrl().contains("?job="));
                String id = browser.getCurrentUrl().replaceAll(".*\\?job=", "");
                wait.until(d -> d.findElement(By.id("status")).getText().equals("running")
                        && d.findElement(By.id("details")).getText().contains("for 'home espresso'"));
                String stepBefore = browser.findElement(By.id("step")).getText();

                browser.navigate().refresh();
                wait.until(d -> d.findElement(By.id("job-id")).getText().equals(id));
                assertThat(browser.getCurrentUrl()).endsWith("?job=" + id);
                wait.until(d -> !d.findElement(By.id("step")).getText().isEmpty());
                assertThat(List.of("expanding_query", "searching_videos", "fetching_channels", "fetching_metrics", "transcripts",
                        "embedding", "scoring", "filtering", "ranking", "summarising")).contains(stepBefore,
                                browser.findElement(By.id("step")).getText());
                wait.until(d -> d.findElement(By.id("status")).getText().equals("completed"));
                wait.until(d -> d.findElements(By.cssSelector("#results tbody tr")).size() == 5);
                assertThat(browser.findElement(By.cssSelector("#results tbody tr td")).getText()).isEqualTo("Home Espresso channel 1");
                JsonPath job = example.api().get("/api/v1/jobs/" + id).then().statusCode(200).extract().jsonPath();
                assertThat(job.getString("kind")).isEqualTo("search");
                assertThat(job.getInt("result.total")).isEqualTo(5);
                assertThat(job.getString("progress.step")).isEqualTo("summarising");

                browser.get(example.stub(0) + "/");
                browser.findElement(By.id("query")).clear();
                browser.findElement(By.id("query")).sendKeys("fail");
                browser.findElement(By.cssSelector("#search button")).click();
                wait.until(d -> d.findElement(By.id("error")).isDisplayed());
                assertThat(browser.findElement(By.id("error")).getText()).contains("the scoring model is unavailable");
                assertThat(browser.findElement(By.id("status")).getText()).isEqualTo("failed");
            } finally {
                browser.quit();
            }
        }
    }
}
