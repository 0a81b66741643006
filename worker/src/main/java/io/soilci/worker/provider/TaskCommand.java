package io.soilci.worker.provider;

/**
 * What a task runs, as Soil does: {@code SCRIPT ACTION} (e.g. {@code test/unit.sh all-tests}) in
 * the checkout, the script executed directly with the action as its one argument.
 */
public record TaskCommand(String script, String action) {
  public TaskCommand {
    requireWord("script", script);
    requireWord("action", action);
  }

  private static void requireWord(String what, String value) {
    if (value.isEmpty() || value.chars().anyMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException(what + " must be one non-empty word: '" + value + "'");
    }
  }
}
