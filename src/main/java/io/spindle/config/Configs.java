package io.spindle.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads config text (HOCON: JSON with comments, unquoted strings, includes) into a resolved
 * {@link Config}, turning the library's errors into {@link SpindleConfigException}s.
 */
public final class Configs {

  private Configs() {}

  public static Config parseFile(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new SpindleConfigException(null, "config file " + file + " does not exist or is not a"
          + " file; pass an existing file to --config (e.g. conf/lenet5-mnist.conf)");
    }
    try {
      return ConfigFactory.parseFile(file.toFile(), options().setAllowMissing(false)).resolve();
    } catch (ConfigException e) {
      throw SpindleConfigException.of(e);
    }
  }

  /** Config text, e.g. from a test; {@code origin} names it in error messages. */
  public static Config parseString(String text, String origin) {
    try {
      return ConfigFactory.parseString(text, options().setOriginDescription(origin)).resolve();
    } catch (ConfigException e) {
      throw SpindleConfigException.of(e);
    }
  }

  private static ConfigParseOptions options() {
    return ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF);
  }
}
