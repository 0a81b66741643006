package io.soilci.server.site;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** The JSON Schemas of docs/schema/, checked with networknt's validator (draft 2020-12). */
final class JsonSchemas {
  /** The kinds of page JSON, each with its schema file. */
  enum Kind {
    HOST_INDEX("host-index.schema.json"),
    RUN("run.schema.json"),
    STATUS("status.schema.json"),
    TEST_HISTORY("test-history.schema.json");

    final String file;

    Kind(String file) {
      this.file = file;
    }
  }

  private static final SchemaRegistry REGISTRY =
      SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

  private JsonSchemas() {}

  /** What is wrong with {@code json} by {@code kind}'s schema under {@code folder}; empty if ok. */
  static List<String> problems(Path folder, Kind kind, JsonNode json) throws IOException {
    Schema schema =
        REGISTRY.getSchema(new ObjectMapper().readTree(folder.resolve(kind.file).toFile()));
    return schema.validate(json).stream().map(Error::toString).toList();
  }
}
