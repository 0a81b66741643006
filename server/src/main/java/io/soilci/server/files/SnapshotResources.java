package io.soilci.server.files;

import io.undertow.io.IoCallback;
import io.undertow.io.Sender;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.resource.Resource;
import io.undertow.server.handlers.resource.ResourceChangeListener;
import io.undertow.server.handlers.resource.ResourceManager;
import io.undertow.util.DateUtils;
import io.undertow.util.ETag;
import io.undertow.util.MimeMappings;
import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Serves each file from one version of it. Pages are replaced by rename while being served;
 * Undertow's own file resource takes the length and the bytes in two separate opens, so a reader
 * could get the new page's first N bytes under the old page's length: a torn page. A file up to 16
 * MiB (every page, TSV, JSON, status file) is read whole from one open instead.
 */
final class SnapshotResources implements ResourceManager {
  private static final long MAX_SNAPSHOT_BYTES = 16L << 20;

  private final ResourceManager files;
  private final Function<BasicFileAttributes, ETag> etag;

  SnapshotResources(ResourceManager files, Function<BasicFileAttributes, ETag> etag) {
    this.files = files;
    this.etag = etag;
  }

  @Override
  public @Nullable Resource getResource(String path) throws IOException {
    Resource resource = files.getResource(path);
    if (resource == null || resource.isDirectory() || resource.getFilePath() == null) {
      return resource;
    }
    Path file = resource.getFilePath();
    for (int attempt = 0; attempt < 3; attempt++) {
      try {
        BasicFileAttributes before = Files.readAttributes(file, BasicFileAttributes.class);
        if (before.size() > MAX_SNAPSHOT_BYTES) {
          return resource;
        }
        byte[] bytes = Files.readAllBytes(file);
        BasicFileAttributes after = Files.readAttributes(file, BasicFileAttributes.class);
        if (Objects.equals(before.fileKey(), after.fileKey())
            && before.lastModifiedTime().equals(after.lastModifiedTime())
            && after.size() == bytes.length) {
          return new Snapshot(resource, bytes, before, etag.apply(before));
        }
      } catch (NoSuchFileException e) {
        return null;
      }
    }
    return resource;
  }

  @Override
  public boolean isResourceChangeListenerSupported() {
    return false;
  }

  @Override
  public void registerResourceChangeListener(ResourceChangeListener listener) {}

  @Override
  public void removeResourceChangeListener(ResourceChangeListener listener) {}

  @Override
  public void close() throws IOException {
    files.close();
  }

  /** One version of a file: its bytes, and the date and tag of exactly those bytes. */
  record Snapshot(Resource file, byte[] bytes, BasicFileAttributes attrs, ETag tag)
      implements Resource {
    @Override
    public String getPath() {
      return file.getPath();
    }

    @Override
    public Date getLastModified() {
      return new Date(attrs.lastModifiedTime().toMillis());
    }

    @Override
    public String getLastModifiedString() {
      return DateUtils.toDateString(getLastModified());
    }

    @Override
    public ETag getETag() {
      return tag;
    }

    @Override
    public String getName() {
      return file.getName();
    }

    @Override
    public boolean isDirectory() {
      return false;
    }

    @Override
    public List<Resource> list() {
      return List.of();
    }

    @Override
    public String getContentType(MimeMappings mimeMappings) {
      return file.getContentType(mimeMappings);
    }

    @Override
    public void serve(Sender sender, HttpServerExchange exchange, IoCallback completionCallback) {
      sender.send(ByteBuffer.wrap(bytes), completionCallback);
    }

    @Override
    public Long getContentLength() {
      return (long) bytes.length;
    }

    @Override
    public String getCacheKey() {
      return file.getCacheKey();
    }

    @Override
    public File getFile() {
      return file.getFile();
    }

    @Override
    public Path getFilePath() {
      return file.getFilePath();
    }

    @Override
    public File getResourceManagerRoot() {
      return file.getResourceManagerRoot();
    }

    @Override
    public Path getResourceManagerRootPath() {
      return file.getResourceManagerRootPath();
    }

    @Override
    public URL getUrl() {
      return file.getUrl();
    }
  }
}
