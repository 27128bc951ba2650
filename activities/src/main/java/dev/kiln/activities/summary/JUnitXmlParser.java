package dev.kiln.activities.summary;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Reads one JUnit XML report: Surefire/Failsafe and Gradle write {@code <testsuite>} roots, other
 * tools (pytest, jest-junit, go-junit-report) often a {@code <testsuites>} root around them.
 *
 * <p>Counts come from the {@code <testcase>} elements: failed = has {@code <failure>} or {@code
 * <error>}, skipped = has {@code <skipped>}. Surefire's {@code <flakyFailure>} (failed, then passed
 * on rerun) counts as passed. Only a report without any testcase falls back to the suite's {@code
 * tests/failures/errors/skipped} attributes.
 *
 * <p>Reports are written by the build, i.e. by untrusted code, so the parser is StAX with DTDs and
 * external entities off: no XXE file disclosure, no entity-expansion bombs; a report that tries is
 * rejected as malformed.
 */
final class JUnitXmlParser {

  /** Enough names for any 600-character summary. */
  static final int MAX_FAILING_NAMES = 50;

  /**
   * One report's numbers.
   *
   * @param failing the first failing tests as {@code SimpleClassName.method}, in document order
   */
  record Suite(int total, int failed, int skipped, List<String> failing) {}

  /** Thrown for files that are not well-formed JUnit XML. */
  static final class MalformedReportException extends Exception {
    MalformedReportException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private JUnitXmlParser() {}

  static Suite parse(Path file) throws IOException, MalformedReportException {
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

  private static Suite read(XMLStreamReader xml)
      throws XMLStreamException, MalformedReportException {
    Tally cases = new Tally();
    Tally declared = new Tally();
    boolean rootSeen = false;
    TestCase current = null;
    while (xml.hasNext()) {
      int event = xml.next();
      if (event == XMLStreamConstants.START_ELEMENT) {
        String name = xml.getLocalName();
        if (!rootSeen) {
          requireJUnitRoot(name);
          rootSeen = true;
        }
        switch (name) {
          case "testsuite" -> declared.addDeclared(xml);
          case "testcase" ->
              current =
                  new TestCase(
                      xml.getAttributeValue(null, "classname"),
                      xml.getAttributeValue(null, "name"));
          case "failure", "error" -> {
            if (current != null) {
              current.failed = true;
            }
          }
          case "skipped" -> {
            if (current != null) {
              current.skipped = true;
            }
          }
          default -> {}
        }
      } else if (event == XMLStreamConstants.END_ELEMENT
          && xml.getLocalName().equals("testcase")
          && current != null) {
        cases.add(current);
        current = null;
      }
    }
    if (!rootSeen) {
      throw new MalformedReportException("empty document", null);
    }
    return (cases.total > 0 ? cases : declared).toSuite();
  }

  private static void requireJUnitRoot(String name) throws MalformedReportException {
    if (!name.equals("testsuite") && !name.equals("testsuites")) {
      throw new MalformedReportException("not a JUnit report: root element <" + name + ">", null);
    }
  }

  private static final class TestCase {
    private final String className;
    private final String name;
    private boolean failed;
    private boolean skipped;

    TestCase(String className, String name) {
      this.className = className;
      this.name = name == null ? "?" : name;
    }

    /** {@code FooTest.bar}: the package adds length, not information, in a 600-character line. */
    String displayName() {
      if (className == null || className.isBlank()) {
        return name;
      }
      // Only dotted identifiers are package-qualified; jest-junit puts sentences here.
      boolean qualified = !className.contains(" ");
      String simple = qualified ? className.substring(className.lastIndexOf('.') + 1) : className;
      return simple + "." + name;
    }
  }

  private static final class Tally {
    private int total;
    private int failed;
    private int skipped;
    private final List<String> failing = new ArrayList<>();

    void add(TestCase testCase) {
      total++;
      if (testCase.failed) {
        failed++;
        if (failing.size() < MAX_FAILING_NAMES) {
          failing.add(testCase.displayName());
        }
      } else if (testCase.skipped) {
        skipped++;
      }
    }

    void addDeclared(XMLStreamReader suite) {
      total += intAttribute(suite, "tests");
      failed += intAttribute(suite, "failures") + intAttribute(suite, "errors");
      skipped += intAttribute(suite, "skipped") + intAttribute(suite, "disabled");
    }

    Suite toSuite() {
      return new Suite(total, failed, skipped, List.copyOf(failing));
    }

    private static int intAttribute(XMLStreamReader element, String name) {
      String value = element.getAttributeValue(null, name);
      try {
        return value == null ? 0 : Integer.parseInt(value.trim());
      } catch (NumberFormatException e) {
        return 0;
      }
    }
  }
}
