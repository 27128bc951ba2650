package dev.kiln.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The run page ({@code GET /runs/{id}} as {@code text/html}) in a real headless Chromium, driven
 * through Debian's chromedriver, against the whole dev stack: while a build prints a line every 200
 * ms the page shows the run and its log growing without a reload, ANSI red as red, and at the end
 * the result and the failure summary on top with a link to the Temporal Web UI.
 *
 * <p>Needs {@code chromium} and {@code chromium-driver} (Debian packages; {@code .ci/run} installs
 * them). Without them the test is skipped, except in CI ({@code CI=true}), where it fails.
 */
class RunPageBrowserIT {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(5);
  private static final Pattern LINE = Pattern.compile("^(red )?line (\\d+)$", Pattern.MULTILINE);

  @TempDir static Path temp;
  static DevStackProcess stack;
  static KilnHttp api;
  static GitFixtures fixtures;
  static WebDriver browser;

  @BeforeAll
  static void startStackAndBrowser() throws Exception {
    boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    if (!installed) {
      String missing = "needs " + CHROMIUM + " and " + CHROMEDRIVER;
      if ("true".equals(System.getenv("CI"))) {
        throw new IllegalStateException(missing + ": .ci/run installs chromium chromium-driver");
      }
      Assumptions.abort(missing + " (apt-get install chromium chromium-driver); skipped");
    }
    stack = DevStackProcess.start(temp.resolve("kiln-home"));
    api = new KilnHttp(stack.baseUrl());
    fixtures = new GitFixtures(temp.resolve("repos"));
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start
    options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage");
    // the driver is Debian's, matching its chromium: never let Selenium Manager download one
    ChromeDriverService service =
        new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build();
    browser = new ChromeDriver(service, options);
  }

  @AfterAll
  static void stopBrowserAndStack() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    if (stack != null) {
      stack.stopLeavingNothingBehind();
    }
  }

  @Test
  void pageShowsTheRunItsLiveLogInColourAndAtTheEndTheFailureOnTop() throws Exception {
    String repo = fixtures.repository("live-log", Map.of());
    KilnHttp.Answer accepted = api.rebuild(Map.of("repo", repo));
    assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
    long runId = accepted.json().path("run_id").asLong();

    browser.get(stack.baseUrl() + "/runs/" + runId);
    assertThat(browser.getTitle()).contains("Kiln run " + runId).contains(repo);
    WebDriverWait wait = new WebDriverWait(browser, BUILD_TIMEOUT);

    // live: lines arrive while the build runs, without a reload
    wait.until(b -> logLines() >= 5);
    int seen = logLines();
    assertThat(text("result")).isEqualTo("building");
    assertThat(text("phase")).isEqualTo("compiling");
    wait.withTimeout(Duration.ofSeconds(30)).until(b -> logLines() >= seen + 5);
    assertThat(text("result")).as("still running when the new lines came").isEqualTo("building");

    // ANSI: the red line is in an element styled red, and no escape shows
    wait.until(b -> redLine() != null);
    WebElement red = redLine();
    assertThat(isRed(red.getCssValue("color"))).as(red.getCssValue("color")).isTrue();
    // an escape that arrived in two chunks is rendered too
    assertThat(browser.findElements(By.cssSelector("#log .f31")))
        .extracting(WebElement::getText)
        .contains("split escape");
    // (the log also echoes the command, whose source spells the escape as \033[31m)
    assertThat(logText())
        .doesNotContain("\u001b")
        .doesNotContainPattern("\\[31mred line \\d")
        .doesNotContainPattern("red line \\d+\\[0m")
        .doesNotContainPattern("\\[3\\s*1msplit");

    // the end: result, failure summary on top, a link to the run's workflow in the Temporal UI
    wait.withTimeout(BUILD_TIMEOUT).until(b -> !"building".equals(text("result")));
    JsonNode run = api.awaitEnd(runId, Duration.ofSeconds(30));
    assertThat(text("result")).isEqualTo("failed").isEqualTo(run.path("result").asText());
    assertThat(logLines()).isEqualTo(100);
    WebElement failure = browser.findElement(By.id("failure"));
    assertThat(failure.isDisplayed()).isTrue();
    assertThat(failure.getText())
        .contains("expected ';'")
        .isEqualTo(run.path("failure_summary").asText().strip());
    assertThat(failure.getLocation().getY())
        .as("the failure summary is above the log")
        .isLessThan(browser.findElement(By.id("log")).getLocation().getY());
    WebElement temporal = browser.findElement(By.linkText("Temporal Web UI"));
    assertThat(temporal.getAttribute("href"))
        .isEqualTo(run.path("temporal").path("ui_url").asText())
        .contains(run.path("temporal").path("workflow_id").asText());
  }

  /** The first element the page styled as ANSI red that holds a "red line" of the build. */
  private static WebElement redLine() {
    return browser.findElements(By.cssSelector("#log .f31")).stream()
        .filter(e -> e.getText().matches("red line \\d+"))
        .findFirst()
        .orElse(null);
  }

  private static String text(String id) {
    return browser.findElement(By.id(id)).getText();
  }

  private static String logText() {
    return (String)
        ((JavascriptExecutor) browser)
            .executeScript("return document.getElementById('log').textContent");
  }

  /** The numbered lines the build printed that the page shows. */
  private static int logLines() {
    Matcher m = LINE.matcher(logText());
    int count = 0;
    while (m.find()) {
      count++;
    }
    return count;
  }

  /** {@code rgba(238, 85, 85, 1)} and the like. */
  private static boolean isRed(String cssColor) {
    Matcher rgb = Pattern.compile("rgba?\\((\\d+), (\\d+), (\\d+)").matcher(cssColor);
    if (!rgb.find()) {
      return false;
    }
    int r = Integer.parseInt(rgb.group(1));
    int g = Integer.parseInt(rgb.group(2));
    int b = Integer.parseInt(rgb.group(3));
    return r > 180 && g < 130 && b < 130;
  }
}
