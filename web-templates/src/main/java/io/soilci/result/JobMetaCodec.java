package io.soilci.result;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import java.io.ByteArrayOutputStream;
import java.io.CharConversionException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
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

  private static final JsonFactory JSON =
      JsonFactory.builder()
          .streamReadConstraints(
              StreamReadConstraints.builder()
                  .maxNestingDepth(2)
                  .maxStringLength(MAX_BYTES)
                  .maxNameLength(1000)
                  .build())
          .build();

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
    Map<String, @Nullable String> values;
    try (JsonParser parser = JSON.createParser(bounded)) {
      values = readObject(parser, source);
    } catch (JsonProcessingException e) {
      if (bounded.getCount() > MAX_BYTES) {
        throw new BadInput(source + " is larger than " + MAX_BYTES + " bytes");
      }
      throw new BadInput(source + " is not valid JSON: " + e.getOriginalMessage());
    } catch (CharConversionException e) {
      // Jackson guesses UTF-16/32 from the first bytes; an impossible guess is bad input too.
      throw new BadInput(source + " is not valid JSON: " + e.getMessage());
    }
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
      JsonToken value = parser.nextToken();
      if (value == JsonToken.VALUE_NULL) {
        values.put(key, null);
      } else if (value.isScalarValue()) {
        values.put(key, parser.getText());
      } else {
        throw new BadInput(source + ": key \"" + Printable.of(key) + "\" must be a string or null");
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

  /** The file's bytes: Python's {@code json.dump(d, f, indent=2)} layout, UTF-8. */
  public static byte[] format(JobMeta meta) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    DefaultPrettyPrinter pretty =
        new DefaultPrettyPrinter()
            .withSeparators(
                Separators.createDefaultInstance()
                    .withObjectFieldValueSpacing(Separators.Spacing.AFTER))
            .withObjectIndenter(new DefaultIndenter("  ", "\n"));
    try (JsonGenerator gen = JSON.createGenerator(out)) {
      gen.setPrettyPrinter(pretty);
      gen.writeStartObject();
      for (Map.Entry<String, @Nullable String> entry : meta.values().entrySet()) {
        gen.writeStringField(entry.getKey(), entry.getValue());
      }
      gen.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.write('\n');
    return out.toByteArray();
  }
}
