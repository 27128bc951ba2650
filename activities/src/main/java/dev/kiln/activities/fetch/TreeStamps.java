package dev.kiln.activities.fetch;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;

/**
 * What a kept workspace's tracked files held when its run's cleanup put it away, by the status of
 * each: its inode, size and status-change time ({@code ctime}). The lane's next sync takes a file
 * whose status is still the stamped one as holding the stamped blob without reading it: any write,
 * truncation, {@code chmod}, {@code touch}, link or rename gives a file a later {@code ctime}, and
 * no unprivileged process can set it back ({@link SettledTree} says what else that takes).
 *
 * <p>The stamps live beside the kept tree, not in it, where a sandboxed build cannot write them;
 * they name the tree's directory by its inode, so that stamps left beside another directory go
 * unused; and they carry a MAC under a key drawn by this worker process at its start, so that a
 * previous life of the worker (whose file times a crash may have lost) cannot make them vouch for a
 * file, nor a build run without the sandbox by writing the file alone.
 */
final class TreeStamps {

  /** Format of the file: bump when it changes, and an older file reads as no stamps. */
  private static final int FORMAT = 2;

  private static final String MAC = "HmacSHA256";

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

  /**
   * Writes the stamps of the tree whose directory has inode {@code tree} to {@code file}, at once:
   * a reader finds no file or the whole of it.
   */
  void writeTo(Path file, long tree, byte[] key) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(FORMAT);
      out.writeLong(tree);
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
      out.write(mac(key, bytes.toByteArray()));
    }
    Path partial = file.resolveSibling(file.getFileName() + ".partial");
    try {
      Files.write(partial, bytes.toByteArray());
      Files.move(
          partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(partial);
    }
  }

  /**
   * Reads stamps {@link #writeTo} wrote for the tree whose directory has inode {@code tree} with
   * the same key.
   *
   * @return {@link #none()} when there is no such file
   * @throws IOException the file is unreadable, not stamps of this format, of another tree or not
   *     made with {@code key}
   */
  static TreeStamps readFrom(Path file, long tree, byte[] key) throws IOException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException none) {
      return NONE;
    }
    int macLength = mac(key, new byte[0]).length;
    if (bytes.length < macLength) {
      throw new IOException(file + " is too short to hold stamps");
    }
    byte[] body = Arrays.copyOf(bytes, bytes.length - macLength);
    byte[] mac = Arrays.copyOfRange(bytes, body.length, bytes.length);
    if (!MessageDigest.isEqual(mac, mac(key, body))) {
      throw new IOException(file + " was not written by this worker process");
    }
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(body))) {
      if (in.readInt() != FORMAT) {
        throw new IOException(file + " holds stamps of another format");
      }
      if (in.readLong() != tree) {
        throw new IOException(file + " describes another tree");
      }
      int count = in.readInt();
      Map<String, Stamp> stamps = new HashMap<>();
      byte[] blob = new byte[Constants.OBJECT_ID_LENGTH];
      for (int i = 0; i < count; i++) {
        String path = in.readUTF();
        in.readFully(blob);
        stamps.put(
            path, new Stamp(ObjectId.fromRaw(blob), in.readLong(), in.readLong(), in.readLong()));
      }
      return new TreeStamps(stamps);
    }
  }

  private static byte[] mac(byte[] key, byte[] body) {
    try {
      Mac mac = Mac.getInstance(MAC);
      mac.init(new SecretKeySpec(key, MAC));
      return mac.doFinal(body);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(MAC + " is part of every Java runtime", e);
    }
  }
}
