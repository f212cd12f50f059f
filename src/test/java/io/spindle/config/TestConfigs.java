package io.spindle.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;

/** Config text parsed as a file named {@code origin} would be, without defaults. */
final class TestConfigs {

  private TestConfigs() {}

  static Config parse(String text, String origin) {
    return ConfigFactory.parseString(text, ConfigParseOptions.defaults().setOriginDescription(origin));
  }
}
