package io.soilci.server.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.soilci.web.Templates;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The coordinator's pages, rendered on request from its views (never files of the site): the queue
 * ({@code /coordinator/index.html}: running jobs and their agents, queued jobs, ended jobs with
 * reused ones linking to the job that produced them) and the agents ({@code agents.html}).
 */
final class CoordinatorPages {
  private static final String ROOT = "../";

  private CoordinatorPages() {}

  static byte[] queue(List<ObjectNode> jobs, int agents) {
    List<Map<String, Object>> running = new ArrayList<>();
    List<Map<String, Object>> queued = new ArrayList<>();
    List<Map<String, Object>> ended = new ArrayList<>();
    for (ObjectNode job : jobs) {
      Map<String, Object> row = row(job);
      switch (job.path("state").asText()) {
        case "running" -> running.add(row);
        case "queued" -> queued.add(0, row);
        default -> ended.add(row);
      }
    }
    Map<String, Object> model = new HashMap<>();
    model.put("title", "Coordinator");
    model.put("root", ROOT);
    model.put("running", running);
    model.put("queued", queued);
    model.put("ended", ended);
    model.put("agents", agents);
    return Templates.shared().render("coordinator-queue", model).getBytes(StandardCharsets.UTF_8);
  }

  private static Map<String, Object> row(JsonNode job) {
    Map<String, Object> row = new LinkedHashMap<>();
    String state = job.path("state").asText();
    String runHref =
        ROOT
            + job.path("workerHost").asText()
            + "-jobs/"
            + job.path("runId").asText()
            + "/index.html";
    row.put("id", job.path("id").asLong());
    row.put("run", job.path("runId").asText());
    row.put("runHref", runHref);
    row.put("job", job.path("job").asText());
    row.put("jobHref", state.equals("queued") ? "" : runHref + "#job-" + job.path("job").asText());
    row.put("state", state);
    row.put("css", css(state));
    row.put("status", job.has("status") ? Integer.toString(job.get("status").asInt()) : "");
    List<String> labels = new ArrayList<>();
    job.path("labels").forEach(l -> labels.add(l.asText()));
    row.put("labels", labels);
    row.put("agent", job.path("agent").asText(""));
    row.put("attempts", job.path("attempts").asInt());
    row.put("changed", job.path("changed").asText());
    row.put("reason", job.path("reason").asText(""));
    String from = job.path("reusedFrom").asText("");
    row.put("reusedFrom", from);
    row.put("reusedHref", reusedHref(from));
    return row;
  }

  /** {@code github-jobs/soil-1/unit} → the job on its run page. */
  private static String reusedHref(String from) {
    int slash = from.lastIndexOf('/');
    return slash < 0
        ? ""
        : ROOT + from.substring(0, slash) + "/index.html#job-" + from.substring(slash + 1);
  }

  private static String css(String state) {
    return switch (state) {
      case "passed", "reused" -> "pass";
      case "failed", "setup-failed", "lost" -> "fail";
      default -> state;
    };
  }

  static byte[] agents(List<ObjectNode> agents, List<ObjectNode> jobs) {
    Map<Long, JsonNode> byId = new HashMap<>();
    jobs.forEach(j -> byId.put(j.path("id").asLong(), j));
    List<Map<String, Object>> rows = new ArrayList<>();
    for (ObjectNode agent : agents) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("name", agent.path("name").asText());
      List<String> labels = new ArrayList<>();
      agent.path("labels").forEach(l -> labels.add(l.asText()));
      row.put("labels", labels);
      row.put("capacity", agent.path("capacity").asInt());
      row.put("lastSeen", agent.path("lastSeen").asText());
      row.put("address", agent.path("address").asText());
      List<Map<String, Object>> current = new ArrayList<>();
      for (JsonNode id : agent.path("jobs")) {
        JsonNode job = byId.get(id.asLong());
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("id", id.asLong());
        j.put("run", job == null ? "" : job.path("runId").asText());
        j.put("job", job == null ? "" : job.path("job").asText());
        current.add(j);
      }
      row.put("jobs", current);
      rows.add(row);
    }
    Map<String, Object> model = new HashMap<>();
    model.put("title", "Agents");
    model.put("root", ROOT);
    model.put("agents", rows);
    return Templates.shared().render("coordinator-agents", model).getBytes(StandardCharsets.UTF_8);
  }
}
