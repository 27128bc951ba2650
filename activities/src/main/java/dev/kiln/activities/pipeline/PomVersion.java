package dev.kiln.activities.pipeline;

import java.io.IOException;
import java.io.StringReader;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.helpers.DefaultHandler;

/**
 * The version a pom.xml declares: {@code project/version}, else the inherited {@code
 * project/parent/version}. CI-friendly placeholders ({@code ${revision}${changelist}}) are resolved
 * from the pom's own {@code <properties>} when they are plain values there; anything needing Maven
 * itself (profiles, -D flags, other files) gives null rather than a wrong version.
 */
final class PomVersion {

  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]+)}");

  private PomVersion() {}

  static String of(String pomXml) throws IOException {
    Element project = parse(pomXml).getDocumentElement();
    String version = childText(project, "version");
    if (version == null) {
      Element parent = child(project, "parent");
      version = parent == null ? null : childText(parent, "version");
    }
    return version == null ? null : resolve(version, properties(project));
  }

  private static String resolve(String version, Map<String, String> properties) {
    Matcher m = PLACEHOLDER.matcher(version);
    StringBuilder resolved = new StringBuilder();
    while (m.find()) {
      String value = properties.get(m.group(1));
      if (value == null || value.contains("${")) {
        return null;
      }
      m.appendReplacement(resolved, Matcher.quoteReplacement(value));
    }
    m.appendTail(resolved);
    return resolved.isEmpty() ? null : resolved.toString();
  }

  private static Map<String, String> properties(Element project) {
    Map<String, String> properties = new HashMap<>();
    Element block = child(project, "properties");
    if (block != null) {
      for (Node n = block.getFirstChild(); n != null; n = n.getNextSibling()) {
        if (n instanceof Element property) {
          properties.put(property.getTagName(), property.getTextContent().strip());
        }
      }
    }
    return properties;
  }

  private static Element child(Element parent, String name) {
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element element && element.getTagName().equals(name)) {
        return element;
      }
    }
    return null;
  }

  private static String childText(Element parent, String name) {
    Element element = child(parent, name);
    if (element == null || element.getTextContent().isBlank()) {
      return null;
    }
    return element.getTextContent().strip();
  }

  /**
   * The pom comes from an untrusted repository: DOCTYPEs are refused outright, which rules out
   * external entities (reading the worker's files into the version) and entity expansion bombs.
   */
  private static org.w3c.dom.Document parse(String xml) throws IOException {
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      factory.setXIncludeAware(false);
      factory.setExpandEntityReferences(false);
      DocumentBuilder builder = factory.newDocumentBuilder();
      // The default handler prints "[Fatal Error]" to stderr before throwing; just throw.
      builder.setErrorHandler(new DefaultHandler());
      return builder.parse(new InputSource(new StringReader(xml)));
    } catch (ParserConfigurationException | SAXException e) {
      throw new IOException("pom.xml is not readable XML: " + e.getMessage(), e);
    }
  }
}
