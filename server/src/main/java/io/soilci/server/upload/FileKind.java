package io.soilci.server.upload;

import io.soilci.result.BadInput;
import io.soilci.server.http.Printable;
import java.util.Optional;

/** The three files of a job, in the order they are committed: the JSON last. */
enum FileKind {
  WWZ("wwz", ".wwz"),
  TSV("tsv", ".tsv"),
  JSON("json", ".json");

  private final String field;
  private final String extension;

  FileKind(String field, String extension) {
    this.field = field;
    this.extension = extension;
  }

  String field() {
    return field;
  }

  String extension() {
    return extension;
  }

  /**
   * The kind a {@code /results} part's field name names: {@code wwz}, {@code tsv} or {@code json}.
   */
  static FileKind ofField(String field) {
    for (FileKind kind : values()) {
      if (kind.field.equals(field)) {
        return kind;
      }
    }
    throw new BadInput("part '" + Printable.of(field) + "' must be one of wwz, tsv, json");
  }

  /** The kind of a file name by its extension, if it is one of a job's files. */
  static Optional<FileKind> ofFileName(String name) {
    for (FileKind kind : values()) {
      if (name.endsWith(kind.extension)) {
        return Optional.of(kind);
      }
    }
    return Optional.empty();
  }
}
