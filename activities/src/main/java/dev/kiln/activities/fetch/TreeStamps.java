package dev.kiln.activities.fetch;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;

/**
 * What a kept workspace's tracked files held when its run's cleanup put it away, by the status of
 * each: its inode, size and status-change time ({@code ctime}). The lane's next sync takes a file
 * whose status is still the stamped one as holding the stamped blob without reading it: any write,
 * truncation, {@code chmod}, {@code touch}, link or rename gives a file a later {@code ctime}, and
 * no unprivileged process can set it back. The stamps live beside the kept tree, not in it, so the
 * build that used the tree cannot write them.
 */
final class TreeStamps {

  /** Format of the file: bump when it changes, and an older file reads as no stamps. */
  private static final int FORMAT = 1;

  /** A file's blob and the status it had when stamped. */
  record Stamp(ObjectId blob, long inode, long size, long ctimeNanos) {}

  private static final TreeStamps NONE = new TreeStamps(Map.of());

  private final Map<String, Stamp> stamps;

  TreeStamps(Map<String, Stamp> stamps) {
    this.stamps = stamps;
  }

  static TreeStamps none() {
    return NONE;
  }

  int size() {
    return stamps.size();
  }

  /**
   * The blob at {@code path} when the file's status is still the stamped one; empty when it has no
   * stamp or its status differs, and it must be read.
   */
  Optional<ObjectId> unchangedBlob(String path, long inode, long size, long ctimeNanos) {
    Stamp stamp = stamps.get(path);
    if (stamp == null
        || stamp.inode() != inode
        || stamp.size() != size
        || stamp.ctimeNanos() != ctimeNanos) {
      return Optional.empty();
    }
    return Optional.of(stamp.blob());
  }

  /** Writes the stamps to {@code file} at once: a reader finds the old file or the new one. */
  void writeTo(Path file) throws IOException {
    Path partial = file.resolveSibling(file.getFileName() + ".partial");
    try (DataOutputStream out =
        new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(partial)))) {
      out.writeInt(FORMAT);
      out.writeInt(stamps.size());
      byte[] blob = new byte[Constants.OBJECT_ID_LENGTH];
      for (Map.Entry<String, Stamp> entry : stamps.entrySet()) {
        Stamp stamp = entry.getValue();
        out.writeUTF(entry.getKey());
        stamp.blob().copyRawTo(blob, 0);
        out.write(blob);
        out.writeLong(stamp.inode());
        out.writeLong(stamp.size());
        out.writeLong(stamp.ctimeNanos());
      }
    }
    Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /**
   * Reads stamps {@link #writeTo} wrote.
   *
   * @return {@link #none()} when there is no such file
   * @throws IOException the file is unreadable or not stamps of this format
   */
  static TreeStamps readFrom(Path file) throws IOException {
    try (DataInputStream in =
        new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
      if (in.readInt() != FORMAT) {
        throw new IOException(file + " holds stamps of another format");
      }
      int count = in.readInt();
      if (count < 0) {
        throw new IOException(file + " is corrupt");
      }
      Map<String, Stamp> stamps = new HashMap<>();
      byte[] blob = new byte[Constants.OBJECT_ID_LENGTH];
      for (int i = 0; i < count; i++) {
        String path = in.readUTF();
        in.readFully(blob);
        stamps.put(
            path, new Stamp(ObjectId.fromRaw(blob), in.readLong(), in.readLong(), in.readLong()));
      }
      return new TreeStamps(stamps);
    } catch (NoSuchFileException none) {
      return NONE;
    }
  }
}
