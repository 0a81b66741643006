package io.soilci.worker.workspace;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.soilci.result.BadInput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Collectors;

/** Reads a workspace's JSON file; every mistake becomes a {@link BadInput} naming the key. */
public final class WorkspaceFile {
  private static final long MAX_BYTES = 1 << 20;
  private static final ObjectMapper MAPPER = strictMapper();

  private WorkspaceFile() {}

  /** The workspace {@code file} describes. */
  public static WorkspaceConfig read(Path file) {
    try {
      if (Files.size(file) > MAX_BYTES) {
        throw new BadInput("workspace file " + file + " is larger than 1 MiB");
      }
      return parse(file.toString(), Files.readString(file));
    } catch (NoSuchFileException e) {
      throw new BadInput("workspace file " + file + " does not exist", e);
    } catch (IOException e) {
      throw new BadInput("workspace file " + file + " cannot be read: " + e.getMessage(), e);
    }
  }

  /** The workspace {@code json} describes; {@code source} names it in messages. */
  static WorkspaceConfig parse(String source, String json) {
    try {
      WorkspaceConfig config = MAPPER.readValue(json, WorkspaceConfig.class);
      if (config == null) {
        throw new BadInput(source + ": must hold a JSON object, found null");
      }
      return config;
    } catch (UnrecognizedPropertyException e) {
      throw new BadInput(source + ": " + unknownKey(e), e);
    } catch (MismatchedInputException e) {
      throw new BadInput(source + ": " + wrongType(e), e);
    } catch (JsonMappingException e) {
      throw new BadInput(source + ": " + at(e) + reason(e), e);
    } catch (JsonProcessingException e) {
      throw new BadInput(
          source
              + ": not valid JSON at line "
              + e.getLocation().getLineNr()
              + ": "
              + e.getOriginalMessage(),
          e);
    }
  }

  private static String unknownKey(UnrecognizedPropertyException e) {
    String known =
        e.getKnownPropertyIds().stream()
            .map(Object::toString)
            .sorted()
            .collect(Collectors.joining(", "));
    String where = e.getPath().size() > 1 ? "in " + path(e, e.getPath().size() - 1) + " " : "";
    return "unknown key '" + e.getPropertyName() + "' " + where + "(known keys: " + known + ")";
  }

  private static String wrongType(MismatchedInputException e) {
    Class<?> target = e.getTargetType();
    String expected =
        target == null
            ? "another type"
            : target == String.class
                ? "a string"
                : java.util.Collection.class.isAssignableFrom(target) ? "a list" : "an object";
    String path = path(e, e.getPath().size());
    return (path.isEmpty() ? "the file" : path) + " must be " + expected;
  }

  private static String at(JsonMappingException e) {
    String path = path(e, e.getPath().size());
    return path.isEmpty() ? "" : path + ": ";
  }

  private static String reason(JsonMappingException e) {
    for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
      if (cause instanceof BadInput && cause.getMessage() != null) {
        return String.valueOf(cause.getMessage());
      }
    }
    return e.getOriginalMessage().replaceAll("(?s)\\s*at \\[Source.*", "");
  }

  /** The first {@code depth} steps of the error's path, as {@code repositories[0].path}. */
  private static String path(JsonMappingException e, int depth) {
    StringBuilder out = new StringBuilder();
    for (JsonMappingException.Reference step : e.getPath().subList(0, depth)) {
      if (step.getIndex() >= 0) {
        out.append('[').append(step.getIndex()).append(']');
      } else if (step.getFieldName() != null) {
        out.append(out.length() == 0 ? "" : ".").append(step.getFieldName());
      }
    }
    return out.toString();
  }

  private static ObjectMapper strictMapper() {
    JsonMapper mapper =
        JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();
    mapper
        .coercionConfigFor(LogicalType.Textual)
        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    return mapper;
  }
}
