package dev.kiln.e2e;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.WebDriver;

/**
 * A dev stack and a headless Chromium for the tests of Kiln's pages, started once per test class
 * (classes run one after another, so they share these fields in turn) and stopped after it.
 */
abstract class BrowserEndToEnd {

  static final Duration BUILD_TIMEOUT = Duration.ofMinutes(5);

  @TempDir static Path temp;
  static DevStackProcess stack;
  static KilnHttp api;
  static GitFixtures fixtures;
  static WebDriver browser;

  @BeforeAll
  static void startStackAndBrowser() throws Exception {
    HeadlessChromium.requireInstalled();
    stack = DevStackProcess.start(temp.resolve("kiln-home"));
    api = new KilnHttp(stack.baseUrl());
    fixtures = new GitFixtures(temp.resolve("repos"));
    browser = HeadlessChromium.start();
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
}
