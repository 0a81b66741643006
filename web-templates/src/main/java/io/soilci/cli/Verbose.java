package io.soilci.cli;

import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** {@code --verbose}: a root command mixes it in; every subcommand inherits it. */
public final class Verbose {
  static final String NAME = "--verbose";

  @Option(
      names = NAME,
      scope = ScopeType.INHERIT,
      description = "On failure, print the stack trace too.")
  boolean given;
}
