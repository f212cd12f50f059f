package io.spindle.ml;

/**
 * Hands a uid to a Spark ML stage while its Scala superclass is still being constructed.
 *
 * <p>Spark's shared-parameter traits build their {@code Param}s in the superclass constructor
 * and each asks the stage for {@code uid()}; a Java subclass cannot assign its uid field before
 * {@code super()} returns. So a constructor stages the uid here first (in the arguments of a
 * {@code this(...)} call, which run before {@code super()}), {@code uid()} reads it until the
 * field is set, and the constructor clears it.
 */
final class Uids {

  private static final ThreadLocal<String> PENDING = new ThreadLocal<>();

  private Uids() {}

  /** Stages {@code uid} for the constructor about to run on this thread; returns it. */
  static String stage(String uid) {
    if (uid == null || uid.isEmpty()) {
      throw new IllegalArgumentException("a Spark ML stage needs a non-empty uid");
    }
    PENDING.set(uid);
    return uid;
  }

  /** The staged uid (during construction), or null. */
  static String pending() {
    return PENDING.get();
  }

  static void clear() {
    PENDING.remove();
  }
}
