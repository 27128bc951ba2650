package dev.kiln.activities.summary;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Reads one JUnit XML report: Surefire/Failsafe and Gradle write {@code <testsuite>} roots, other
 * tools (pytest, node's junit reporter, CTest, jest-junit, go-junit-report) often a {@code
 * <testsuites>} root around them, sometimes nested.
 *
 * <p>Counts come from the {@code <testcase>} elements: failed = has {@code <failure>} or {@code
 * <error>}, skipped = has {@code <skipped>}. Surefire's {@code <flakyFailure>} (failed, then passed
 * on rerun) counts as passed. Only a report without any testcase falls back to the suite's {@code
 * tests/failures/errors/skipped} attributes. A failing test's message, stack trace and {@code
 * <system-out>} go to {@link FailureLocator} for its assertion line.
 *
 * <p>Reports are written by the build, i.e. by untrusted code, so the parser is StAX with DTDs and
 * external entities off: no XXE file disclosure, no entity-expansion bombs; a report that tries is
 * rejected as malformed. What it keeps of a failure's text is bounded.
 */
final class JUnitXmlParser {

  /** Enough of a stack trace or a test's output to find the assertion in. */
  static final int MAX_TEXT_CHARS = 32 * 1024;

  /** node:test's junit reporter writes this {@code classname} for every test. */
  private static final String NODE_TEST_CLASSNAME = "test";

  /** Thrown for files that are not well-formed JUnit XML. */
  static final class MalformedReportException extends Exception {
    MalformedReportException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final FailureLocator locator;

  JUnitXmlParser(FailureLocator locator) {
    this.locator = locator;
  }

  TestTally parse(Path file) throws IOException, MalformedReportException {
    try (InputStream in = Files.newInputStream(file)) {
      XMLStreamReader xml = factory().createXMLStreamReader(in);
      try {
        return read(xml);
      } finally {
        xml.close();
      }
    } catch (XMLStreamException e) {
      throw new MalformedReportException(e.getMessage(), e);
    }
  }

  private static XMLInputFactory factory() {
    // The JDK's own implementation, whatever else is on the classpath, configured explicitly.
    XMLInputFactory factory = XMLInputFactory.newDefaultFactory();
    factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
    factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
    return factory;
  }

  private TestTally read(XMLStreamReader xml) throws XMLStreamException, MalformedReportException {
    TestTally cases = new TestTally();
    TestTally declared = new TestTally();
    Deque<String> suites = new ArrayDeque<>();
    boolean rootSeen = false;
    Case current = null;
    StringBuilder text = null;
    while (xml.hasNext()) {
      int event = xml.next();
      if (event == XMLStreamConstants.START_ELEMENT) {
        String name = xml.getLocalName();
        if (!rootSeen) {
          requireJUnitRoot(name);
          rootSeen = true;
        }
        switch (name) {
          case "testsuite" -> {
            suites.push(String.valueOf(xml.getAttributeValue(null, "name")));
            addDeclared(declared, xml);
          }
          case "testcase" ->
              current =
                  new Case(
                      xml.getAttributeValue(null, "classname"),
                      xml.getAttributeValue(null, "name"),
                      xml.getAttributeValue(null, "time"),
                      suites.peek());
          case "failure", "error" -> {
            if (current != null && !current.failed) {
              current.failed = true;
              current.message = xml.getAttributeValue(null, "message");
              current.type = xml.getAttributeValue(null, "type");
              text = current.details;
            }
          }
          case "skipped" -> {
            if (current != null) {
              current.skipped = true;
            }
          }
          case "system-out", "system-err" -> text = current == null ? null : current.output;
          default -> {}
        }
      } else if (event == XMLStreamConstants.CHARACTERS || event == XMLStreamConstants.CDATA) {
        if (text != null && text.length() < MAX_TEXT_CHARS) {
          String chars = xml.getText();
          text.append(chars, 0, Math.min(chars.length(), MAX_TEXT_CHARS - text.length()));
        }
      } else if (event == XMLStreamConstants.END_ELEMENT) {
        switch (xml.getLocalName()) {
          case "testcase" -> {
            if (current != null) {
              cases.add(current.toResult(locator));
              current = null;
            }
          }
          case "testsuite" -> suites.poll();
          case "failure", "error", "system-out", "system-err" -> text = null;
          default -> {}
        }
      }
    }
    if (!rootSeen) {
      throw new MalformedReportException("empty document", null);
    }
    return cases.isEmpty() ? declared : cases;
  }

  private static void requireJUnitRoot(String name) throws MalformedReportException {
    if (!name.equals("testsuite") && !name.equals("testsuites")) {
      throw new MalformedReportException("not a JUnit report: root element <" + name + ">", null);
    }
  }

  private static void addDeclared(TestTally declared, XMLStreamReader suite) {
    declared.addCounts(
        intAttribute(suite, "tests"),
        intAttribute(suite, "failures") + intAttribute(suite, "errors"),
        intAttribute(suite, "skipped") + intAttribute(suite, "disabled"));
  }

  private static int intAttribute(XMLStreamReader element, String name) {
    String value = element.getAttributeValue(null, name);
    try {
      return value == null ? 0 : Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static final class Case {
    private final String className;
    private final String name;
    private final String time;
    private final String suite;
    private final StringBuilder details = new StringBuilder();
    private final StringBuilder output = new StringBuilder();
    private boolean failed;
    private boolean skipped;
    private String message;
    private String type;

    Case(String className, String name, String time, String suite) {
      this.className = className;
      this.name = name == null ? "?" : name;
      this.time = time;
      this.suite = suite;
    }

    TestResult toResult(FailureLocator locator) {
      Long millis = millis(time);
      if (failed) {
        TestFailure failure =
            locator.junit(className, message, type, lines(details), lines(output));
        return TestResult.failed(suiteName(), displayName(), millis, failure);
      }
      return skipped
          ? TestResult.skipped(suiteName(), displayName(), millis)
          : TestResult.passed(suiteName(), displayName(), millis);
    }

    private String suiteName() {
      return isNodeTest() ? suite : className;
    }

    private boolean isNodeTest() {
      return NODE_TEST_CLASSNAME.equals(className);
    }

    /** {@code FooTest.bar}: the package adds length, not information, in a 600-character line. */
    String displayName() {
      if (className == null || className.isBlank()) {
        return name;
      }
      if (isNodeTest()) {
        return suite == null ? name : suite + " > " + name;
      }
      // Only dotted identifiers are package-qualified; jest-junit puts sentences here.
      boolean qualified = !className.contains(" ");
      String simple = qualified ? className.substring(className.lastIndexOf('.') + 1) : className;
      // CTest writes the test's name as its class too.
      return simple.equals(name) ? name : simple + "." + name;
    }

    private static List<String> lines(StringBuilder text) {
      return text.isEmpty() ? List.of() : text.toString().lines().toList();
    }

    private static Long millis(String seconds) {
      if (seconds == null) {
        return null;
      }
      try {
        double value = Double.parseDouble(seconds.trim().replace(",", ""));
        return value >= 0 && value < 1e9 ? Math.round(value * 1000) : null;
      } catch (NumberFormatException e) {
        return null;
      }
    }
  }
}
