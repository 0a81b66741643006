package io.soilci.result;

/**
 * Input from a user or a client that breaks a rule; its message names the input, quotes the value
 * and states the rule. Servers answer it with a 4xx, CLIs with exit status 2.
 */
public final class BadInput extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public BadInput(String message) {
    super(message);
  }

  public BadInput(String message, Throwable cause) {
    super(message, cause);
  }
}
