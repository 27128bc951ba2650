package dev.kiln.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The runs dashboard ({@code GET /} as {@code text/html}) in a real headless Chromium ({@link
 * HeadlessChromium}) against the whole dev stack: a run started after the page loaded appears,
 * building, and finishes, failed with its summary, without a reload; its row links to the run page
 * and the Temporal Web UI; the filters (repository, branch, result) narrow the list and live in the
 * URL, so a link to the filtered dashboard shows the same.
 */
class DashboardBrowserIT extends BrowserEndToEnd {

  @Test
  void showsARunAppearAndFinishWithoutReloadAndFiltersByRepositoryBranchAndResult()
      throws Exception {
    browser.get(stack.baseUrl() + "/");
    assertThat(browser.getTitle()).isEqualTo("Kiln runs");
    script("window.kilnTestMarker = 'loaded once'");
    // the page rewrites a row when its run changed: an element found a moment ago may be gone
    WebDriverWait wait = new WebDriverWait(browser, BUILD_TIMEOUT);
    wait.ignoring(StaleElementReferenceException.class);

    // a run started after the page loaded: it appears building, then ends failed
    String repo = fixtures.repository("live-log", Map.of());
    KilnHttp.Answer accepted = api.rebuild(Map.of("repo", repo, "ref", "main"));
    assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
    long runId = accepted.json().path("run_id").asLong();
    String row = "#runs tr[data-run='" + runId + "']";
    wait.withTimeout(Duration.ofSeconds(30))
        .until(b -> !b.findElements(By.cssSelector(row)).isEmpty());
    assertThat(script("return document.querySelector(\"" + row + "\").dataset.result"))
        .as("it appears while it builds")
        .isEqualTo("building");
    wait.withTimeout(BUILD_TIMEOUT)
        .until(
            b -> "failed".equals(b.findElement(By.cssSelector(row)).getAttribute("data-result")));
    JsonNode run = api.awaitEnd(runId, Duration.ofSeconds(30));
    assertThat(script("return window.kilnTestMarker"))
        .as("never reloaded")
        .isEqualTo("loaded once");
    WebElement shown = browser.findElement(By.cssSelector(row));
    assertThat(shown.findElement(By.cssSelector("td.result")).getText()).isEqualTo("failed");
    assertThat(shown.findElement(By.cssSelector("td.summary")).getText())
        .isEqualTo(run.path("failure_summary").asText().strip().lines().findFirst().orElseThrow());
    assertThat(shown.getText()).contains(repo).contains("main");
    assertThat(shown.findElement(By.linkText("#" + runId)).getAttribute("href"))
        .isEqualTo(stack.baseUrl() + "/runs/" + runId);
    assertThat(shown.findElement(By.linkText("workflow")).getAttribute("href"))
        .isEqualTo(run.path("temporal").path("ui_url").asText());

    // filters: a result it does not have hides it, and the URL says so
    new Select(browser.findElement(By.id("f-result"))).selectByValue("passed");
    wait.withTimeout(Duration.ofSeconds(10))
        .until(b -> b.findElements(By.cssSelector(row)).isEmpty());
    assertThat(browser.getCurrentUrl()).endsWith("/?result=passed");
    new Select(browser.findElement(By.id("f-result"))).selectByValue("failed");
    wait.withTimeout(Duration.ofSeconds(10))
        .until(b -> !b.findElements(By.cssSelector(row)).isEmpty());

    // another branch hides it; its own repository and branch show it
    WebElement branch = browser.findElement(By.id("f-branch"));
    branch.sendKeys("release", Keys.ENTER);
    wait.withTimeout(Duration.ofSeconds(10))
        .until(b -> b.findElements(By.cssSelector(row)).isEmpty());
    branch.clear();
    branch.sendKeys("main", Keys.ENTER);
    browser.findElement(By.id("f-repo")).sendKeys(repo, Keys.ENTER);
    wait.withTimeout(Duration.ofSeconds(10))
        .until(
            b ->
                b.getCurrentUrl().contains("repo=")
                    && !b.findElements(By.cssSelector(row)).isEmpty());
    assertThat(browser.findElements(By.cssSelector("#runs tbody tr"))).hasSize(1);

    // the filtered URL, opened afresh, shows the same
    String filtered =
        stack.baseUrl()
            + "/?repo="
            + URLEncoder.encode(repo, StandardCharsets.UTF_8)
            + "&branch=main&result=failed";
    browser.get(filtered);
    wait.withTimeout(Duration.ofSeconds(10))
        .until(b -> !b.findElements(By.cssSelector(row)).isEmpty());
    assertThat(browser.findElement(By.id("f-repo")).getAttribute("value")).isEqualTo(repo);
    assertThat(browser.findElement(By.id("f-branch")).getAttribute("value")).isEqualTo("main");
    assertThat(
            new Select(browser.findElement(By.id("f-result"))).getFirstSelectedOption().getText())
        .isEqualTo("failed");
    browser.get(
        stack.baseUrl() + "/?repo=" + URLEncoder.encode(repo + ".other", StandardCharsets.UTF_8));
    wait.withTimeout(Duration.ofSeconds(10))
        .until(b -> b.findElement(By.id("empty")).isDisplayed());
  }

  private static Object script(String js) {
    return ((JavascriptExecutor) browser).executeScript(js);
  }
}
