package io.soilci.result;

import java.io.IOException;

/**
 * A plain file where one of the site's own folders should be (e.g. {@code github-jobs/4101} a
 * regular file, put there by hand): nothing can be stored under it until an operator moves it out.
 * Its message names the file and says so; the server answers it as a 500 with that message.
 */
public final class FolderIsAFile extends IOException {
  private static final long serialVersionUID = 1L;

  /** {@code relative}: the file's path under the site root, e.g. {@code github-jobs/4101}. */
  public FolderIsAFile(String relative) {
    super(
        "SITE/"
            + relative
            + " is a plain file where a folder should be, so nothing was stored there:"
            + " move it out of the site folder");
  }
}
