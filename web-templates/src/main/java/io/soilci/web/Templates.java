package io.soilci.web;

import io.pebbletemplates.pebble.PebbleEngine;
import io.pebbletemplates.pebble.loader.ClasspathLoader;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The Pebble engine over the templates in {@code io/soilci/web/templates/}: HTML autoescaping and
 * strict variables on, so a typo in a template fails instead of printing nothing.
 */
public final class Templates {
  private static final Templates SHARED = new Templates();

  private final PebbleEngine engine;

  private Templates() {
    ClasspathLoader loader = new ClasspathLoader(Templates.class.getClassLoader());
    loader.setPrefix("io/soilci/web/templates/");
    loader.setSuffix(".peb");
    engine =
        new PebbleEngine.Builder()
            .loader(loader)
            .autoEscaping(true)
            .defaultEscapingStrategy("html")
            .strictVariables(true)
            .newLineTrimming(true)
            .build();
  }

  /** The one engine; Pebble caches compiled templates, so share it. */
  public static Templates shared() {
    return SHARED;
  }

  /** Renders {@code name} (without {@code .peb}) with {@code context}. */
  public String render(String name, Map<String, ?> context) {
    StringWriter out = new StringWriter();
    try {
      @SuppressWarnings("unchecked")
      Map<String, Object> values = (Map<String, Object>) context;
      engine.getTemplate(name).evaluate(out, values);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }
}
