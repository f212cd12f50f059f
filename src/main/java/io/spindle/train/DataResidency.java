package io.spindle.train;

/**
 * Where the training data is at the end of an epoch, as Spark's block manager reports it, and
 * how much of it the epoch read back from disk: what tells a user whether to add memory.
 *
 * @param chunks chunks (cached blocks) of the training data
 * @param cachedChunks chunks cached somewhere (memory or disk); fewer means Spark dropped some
 *     and will rebuild them from their lineage when read
 * @param memoryBytes bytes of training data in executor memory
 * @param diskBytes bytes of training data on executor disks (spilled)
 * @param diskBytesRead bytes read back from disk this epoch
 */
public record DataResidency(int chunks, int cachedChunks, long memoryBytes, long diskBytes,
    long diskBytesRead) {

  /** For the epoch log line, e.g. "data 120 MiB in memory, 360 MiB on disk, 355 MiB read from disk". */
  public String describe() {
    String s = "data " + bytes(memoryBytes) + " in memory, " + bytes(diskBytes) + " on disk, "
        + bytes(diskBytesRead) + " read from disk";
    return cachedChunks < chunks ? s + " (" + (chunks - cachedChunks) + " of " + chunks
        + " chunks not cached: rebuilt from their source when read)" : s;
  }

  static String bytes(long b) {
    if (b < 1024) {
      return b + " B";
    }
    if (b < 1024L * 1024) {
      return String.format(java.util.Locale.ROOT, "%.1f KiB", b / 1024.0);
    }
    if (b < 1024L * 1024 * 1024) {
      return String.format(java.util.Locale.ROOT, "%.1f MiB", b / (1024.0 * 1024));
    }
    return String.format(java.util.Locale.ROOT, "%.2f GiB", b / (1024.0 * 1024 * 1024));
  }
}
