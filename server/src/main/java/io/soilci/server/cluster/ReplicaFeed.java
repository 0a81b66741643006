package io.soilci.server.cluster;

import io.soilci.files.AtomicFiles;
import io.soilci.result.BadInput;
import io.soilci.result.FolderIsAFile;
import io.soilci.result.JobFile;
import io.soilci.result.JobRef;
import io.soilci.result.SiteLayout;
import io.soilci.server.site.JobLost;
import io.soilci.server.site.RunLocks;
import io.soilci.server.site.Site;
import io.soilci.server.state.StateLayout;
import io.soilci.server.storage.ObjectStore;
import io.soilci.server.upload.ResultStore;
import io.soilci.server.upload.StoredJob;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This replica's reader of the change stream: every change in order from the sequence after the
 * last one applied (kept in {@code STATE/cluster/applied-sequence}, synced), each applied to the
 * site; the only writer of the site's changes in the distributed mode, this replica's own included
 * (they are published first, and their requests wait until this feed applied them: {@link
 * #awaitApplied}). An upload's files are this replica's staged ones when it accepted the upload
 * ({@link OwnChanges}), else come from the object store (temp files, checked against the hashes the
 * change names); they are put in place through the commit journal, JSON last. A file that already
 * has its hash here is not fetched, and a file of a later upload in the store (another hash) means
 * this change was superseded: the later one's change follows in the stream. A change that cannot be
 * applied for want of the store or the disk is tried again until it can (the stream waits); one
 * that breaks a rule is logged and skipped, and its request, if it waits here, answers the rule.
 */
public final class ReplicaFeed implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ReplicaFeed.class);

  private final String replica;
  private final ObjectStore bucket;
  private final Site site;
  private final ResultStore store;
  private final ChangeApplier applier;
  private final SiteLayout layout;
  private final OwnChanges own;
  private final StreamFollower follower;
  private volatile long applying;

  /**
   * A feed of {@code stream} into {@code site}, resuming after the sequence saved in {@code state}.
   */
  public ReplicaFeed(
      String replica,
      ChangeStream stream,
      ObjectStore bucket,
      Site site,
      SiteLayout layout,
      ResultStore store,
      StateLayout state,
      OwnChanges own)
      throws IOException {
    this.own = own;
    this.replica = replica;
    this.bucket = bucket;
    this.site = site;
    this.store = store;
    this.applier = new ChangeApplier(site, store);
    this.layout = layout;
    this.follower =
        new StreamFollower(
            replica,
            "the change stream",
            "soil-replica-feed",
            stream.changes(),
            state.appliedSequence(),
            this::handle);
    this.applying = follower.applied();
  }

  /**
   * Before {@link #start}: applies the changes after {@code sequence} again (each change is
   * idempotent), so that the pages they changed are left to their roles' holders again (their
   * announcements may not have been made or fetched before this replica stopped).
   */
  void replayAfter(long sequence) {
    long saved = follower.applied();
    follower.rewind(sequence);
    applying = follower.applied();
    if (applying < saved) {
      LOG.info(
          "replica {}: applying changes {} to {} again: their pages may not have been announced",
          replica,
          applying + 1,
          saved);
    }
  }

  /** Starts reading. */
  public void start() {
    follower.start();
  }

  /** The last sequence applied. */
  public long applied() {
    return follower.applied();
  }

  /**
   * The sequence of the change being applied now (else the last one applied): the position of the
   * pages it leaves to another replica ({@link io.soilci.server.site.PageOwners#position}).
   */
  long applying() {
    return applying;
  }

  /**
   * Ready once every change that was in the stream when this replica started is applied: only then
   * do its pages show every acknowledged change.
   */
  public boolean ready() {
    return follower.ready();
  }

  /** Why it is not ready, for {@code /readyz}. */
  public String readiness() {
    return follower.readiness();
  }

  /**
   * Waits until the change at {@code sequence} is applied, at most {@code timeout}; returns whether
   * it is.
   */
  public boolean awaitApplied(long sequence, Duration timeout) throws InterruptedException {
    return follower.awaitApplied(sequence, timeout);
  }

  private void handle(ChangeStream.Delivered delivered) throws InterruptedException {
    applying = delivered.sequence();
    Change change;
    try {
      change = Change.decode(delivered.bytes());
    } catch (IOException e) {
      LOG.error(
          "replica {}: change {} of the stream skipped: {}",
          replica,
          delivered.sequence(),
          e.getMessage());
      return;
    }
    while (!follower.closed()) {
      try {
        apply(change, delivered.sequence());
        own.applied(change, null);
        return;
      } catch (BadInput | JobLost | IllegalArgumentException | IllegalStateException e) {
        own.applied(change, e);
        LOG.warn(
            "replica {}: change {} ({} of {}) skipped: {}",
            replica,
            delivered.sequence(),
            change.kind(),
            change.job(),
            e.getMessage());
        return;
      } catch (FolderIsAFile e) {
        // An operator's file in this replica's site: trying again would stop the feed for every
        // change after it until the file is moved. Skipped here, as a refused change is; the
        // request that made it (if this replica took it) is answered the precise 500.
        own.applied(change, new UncheckedIOException(e));
        LOG.warn(
            "replica {}: change {} ({} of {}) not applied here: {}",
            replica,
            delivered.sequence(),
            change.kind(),
            change.job(),
            e.getMessage());
        return;
      } catch (IOException e) {
        LOG.warn(
            "replica {}: change {} ({} of {}) not applied yet, trying again: {}",
            replica,
            delivered.sequence(),
            change.kind(),
            change.job(),
            e.toString());
        follower.pause();
      }
    }
  }

  /**
   * Applies every change, this replica's own too: it published its own first and applies it here,
   * at its place in the stream, as every other replica does (also when a restart replays it among
   * the others'). The hooks a change fires run on its origin only, the replica that accepted it
   * (for {@code lost}: the holder of the site role that declared it), so once in the cluster; each
   * with {@link io.soilci.server.hooks.HookEvent#DELIVERY} naming the change's place in the stream,
   * the same when a restart replays it and fires them again.
   */
  private void apply(Change change, long sequence) throws IOException {
    if (change.origin().equals(replica)) {
      site.withHookDelivery(ChangeStream.STREAM + "/" + sequence, () -> applyHere(change));
    } else {
      site.withHooksElsewhere(() -> applyHere(change));
    }
  }

  private void applyHere(Change change) throws IOException {
    if (change.kind().equals(ChangeKinds.STORED)) {
      applyStored(change);
    } else {
      applier.apply(change);
    }
  }

  /**
   * An upload: for each file the change names, this replica's own staged file when it accepted the
   * upload, nothing when the stored file has that hash already, else the object store's copy
   * (checked against the hash: another means a later upload superseded this change); then what
   * changed is committed through the commit journal and the site is told.
   */
  private void applyStored(Change change) throws IOException {
    JobRef job = change.jobRef();
    String[] hashes = change.field(ChangeKinds.FILES_SHA256).split("\\+", -1);
    JobFile[] kinds = JobFile.values();
    if (hashes.length != kinds.length) {
      throw new IllegalArgumentException(
          "change stored of " + job + ": sha256 must name " + kinds.length + " files");
    }
    SiteLayout.requirePublishable(job);
    RunLocks.Hold hold = site.locks().use(job.host(), job.run());
    Map<JobFile, Path> files = new EnumMap<>(JobFile.class);
    files.putAll(own.claimStaged(change));
    try {
      for (int i = 0; i < kinds.length; i++) {
        Path target = layout.path(job.file(kinds[i]));
        if (hashes[i].equals(ClusterReplication.ABSENT)
            || files.containsKey(kinds[i])
            || (Files.isRegularFile(target) && hashes[i].equals(sha256(target)))) {
          continue;
        }
        try {
          Files.createDirectories(target.getParent());
        } catch (FileSystemException e) {
          throw layout.named(target, e);
        }
        Path temp = AtomicFiles.createTemp(target);
        files.put(kinds[i], temp);
        String got = fetch(job.file(kinds[i]), temp);
        if (!got.equals(hashes[i])) {
          LOG.info(
              "replica {}: {} in the store is of a later upload: this change is superseded",
              replica,
              job.file(kinds[i]));
          return;
        }
      }
      StoredJob stored;
      if (files.isEmpty()) {
        // Nothing changes (a change replayed after a restart, or delivered twice); the site is
        // told again, at the change's place in the stream.
        stored = store.readStored(job);
      } else {
        Path json = files.get(JobFile.JSON);
        if (json != null) {
          long modified = Long.parseLong(change.field(ChangeKinds.JSON_MODIFIED));
          Files.setLastModifiedTime(json, FileTime.from(Instant.ofEpochSecond(modified)));
        }
        stored = store.commitFetched(job, files);
        files.clear();
      }
      site.jobStored(job, stored.meta(), stored.rows(), Instant.ofEpochMilli(change.at()));
    } catch (NoSuchFileException e) {
      LOG.info(
          "replica {}: {} is not in the store (deleted since): change skipped",
          replica,
          e.getMessage());
    } finally {
      for (Path temp : files.values()) {
        Files.deleteIfExists(temp);
      }
      hold.close();
    }
  }

  /** The lower-case hex SHA-256 of {@code file}. */
  static String sha256(Path file) throws IOException {
    MessageDigest digest = Change.digest();
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /** Copies the object at {@code key} into {@code temp}; returns the SHA-256 of what it copied. */
  private String fetch(String key, Path temp) throws IOException {
    MessageDigest digest = Change.digest();
    try (InputStream in = new DigestInputStream(bucket.open(key), digest);
        OutputStream out = Files.newOutputStream(temp)) {
      in.transferTo(out);
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /** Stops reading and saves the sequence applied. */
  @Override
  public void close() {
    follower.close();
  }
}
