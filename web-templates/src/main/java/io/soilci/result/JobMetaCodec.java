package io.soilci.result;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.CharConversionException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.io.input.BoundedInputStream;
import org.jspecify.annotations.Nullable;

/**
 * Reads and writes {@code JOB.json} as Soil's {@code collect_json.py} does: one flat object, string
 * or null values, indented by 2.
 */
public final class JobMetaCodec {
  /** Larger metadata files are refused; Soil's are about 1 KB. */
  public static final int MAX_BYTES = 256 * 1024;

  public static final int MAX_KEYS = 1000;

  /**
   * Reading, with Jackson: in a class of its own so that {@link #format} never loads Jackson (a
   * method that catches Jackson's exceptions makes the JVM load them with its class).
   */
  private static final class Parsing {
    static final JsonFactory JSON =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNestingDepth(2)
                    .maxStringLength(MAX_BYTES)
                    .maxNameLength(1000)
                    .build())
            .build();

    static Map<String, @Nullable String> values(BoundedInputStream bounded, String source)
        throws IOException {
      try (JsonParser parser = JSON.createParser(bounded)) {
        return readObject(parser, source);
      } catch (JsonProcessingException e) {
        if (bounded.getCount() > MAX_BYTES) {
          throw new BadInput(source + " is larger than " + MAX_BYTES + " bytes");
        }
        throw new BadInput(source + " is not valid JSON: " + e.getOriginalMessage());
      } catch (CharConversionException e) {
        // Jackson guesses UTF-16/32 from the first bytes; an impossible guess is bad input too.
        throw new BadInput(source + " is not valid JSON: " + e.getMessage());
      }
    }

    private static Map<String, @Nullable String> readObject(JsonParser parser, String source)
        throws IOException {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw new BadInput(source + " must be a JSON object");
      }
      Map<String, @Nullable String> values = new LinkedHashMap<>();
      for (JsonToken token = parser.nextToken();
          token != JsonToken.END_OBJECT;
          token = parser.nextToken()) {
        String key = parser.currentName();
        if (values.containsKey(key)) {
          // Readers differ on which of the two counts; the file must not leave it to them.
          throw new BadInput(
              source + ": key \"" + Printable.of(key) + "\" is given twice; give each key once");
        }
        JsonToken value = parser.nextToken();
        if (value == JsonToken.VALUE_NULL) {
          values.put(key, null);
        } else if (value.isScalarValue()) {
          values.put(key, parser.getText());
        } else {
          throw new BadInput(
              source + ": key \"" + Printable.of(key) + "\" must be a string or null");
        }
        if (values.size() > MAX_KEYS) {
          throw new BadInput(source + " has more than " + MAX_KEYS + " keys");
        }
      }
      if (parser.nextToken() != null) {
        throw new BadInput(source + " has data after its JSON object");
      }
      return values;
    }
  }

  private JobMetaCodec() {}

  public static JobMeta read(Path file, String source) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return read(in, source);
    }
  }

  /** Reads at most {@link #MAX_BYTES} bytes; more, or anything but a flat object, is an error. */
  public static JobMeta read(InputStream in, String source) throws IOException {
    BoundedInputStream bounded =
        BoundedInputStream.builder()
            .setInputStream(in)
            .setMaxCount(MAX_BYTES + 1L)
            .setPropagateClose(false)
            .get();
    Map<String, @Nullable String> values = Parsing.values(bounded, source);
    if (bounded.getCount() > MAX_BYTES) {
      throw new BadInput(source + " is larger than " + MAX_BYTES + " bytes");
    }
    try {
      return new JobMeta(values);
    } catch (BadInput e) {
      throw new BadInput(source + ": " + e.getMessage(), e);
    }
  }

  public static JobMeta parse(byte[] json, String source) {
    try {
      return read(new java.io.ByteArrayInputStream(json), source);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The file's bytes: Python's {@code json.dump(d, f, indent=2)} layout, UTF-8, escaped as
   * Jackson's generator escapes (the format this project always wrote): {@code "} and {@code \\},
   * the control characters ({@code \\b \\t \\n \\f \\r}, others {@code \\u00XX}) and every UTF-16
   * surrogate as {@code \\uXXXX}, upper-case hex; anything else as UTF-8. Written by hand so that a
   * worker's {@code run-job} loads no JSON library (docs/BENCHMARKS.md, "Worker start-up").
   */
  public static byte[] format(JobMeta meta) {
    StringBuilder out = new StringBuilder(1024).append('{');
    String separator = "\n  ";
    for (Map.Entry<String, @Nullable String> entry : meta.values().entrySet()) {
      out.append(separator);
      separator = ",\n  ";
      quote(out, entry.getKey());
      out.append(": ");
      String value = entry.getValue();
      if (value == null) {
        out.append("null");
      } else {
        quote(out, value);
      }
    }
    // Never empty: a JobMeta always holds its job-name.
    out.append("\n}\n");
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private static void quote(StringBuilder out, String text) {
    out.append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\b' -> out.append("\\b");
        case '\t' -> out.append("\\t");
        case '\n' -> out.append("\\n");
        case '\f' -> out.append("\\f");
        case '\r' -> out.append("\\r");
        default -> {
          if (c < 0x20 || Character.isSurrogate(c)) {
            out.append("\\u")
                .append(HEX[c >> 12])
                .append(HEX[(c >> 8) & 0xF])
                .append(HEX[(c >> 4) & 0xF])
                .append(HEX[c & 0xF]);
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
