package io.soilci.worker.testreport;

import io.soilci.result.TestResult;
import io.soilci.result.TestStatus;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import javax.xml.XMLConstants;
import javax.xml.stream.Location;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import org.jspecify.annotations.Nullable;

/**
 * Reads JUnit XML in the dialects tools write: a {@code testsuites} or {@code testsuite} root,
 * suites nested in suites, {@code testcase} elements with {@code failure}, {@code error} or {@code
 * skipped} (Maven Surefire/Failsafe, Gradle, pytest, gotestsum, the JUnit 5 console launcher) or a
 * {@code status} attribute (ctest). Everything else ({@code system-out}, {@code properties},
 * Surefire's reruns) is passed over without being kept.
 *
 * <p>The JDK's StAX reader with DTDs off: a {@code DOCTYPE} makes the report unreadable, so no
 * entity is ever declared, expanded or fetched; text comes in chunks (also CDATA), so a test's
 * output costs no memory; elements nest at most {@link #MAX_DEPTH} deep; a tag (its attributes) is
 * at most {@link TagGuard#MAX_TAG_BYTES}.
 */
final class JUnitXml {
  static final int MAX_DEPTH = 64;

  private static final XMLInputFactory FACTORY = factory();

  private JUnitXml() {}

  private static XMLInputFactory factory() {
    XMLInputFactory factory = XMLInputFactory.newDefaultFactory();
    factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
    factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
    factory.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, false);
    factory.setProperty(XMLInputFactory.IS_COALESCING, false);
    factory.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
    // The JDK's reader returns a CDATA section whole unless told a chunk size.
    factory.setProperty("jdk.xml.cdataChunkSize", 64 * 1024);
    factory.setXMLResolver(
        (publicId, systemId, baseUri, namespace) -> {
          throw new XMLStreamException("refused to resolve external entity " + systemId);
        });
    return factory;
  }

  /** Reads every test case of the report in {@code in} into {@code sink}. */
  static void read(InputStream in, CaseSink sink) throws Unreadable {
    XMLStreamReader reader;
    try {
      reader = FACTORY.createXMLStreamReader(new TagGuard(in));
    } catch (XMLStreamException e) {
      throw unreadable(e);
    }
    try {
      new Parse(reader, sink).run();
    } catch (XMLStreamException e) {
      throw unreadable(e);
    } finally {
      try {
        reader.close();
      } catch (XMLStreamException e) {
        // Nothing was held open but the stream, which the caller closes.
      }
    }
  }

  private static Unreadable unreadable(XMLStreamException e) {
    String message = String.valueOf(e.getMessage());
    int at = message.indexOf("Message: ");
    String reason = at >= 0 ? message.substring(at + "Message: ".length()) : message;
    Location location = e.getLocation();
    int line = location == null ? 0 : Math.max(0, location.getLineNumber());
    return new Unreadable(
        "not well-formed XML" + (line > 0 ? " at line " + line : "") + ": " + reason.strip(), line);
  }

  /** One report's parse: the suites around the reader's position and the open test case. */
  private static final class Parse {
    private final XMLStreamReader reader;
    private final CaseSink sink;
    private final Deque<Suite> suites = new ArrayDeque<>();
    private int depth;
    private @Nullable Case current;

    Parse(XMLStreamReader reader, CaseSink sink) {
      this.reader = reader;
      this.sink = sink;
    }

    void run() throws XMLStreamException, Unreadable {
      while (reader.hasNext()) {
        int event = reader.next();
        switch (event) {
          case XMLStreamConstants.DTD ->
              throw new Unreadable(
                  "has a DOCTYPE at line "
                      + line()
                      + ": reports with a DTD are not read (no entity is expanded or fetched)",
                  line());
          case XMLStreamConstants.ENTITY_REFERENCE ->
              throw new Unreadable(
                  "refers to entity '" + reader.getLocalName() + "', which is never expanded",
                  line());
          case XMLStreamConstants.START_ELEMENT -> start();
          case XMLStreamConstants.END_ELEMENT -> end();
          case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA, XMLStreamConstants.SPACE ->
              text();
          default -> {
            // Comments, processing instructions, the document's start and end: nothing to read.
          }
        }
      }
    }

    private int line() {
      return Math.max(0, reader.getLocation().getLineNumber());
    }

    private void start() throws Unreadable {
      depth++;
      if (depth > MAX_DEPTH) {
        throw new Unreadable(
            "nests elements deeper than " + MAX_DEPTH + " (line " + line() + ")", line());
      }
      String element = reader.getLocalName();
      if (depth == 1 && !element.equals("testsuites") && !element.equals("testsuite")) {
        throw new Unreadable(
            "root element '"
                + Texts.cut(element, 100)
                + "' is neither JUnit's 'testsuites' nor 'testsuite'",
            line());
      }
      Case open = current;
      if (open != null) {
        if (depth == open.depth + 1) {
          open.child(element, reader);
        }
        return;
      }
      if (element.equals("testsuite") || element.equals("testsuites")) {
        suites.push(new Suite(depth, attribute("name")));
      } else if (element.equals("testcase")) {
        current = new Case(depth, line(), attribute("classname"), attribute("name"), reader);
      }
    }

    private void text() {
      Case open = current;
      if (open != null && depth == open.depth + 1) {
        @Nullable Excerpt into =
            open.capturing ? open.body : open.capturingOutput ? open.output : null;
        if (into != null) {
          into.append(reader.getTextCharacters(), reader.getTextStart(), reader.getTextLength());
        }
      }
    }

    private void end() throws Unreadable {
      Case open = current;
      if (open != null) {
        if (depth == open.depth + 1) {
          open.capturing = false;
          open.capturingOutput = false;
        } else if (depth == open.depth) {
          open.emit(suitePath(), sink);
          current = null;
        }
      } else if (!suites.isEmpty() && suites.peek().depth == depth) {
        suites.pop();
      }
      depth--;
    }

    private String suitePath() {
      List<String> names = new ArrayList<>();
      suites.descendingIterator().forEachRemaining(s -> names.add(s.name));
      names.removeIf(String::isBlank);
      return String.join(" / ", names);
    }

    private String attribute(String name) {
      return JUnitXml.attribute(reader, name);
    }
  }

  private static String attribute(XMLStreamReader reader, String name) {
    String value = reader.getAttributeValue(null, name);
    return value == null ? "" : value.strip();
  }

  /** A {@code testsuite} element open at {@code depth}. */
  private record Suite(int depth, String name) {}

  /** An open {@code testcase}: what is known of it so far. */
  private static final class Case {
    final int depth;
    final int line;
    final String className;
    final String name;
    final double seconds;
    TestStatus status;
    String messageAttribute = "";
    final Excerpt body = new Excerpt();
    final Excerpt output = new Excerpt();
    boolean capturing;
    boolean capturingOutput;
    boolean hasOutcome;

    Case(int depth, int line, String className, String name, XMLStreamReader reader) {
      this.depth = depth;
      this.line = line;
      this.className = className;
      this.name = name;
      this.seconds = seconds(attribute(reader, "time"));
      // ctest writes the outcome as an attribute too.
      this.status =
          switch (attribute(reader, "status").toLowerCase(Locale.ROOT)) {
            case "fail", "failed", "failure" -> TestStatus.FAIL;
            case "error" -> TestStatus.ERROR;
            case "notrun", "disabled", "skipped", "skip" -> TestStatus.SKIP;
            default -> TestStatus.PASS;
          };
    }

    /** An element directly in the test case: an outcome, or output kept for a bare failure. */
    void child(String element, XMLStreamReader reader) {
      @Nullable TestStatus outcome =
          switch (element) {
            case "failure" -> TestStatus.FAIL;
            case "error" -> TestStatus.ERROR;
            case "skipped" -> TestStatus.SKIP;
            default -> null;
          };
      if (outcome == null) {
        capturingOutput = element.equals("system-out") || element.equals("system-err");
        return;
      }
      if (!hasOutcome || rank(outcome) > rank(status)) {
        if (!hasOutcome) {
          messageAttribute = attribute(reader, "message");
          capturing = true;
        }
        status = outcome;
        hasOutcome = true;
      }
    }

    void emit(String suites, CaseSink sink) throws Unreadable {
      String suite = className.isEmpty() ? suites : className;
      String testName = name.isEmpty() ? "(unnamed)" : name;
      sink.add(
          Texts.cut(suite, TestResult.MAX_NAME),
          Texts.cut(testName, TestResult.MAX_NAME),
          status,
          seconds,
          message(),
          line);
    }

    /**
     * The failure's message attribute and text; for a failure that has neither (ctest's), the start
     * of the test's output.
     */
    private String message() {
      String text = body.toString();
      if (messageAttribute.isEmpty() && text.isEmpty() && status.isFailing()) {
        return output.toString();
      }
      if (messageAttribute.isEmpty()) {
        return text;
      }
      if (text.isEmpty() || text.contains(messageAttribute)) {
        return text.isEmpty() ? Excerpt.of(messageAttribute) : text;
      }
      return Excerpt.of(messageAttribute + "\n" + text);
    }

    private static int rank(TestStatus status) {
      return switch (status) {
        case ERROR -> 3;
        case FAIL -> 2;
        case SKIP -> 1;
        default -> 0;
      };
    }

    private static double seconds(String text) {
      try {
        double value = Double.parseDouble(text.replace(",", ""));
        return value >= 0 && value <= 366 * 86_400 ? value : -1;
      } catch (NumberFormatException e) {
        return -1;
      }
    }
  }
}
