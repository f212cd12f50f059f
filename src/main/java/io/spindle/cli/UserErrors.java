package io.spindle.cli;

import io.spindle.io.OneLine;
import java.io.FileNotFoundException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/** Turns exceptions into the one line a user sees. */
final class UserErrors {

  private UserErrors() {}

  /**
   * The innermost cause that carries meaning: Spark wraps executor failures in
   * SparkException("Job aborted ...", cause), and reflection/IO layers wrap too.
   */
  static Throwable rootCause(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t
        && (isWrapper(t) || t.getMessage() == null)) {
      t = t.getCause();
    }
    return t;
  }

  private static boolean isWrapper(Throwable t) {
    String name = t.getClass().getName();
    return name.equals("org.apache.spark.SparkException")
        || t instanceof java.lang.reflect.InvocationTargetException
        || t instanceof java.util.concurrent.ExecutionException
        || t instanceof java.io.UncheckedIOException
        || (t instanceof RuntimeException && t.getClass() == RuntimeException.class);
  }

  /** Problems the user can fix from the message alone: no stack trace hint needed. */
  static boolean isExpected(Throwable t) {
    return t instanceof IllegalArgumentException || t instanceof FileSystemException
        || t instanceof FileNotFoundException || t instanceof IllegalStateException
        || t instanceof OutOfMemoryError
        || t instanceof io.spindle.train.TrainingDivergedException;
  }

  /** The one line shown for {@code t}: control characters in quoted text are escaped. */
  static String describe(Throwable t) {
    return OneLine.escapeControls(describeRaw(t));
  }

  private static String describeRaw(Throwable t) {
    if (t instanceof NoSuchFileException e) {
      return "no such file or directory: " + e.getFile();
    }
    if (t instanceof AccessDeniedException e) {
      return "permission denied: " + e.getFile() + "; choose a path you can write to";
    }
    if (t instanceof FileSystemException e) {
      return e.getFile() + ": " + (e.getReason() != null ? e.getReason() : e.getClass().getSimpleName());
    }
    if (t instanceof OutOfMemoryError) {
      return "out of memory; give the driver more (SPINDLE_DRIVER_MEMORY=8g) or the executors "
          + "more (--executor-memory), or lower training.batch-size";
    }
    String msg = t.getMessage();
    return msg != null && !msg.isBlank() ? msg : t.getClass().getSimpleName();
  }
}
