package io.soilci.server.http;

import io.soilci.cli.SoilVersion;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.List;

/** The JVM's memory, collections, threads and uptime, and the build's version. */
public final class JvmMetrics implements MetricSource {
  private final String version = SoilVersion.get();

  @Override
  public void writeTo(PromText out) {
    var memory = ManagementFactory.getMemoryMXBean();
    MemoryUsage heap = memory.getHeapMemoryUsage();
    MemoryUsage nonHeap = memory.getNonHeapMemoryUsage();
    String h = PromText.label("area", "heap");
    String n = PromText.label("area", "nonheap");
    out.family("soil_jvm_memory_used_bytes", "gauge", "JVM memory in use.")
        .sample("soil_jvm_memory_used_bytes", h, heap.getUsed())
        .sample("soil_jvm_memory_used_bytes", n, nonHeap.getUsed());
    out.family("soil_jvm_memory_committed_bytes", "gauge", "JVM memory the OS has committed.")
        .sample("soil_jvm_memory_committed_bytes", h, heap.getCommitted())
        .sample("soil_jvm_memory_committed_bytes", n, nonHeap.getCommitted());
    out.family("soil_jvm_memory_max_bytes", "gauge", "The most JVM memory may grow to; -1: no max.")
        .sample("soil_jvm_memory_max_bytes", h, heap.getMax())
        .sample("soil_jvm_memory_max_bytes", n, nonHeap.getMax());
    List<GarbageCollectorMXBean> collectors = ManagementFactory.getGarbageCollectorMXBeans();
    out.family("soil_jvm_gc_collections_total", "counter", "Collections, by collector.");
    for (GarbageCollectorMXBean gc : collectors) {
      out.sample(
          "soil_jvm_gc_collections_total",
          PromText.label("gc", gc.getName()),
          Math.max(0, gc.getCollectionCount()));
    }
    out.family("soil_jvm_gc_collection_seconds_total", "counter", "Time collecting, by collector.");
    for (GarbageCollectorMXBean gc : collectors) {
      out.sample(
          "soil_jvm_gc_collection_seconds_total",
          PromText.label("gc", gc.getName()),
          Math.max(0, gc.getCollectionTime()) / 1000.0);
    }
    var threads = ManagementFactory.getThreadMXBean();
    out.family("soil_jvm_threads", "gauge", "Live JVM threads.")
        .sample("soil_jvm_threads", "", threads.getThreadCount());
    out.family("soil_jvm_threads_daemon", "gauge", "Live JVM daemon threads.")
        .sample("soil_jvm_threads_daemon", "", threads.getDaemonThreadCount());
    out.family("soil_uptime_seconds", "gauge", "Seconds since the JVM started.")
        .sample(
            "soil_uptime_seconds", "", ManagementFactory.getRuntimeMXBean().getUptime() / 1000.0);
    out.family("soil_build_info", "gauge", "The server's version, as a label; the value is 1.")
        .sample("soil_build_info", PromText.label("version", version), 1);
  }
}
