package io.soilci.server.coordinator;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A job's inputs as one hash (mistry's idea): the commit's tree, the task list (or the command
 * printing it), the provider, the image reference or workspace file, the labels and the declared
 * environment. Not in it: the job's name, its run, its timeout and parallelism, the commit's hash
 * (the same tree under another commit is the same input).
 */
final class InputKey {
  private InputKey() {}

  static String of(String tree, JobSpec spec) {
    ObjectNode inputs = JsonNodeFactory.instance.objectNode();
    inputs.put("v", 1);
    inputs.put("tree", tree);
    ObjectNode job = spec.toJson();
    job.remove("name");
    job.remove("timeoutSeconds");
    job.remove("parallel");
    inputs.set("job", job);
    try {
      byte[] canonical = QueueLog.JSON.writeValueAsBytes(inputs);
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical));
    } catch (NoSuchAlgorithmException | com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
