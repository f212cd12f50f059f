package io.spindle.spark;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;

/** Captures what some classes log (through log4j 2, Spark's backend) while it is open. */
final class LogLines extends AbstractAppender implements AutoCloseable {

  private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
  private final List<Logger> loggers = new ArrayList<>();

  private LogLines() {
    super("test-capture-" + UUID.randomUUID(), null, null, true, Property.EMPTY_ARRAY);
  }

  static LogLines of(Class<?>... classes) {
    LogLines capture = new LogLines();
    capture.start();
    for (Class<?> c : classes) {
      Logger logger = (Logger) LogManager.getLogger(c);
      logger.addAppender(capture);
      capture.loggers.add(logger);
    }
    return capture;
  }

  @Override
  public void append(LogEvent event) {
    lines.add(event.getMessage().getFormattedMessage());
  }

  List<String> lines() {
    synchronized (lines) {
      return new ArrayList<>(lines);
    }
  }

  List<String> matching(String fragment) {
    return lines().stream().filter(l -> l.contains(fragment)).toList();
  }

  void clear() {
    lines.clear();
  }

  @Override
  public void close() {
    for (Logger l : loggers) {
      l.removeAppender(this);
    }
    stop();
  }
}
