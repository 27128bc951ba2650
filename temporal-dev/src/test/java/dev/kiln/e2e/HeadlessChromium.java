package dev.kiln.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * A real headless Chromium for the browser tests, driven through Debian's chromedriver. Needs
 * {@code chromium} and {@code chromium-driver} (Debian packages; {@code .ci/run} installs them).
 * Without them a test is skipped, except in CI ({@code CI=true}), where it fails.
 */
final class HeadlessChromium {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  private HeadlessChromium() {}

  /** Skips (or, in CI, fails) the calling test class unless Chromium and its driver are here. */
  static void requireInstalled() {
    boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    if (!installed) {
      String missing = "needs " + CHROMIUM + " and " + CHROMEDRIVER;
      if ("true".equals(System.getenv("CI"))) {
        throw new IllegalStateException(missing + ": .ci/run installs chromium chromium-driver");
      }
      Assumptions.abort(missing + " (apt-get install chromium chromium-driver); skipped");
    }
  }

  static WebDriver start() {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start
    options.addArguments(
        "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1200,900");
    // the driver is Debian's, matching its chromium: never let Selenium Manager download one
    ChromeDriverService service =
        new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build();
    return new ChromeDriver(service, options);
  }
}
