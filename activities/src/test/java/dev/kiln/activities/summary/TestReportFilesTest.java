package dev.kiln.activities.summary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.workflows.activities.TestCounts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reports are written exactly as Surefire 3 / Gradle 8 write them (trimmed of properties). */
class TestReportFilesTest {

  private static final String SUREFIRE_FAILING =
      """
      <?xml version="1.0" encoding="UTF-8"?>
      <testsuite xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" \
      xsi:noNamespaceSchemaLocation="https://maven.apache.org/surefire/maven-surefire-plugin/xsd/surefire-test-report.xsd" \
      version="3.0.2" name="com.acme.FooTest" time="0.12" tests="5" errors="1" skipped="1" failures="1" flakes="1">
        <properties>
          <property name="java.specification.version" value="17"/>
        </properties>
        <testcase name="ok" classname="com.acme.FooTest" time="0.001"/>
        <testcase name="bar" classname="com.acme.FooTest" time="0.01">
          <failure message="expected: &lt;1&gt; but was: &lt;2&gt;" type="org.opentest4j.AssertionFailedError"><![CDATA[org.opentest4j.AssertionFailedError: expected: <1> but was: <2>
      \tat com.acme.FooTest.bar(FooTest.java:12)
      ]]></failure>
          <system-out><![CDATA[<testcase name="fake"/> printed by the test
      ]]></system-out>
        </testcase>
        <testcase name="baz" classname="com.acme.FooTest" time="0.002">
          <error message="boom" type="java.lang.IllegalStateException"><![CDATA[java.lang.IllegalStateException: boom]]></error>
        </testcase>
        <testcase name="later" classname="com.acme.FooTest" time="0">
          <skipped message="not yet"/>
        </testcase>
        <testcase name="flaky" classname="com.acme.FooTest" time="0.3">
          <flakyFailure message="timeout" type="java.util.concurrent.TimeoutException">
            <stackTrace><![CDATA[java.util.concurrent.TimeoutException: timeout]]></stackTrace>
          </flakyFailure>
        </testcase>
      </testsuite>
      """;

  private static final String SUREFIRE_PASSING =
      """
      <?xml version="1.0" encoding="UTF-8"?>
      <testsuite version="3.0.2" name="com.acme.BarTest" time="0.01" tests="2" errors="0" skipped="0" failures="0">
        <testcase name="one" classname="com.acme.BarTest" time="0.001"/>
        <testcase name="two" classname="com.acme.BarTest" time="0.001"/>
      </testsuite>
      """;

  @TempDir Path workspace;

  @Test
  void surefireReportsAreCountedPerTestcase() throws IOException {
    write("target/surefire-reports/TEST-com.acme.FooTest.xml", SUREFIRE_FAILING);
    write("target/surefire-reports/TEST-com.acme.BarTest.xml", SUREFIRE_PASSING);

    TestReport report = TestReportFiles.read(workspace, TestReportFiles.conventionalGlobs());

    assertThat(report.counts()).isEqualTo(new TestCounts(7, 2, 1));
    assertThat(report.failingTests()).containsExactly("FooTest.bar", "FooTest.baz");
    assertThat(report.reportFiles()).isEqualTo(2);
    assertThat(report.unreadableReports()).isEmpty();
  }

  @Test
  void conventionalGlobsFindMavenModulesFailsafeAndGradle() throws IOException {
    write("core/target/surefire-reports/TEST-com.acme.BarTest.xml", SUREFIRE_PASSING);
    write("app/target/failsafe-reports/TEST-com.acme.BarTest.xml", SUREFIRE_PASSING);
    write("lib/build/test-results/test/TEST-com.acme.BarTest.xml", SUREFIRE_PASSING);
    write("core/target/surefire-reports/com.acme.BarTest.txt", "not xml");
    write("app/target/failsafe-reports/failsafe-summary.xml", "<failsafe-summary/>");

    TestReport report = TestReportFiles.read(workspace, TestReportFiles.conventionalGlobs());

    assertThat(report.reportFiles()).isEqualTo(3);
    assertThat(report.counts().total()).isEqualTo(6);
  }

  @Test
  void testsuitesRootIsReadToo() throws IOException {
    write(
        "reports/junit.xml",
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <testsuites name="jest tests" tests="3" failures="1" errors="0">
          <testsuite name="Cart" tests="2" failures="1">
            <testcase classname="Cart adds items" name="Cart adds items" time="0.01">
              <failure>Expected 2, received 1</failure>
            </testcase>
            <testcase classname="Cart empties" name="Cart empties" time="0.01"/>
          </testsuite>
          <testsuite name="tests.test_api.TestApi" tests="1">
            <testcase classname="tests.test_api.TestApi" name="test_get" time="0.2"/>
          </testsuite>
        </testsuites>
        """);

    TestReport report = TestReportFiles.read(workspace, List.of("reports/*.xml"));

    assertThat(report.counts()).isEqualTo(new TestCounts(3, 1, 0));
    assertThat(report.failingTests()).containsExactly("Cart adds items");
  }

  @Test
  void suiteWithoutTestcasesFallsBackToItsDeclaredCounts() throws IOException {
    write(
        "out/TEST-Init.xml",
        "<testsuite name=\"Init\" tests=\"4\" failures=\"1\" errors=\"1\" skipped=\"1\"/>");

    TestReport report = TestReportFiles.read(workspace, List.of("**/TEST-*.xml"));

    assertThat(report.counts()).isEqualTo(new TestCounts(4, 2, 1));
  }

  @Test
  void malformedReportIsSkippedAndNoted() throws IOException {
    write("target/surefire-reports/TEST-com.acme.BarTest.xml", SUREFIRE_PASSING);
    write("target/surefire-reports/TEST-com.acme.Broken.xml", "<testsuite><testcase name=\"x\">");
    write("target/surefire-reports/TEST-com.acme.Other.xml", "<html><body>not junit</body></html>");

    TestReport report = TestReportFiles.read(workspace, TestReportFiles.MAVEN_GLOBS);

    assertThat(report.counts()).isEqualTo(new TestCounts(2, 0, 0));
    assertThat(report.reportFiles()).isEqualTo(1);
    assertThat(report.unreadableReports())
        .hasSize(2)
        .anySatisfy(
            r -> assertThat(r).startsWith("target/surefire-reports/TEST-com.acme.Broken.xml: "))
        .anySatisfy(r -> assertThat(r).contains("TEST-com.acme.Other.xml: not a JUnit report"));
  }

  @Test
  void externalEntitiesAreNeverResolved() throws IOException {
    Path secret = Files.writeString(workspace.resolve("worker-token"), "TOKEN-abc123");
    write(
        "target/surefire-reports/TEST-Evil.xml",
        """
        <?xml version="1.0"?>
        <!DOCTYPE testsuite [<!ENTITY xxe SYSTEM "%s">]>
        <testsuite name="Evil" tests="1" failures="1">
          <testcase classname="Evil" name="&xxe;"><failure/></testcase>
        </testsuite>
        """
            .formatted(secret.toUri()));

    TestReport report = TestReportFiles.read(workspace, TestReportFiles.MAVEN_GLOBS);

    assertThat(report.failingTests()).noneMatch(name -> name.contains("TOKEN"));
    assertThat(report.unreadableReports()).noneMatch(note -> note.contains("TOKEN"));
    assertThat(report.unreadableReports())
        .singleElement()
        .asString()
        .startsWith("target/surefire-reports/TEST-Evil.xml");
  }

  @Test
  void noMatchingFilesMeansNoReport() throws IOException {
    TestReport report = TestReportFiles.read(workspace, TestReportFiles.conventionalGlobs());

    assertThat(report.found()).isFalse();
    assertThat(report.counts()).isEqualTo(new TestCounts(0, 0, 0));
  }

  @Test
  void failingTestsFollowPathOrderAcrossFiles() throws IOException {
    write("b/TEST-B.xml", failingSuite("com.acme.BTest", "b1"));
    write("a/TEST-A.xml", failingSuite("com.acme.ATest", "a1"));

    TestReport report = TestReportFiles.read(workspace, List.of("**/TEST-*.xml"));

    assertThat(report.failingTests()).containsExactly("ATest.a1", "BTest.b1");
  }

  @Test
  void globEscapingTheWorkspaceIsRejected() {
    assertThatThrownBy(() -> TestReportFiles.read(workspace, List.of("../*.xml")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static String failingSuite(String className, String test) {
    return "<testsuite name=\"%s\" tests=\"1\" failures=\"1\"><testcase classname=\"%s\" name=\"%s\"><failure message=\"x\"/></testcase></testsuite>"
        .formatted(className, className, test);
  }

  private void write(String relative, String content) throws IOException {
    Path file = workspace.resolve(relative);
    Files.createDirectories(file.getParent());
    Files.writeString(file, content);
  }
}
